// Test doubles for the volume framework: a VolumeHost over a temp root and a recording plugin.

export {
  type FakeCSICall,
  FakeCSIDriver,
  type FakeCSIDriverOptions,
  type FakeNodeCapability,
  type FakeNodeMethod,
} from '../csi/testing/index.ts';
export { FakeVolumeHost, type FakeVolumeHostOptions } from './host.ts';
export {
  FakeAttachableVolumePlugin,
  FakeVolume,
  type FakeVolumeCall,
  type FakeVolumeOp,
  FakeVolumePlugin,
  type FakeVolumePluginOptions,
} from './plugin.ts';
export { readVolumeTree } from './tree.ts';
