// MockVolumePlugin: the `kubernetes.io/mock-volume` plugin of upstream's PV controller tests
// (framework_test.go mockVolumePlugin). Each provision, delete and recycle call consumes the next
// scripted result; with no calls scripted the plugin cannot even create its provisioner/deleter/recycler
// ("Mock plugin error: no ...Calls configured"). It records the options it was given.
import type { PersistentVolume } from '../../../api/index.ts';
import {
  PluginSetupError,
  type RecyclablePlugin,
  type RecyclerEventSink,
  type VolumeOptions,
} from '../plugins.ts';

export const MockPluginName = 'kubernetes.io/mock-volume';

export interface ProvisionCall {
  /** Parameters the call must receive (the class parameters); mismatch fails the call. */
  expectedParameters: Record<string, string>;
  /** undefined: succeed. */
  ret?: Error;
}

export class MockVolumePlugin implements RecyclablePlugin {
  readonly name: string;
  provisionCalls: ProvisionCall[] = [];
  /** Results of delete calls, in order; undefined entries succeed. */
  deleteCalls: (Error | undefined)[] = [];
  recycleCalls: (Error | undefined)[] = [];
  provisionCallCounter = 0;
  deleteCallCounter = 0;
  recycleCallCounter = 0;
  readonly provisionOptions: VolumeOptions[] = [];

  constructor(name = MockPluginName) {
    this.name = name;
  }

  canSupport(_pv: PersistentVolume): boolean {
    return true;
  }

  supportsMountOptions(): boolean {
    return false;
  }

  async provision(options: VolumeOptions): Promise<PersistentVolume> {
    if (this.provisionCalls.length === 0) {
      throw new PluginSetupError(this.name, 'Mock plugin error: no provisionCalls configured');
    }
    const call = this.provisionCalls[this.provisionCallCounter];
    if (call === undefined) throw new Error('Mock plugin error: unexpected provisioner call');
    this.provisionCallCounter++;
    this.provisionOptions.push(options);
    if (JSON.stringify(sortKeys(call.expectedParameters)) !== JSON.stringify(sortKeys(options.parameters))) {
      throw new Error(
        `invalid provisioner call, expected options: ${JSON.stringify(call.expectedParameters)}, got ${JSON.stringify(options.parameters)}`,
      );
    }
    if (call.ret !== undefined) throw call.ret;
    const pvc = options.pvc;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: options.pvName },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.['storage'] ?? '0' },
        accessModes: [...(pvc.spec?.accessModes ?? [])],
        persistentVolumeReclaimPolicy: options.persistentVolumeReclaimPolicy,
        gcePersistentDisk: {},
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      },
      status: { phase: 'Available' },
    } as PersistentVolume;
  }

  async delete(_pv: PersistentVolume): Promise<void> {
    if (this.deleteCalls.length === 0) {
      throw new PluginSetupError(this.name, 'Mock plugin error: no deleteCalls configured');
    }
    if (this.deleteCallCounter >= this.deleteCalls.length) {
      throw new Error('Mock plugin error: unexpected deleter call');
    }
    const ret = this.deleteCalls[this.deleteCallCounter++];
    if (ret !== undefined) throw ret;
  }

  async recycle(_pv: PersistentVolume, _events: RecyclerEventSink): Promise<void> {
    if (this.recycleCalls.length === 0) {
      throw new PluginSetupError(this.name, 'Mock plugin error: no recycleCalls configured');
    }
    if (this.recycleCallCounter >= this.recycleCalls.length) {
      throw new Error('Mock plugin error: unexpected recycle call');
    }
    const ret = this.recycleCalls[this.recycleCallCounter++];
    if (ret !== undefined) throw ret;
  }
}

function sortKeys(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
