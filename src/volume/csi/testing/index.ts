// Test doubles for the kubernetes.io/csi plugin: a fake CSI node driver on a unix socket.
export {
  type FakeCSICall,
  FakeCSIDriver,
  type FakeCSIDriverOptions,
  type FakeNodeCapability,
  type FakeNodeMethod,
} from './fakedriver.ts';
