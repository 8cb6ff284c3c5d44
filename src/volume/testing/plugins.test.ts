// The contract every in-tree plugin keeps, run against each of them: canSupport is exclusive (exactly
// one plugin claims each source type), names and paths follow the kubelet's layout, a reconstructed
// spec is claimed by the plugin that made it, and tearing down a volume that is not there succeeds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, Pod, Volume as PodVolume } from '../../api/index.ts';
import * as configmap from '../configmap/index.ts';
import * as downwardapi from '../downwardapi/index.ts';
import * as emptydir from '../emptydir/index.ts';
import * as hostpath from '../hostpath/index.ts';
import * as local from '../local/index.ts';
import {
  isPersistentVolumePlugin,
  MultiplePluginsError,
  PluginNotFoundError,
  type VolumePlugin,
} from '../plugins.ts';
import * as projected from '../projected/index.ts';
import * as secret from '../secret/index.ts';
import { FakeMounter, makeTestRoot, removeTestRoot } from '../util/mount/index.ts';
import { type Spec, specFromPersistentVolume, specFromVolume } from '../volume.ts';
import { FakeVolumeHost } from './index.ts';

function inTreePlugins(): VolumePlugin[] {
  return [
    ...emptydir.probeVolumePlugins(),
    ...secret.probeVolumePlugins(),
    ...configmap.probeVolumePlugins(),
    ...downwardapi.probeVolumePlugins(),
    ...projected.probeVolumePlugins(),
    ...hostpath.probeVolumePlugins(),
    ...local.probeVolumePlugins(),
  ];
}

const inline: [string, PodVolume][] = [
  ['kubernetes.io/empty-dir', { name: 'v', emptyDir: {} }],
  ['kubernetes.io/secret', { name: 'v', secret: { secretName: 's', defaultMode: 0o644 } }],
  ['kubernetes.io/configmap', { name: 'v', configMap: { name: 'c', defaultMode: 0o644 } }],
  ['kubernetes.io/downward-api', { name: 'v', downwardAPI: { items: [], defaultMode: 0o644 } }],
  ['kubernetes.io/projected', { name: 'v', projected: { sources: [], defaultMode: 0o644 } }],
  ['kubernetes.io/host-path', { name: 'v', hostPath: { path: '/tmp' } }],
];

const pvs: [string, PersistentVolume][] = [
  ['kubernetes.io/host-path', { metadata: { name: 'pv' }, spec: { hostPath: { path: '/tmp' } } }],
  ['kubernetes.io/local-volume', { metadata: { name: 'pv' }, spec: { local: { path: '/tmp' } } }],
];

/** Sources other plugins (CSI, FlexVolume, gitRepo, nfs) own: none of ours may claim them. */
const foreign: Spec[] = [
  specFromVolume({ name: 'v', csi: { driver: 'x' } }),
  specFromVolume({ name: 'v', flexVolume: { driver: 'a/b' } }),
  specFromVolume({ name: 'v', gitRepo: { repository: 'r' } }),
  specFromVolume({ name: 'v', nfs: { server: 's', path: '/' } }),
  specFromVolume({ name: 'v', persistentVolumeClaim: { claimName: 'c' } }),
  specFromPersistentVolume(
    { metadata: { name: 'pv' }, spec: { csi: { driver: 'x', volumeHandle: 'h' } } },
    false,
  ),
  specFromPersistentVolume({ metadata: { name: 'pv' }, spec: { nfs: { server: 's', path: '/' } } }, false),
];

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-c' },
  spec: { containers: [{ name: 'c' }] },
};

describe('in-tree volume plugins', () => {
  let root: string;
  let host: FakeVolumeHost;

  before(async () => {
    root = makeTestRoot('plugins');
    host = new FakeVolumeHost({ rootDir: root, mounter: new FakeMounter() });
    assert.deepEqual(await host.initPlugins(inTreePlugins()), []);
  });

  after(async () => {
    await removeTestRoot(root);
  });

  const cases: [string, Spec][] = [
    ...inline.map(([name, v]): [string, Spec] => [name, specFromVolume(v)]),
    ...pvs.map(([name, pv]): [string, Spec] => [name, specFromPersistentVolume(pv, false)]),
  ];
  for (const [want, spec] of cases) {
    const kind =
      spec.volume !== undefined
        ? `inline ${Object.keys(spec.volume).find((k) => k !== 'name')}`
        : `PV ${Object.keys(spec.persistentVolume?.spec ?? {})[0]}`;
    it(`lets exactly ${want} claim an ${kind} spec`, () => {
      const claimers = inTreePlugins()
        .filter((p) => p.canSupport(spec))
        .map((p) => p.name);
      assert.deepEqual(claimers, [want]);
      assert.equal(host.pluginMgr.findPluginBySpec(spec).name, want);
    });
  }

  it('claims no spec that belongs to another plugin', () => {
    for (const spec of foreign) {
      assert.deepEqual(
        inTreePlugins()
          .filter((p) => p.canSupport(spec))
          .map((p) => p.name),
        [],
      );
      assert.throws(() => host.pluginMgr.findPluginBySpec(spec), PluginNotFoundError);
    }
  });

  it('reports several matching plugins for a volume that carries two of their sources', () => {
    const both = specFromVolume({ name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } });
    assert.throws(() => host.pluginMgr.findPluginBySpec(both), MultiplePluginsError);
  });

  for (const plugin of inTreePlugins()) {
    describe(plugin.name, () => {
      it('is found by name and advertises access modes only as a PV plugin', () => {
        const p = host.pluginMgr.findPluginByName(plugin.name);
        const persistent = pvs.some(([n]) => n === plugin.name);
        assert.equal(isPersistentVolumePlugin(p), persistent);
        if (isPersistentVolumePlugin(p)) assert.ok(p.getAccessModes().includes('ReadWriteOnce'));
      });

      it('reconstructs a spec it claims itself', async () => {
        const p = host.pluginMgr.findPluginByName(plugin.name);
        const dir = join(root, 'pods/uid-c/volumes', plugin.name.replace('/', '~'), 'v');
        const rv = await p.constructVolumeSpec('v', dir);
        assert.equal(p.canSupport(rv.spec), true);
        assert.equal(host.pluginMgr.findPluginBySpec(rv.spec).name, plugin.name);
      });

      it('tears down a volume that is not there without error, twice', async () => {
        const p = host.pluginMgr.findPluginByName(plugin.name);
        const u = p.newUnmounter('never-set-up', 'uid-c');
        await u.tearDown();
        await u.tearDown();
      });

      it('puts pod volumes under pods/<uid>/volumes/<escaped plugin name>/<name>', () => {
        const p = host.pluginMgr.findPluginByName(plugin.name);
        const spec = cases.find(([n]) => n === plugin.name)?.[1];
        assert.ok(spec !== undefined);
        const m = p.newMounter(spec, pod, {});
        if (plugin.name === 'kubernetes.io/host-path') {
          assert.equal(m.getPath(), '/tmp');
        } else {
          const name = spec.volume?.name ?? spec.persistentVolume?.metadata.name ?? '';
          assert.equal(m.getPath(), join(root, 'pods/uid-c/volumes', plugin.name.replace('/', '~'), name));
        }
      });
    });
  }
});
