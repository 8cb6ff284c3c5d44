import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/index.ts';
import { FakeVolumeHost, readVolumeTree } from '../testing/index.ts';
import {
  FakeMounter,
  makeTestRoot,
  parseMountInfo,
  RealMounter,
  removeTestRoot,
} from '../util/mount/index.ts';
import { specFromVolume } from '../volume.ts';
import { isUnsupportedProjectionError, ProjectedPlugin } from './projected.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const pod: Pod = {
  metadata: { name: 'api-0', namespace: 'ns', uid: 'pu1', labels: { app: 'api' } },
  spec: { containers: [{ name: 'c' }] },
};

async function mountsUnder(root: string) {
  return parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter(
    (m) => m.path === root || m.path.startsWith(`${root}/`),
  );
}

describe('projected plugin', () => {
  let root: string;
  let host: FakeVolumeHost;
  let plugin: ProjectedPlugin;

  before(async () => {
    root = makeTestRoot('projected');
    host = new FakeVolumeHost({
      rootDir: root,
      mounter: new RealMounter(),
      secrets: [
        {
          metadata: { name: 'creds', namespace: 'ns' },
          data: { user: b64('admin'), shared: b64('from-secret') },
        },
      ],
      configMaps: [
        {
          metadata: { name: 'conf', namespace: 'ns' },
          data: { 'app.conf': 'x=1', shared: 'from-configmap' },
        },
      ],
    });
    plugin = new ProjectedPlugin();
    await host.initPlugins([plugin]);
  });

  after(async () => {
    await removeTestRoot(root);
  });

  it('describes itself as upstream does', async () => {
    const spec = specFromVolume({ name: 'all', projected: { sources: [], defaultMode: 0o644 } });
    assert.equal(plugin.name, 'kubernetes.io/projected');
    assert.equal(plugin.canSupport(spec), true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 'd', downwardAPI: {} })), false);
    assert.equal(plugin.getVolumeName(spec), 'all');
    assert.equal(plugin.requiresRemount(spec), true);
    assert.deepEqual(plugin.newMounter(spec, pod, {}).getAttributes(), {
      readOnly: true,
      managed: true,
      seLinuxRelabel: true,
    });
    assert.deepEqual((await plugin.constructVolumeSpec('all', '/x')).spec.volume, {
      name: 'all',
      projected: {},
    });
  });

  it('merges secret, configMap and downwardAPI sources into one tmpfs payload, later sources winning', async () => {
    const spec = specFromVolume({
      name: 'all',
      projected: {
        defaultMode: 0o640,
        sources: [
          { secret: { name: 'creds' } },
          {
            configMap: {
              name: 'conf',
              items: [
                { key: 'app.conf', path: 'etc/app.conf', mode: 0o600 },
                { key: 'shared', path: 'shared' },
              ],
            },
          },
          { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { configMap: { name: 'absent', optional: true } },
          { secret: { name: 'absent', optional: true, items: [{ key: 'k', path: 'k' }] } },
        ],
      },
    });
    const m = plugin.newMounter(spec, pod, {});
    const dir = join(root, 'pods/pu1/volumes/kubernetes.io~projected/all');
    assert.equal(m.getPath(), dir);
    await m.setUp({});
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(dir), [
      'd 0755 ..TS/',
      'd 0755 ..TS/etc/',
      'f 0600 ..TS/etc/app.conf "x=1"',
      'f 0640 ..TS/labels "app=\\"api\\""',
      'f 0640 ..TS/shared "from-configmap"',
      'f 0640 ..TS/user "admin"',
      'l ..data -> ..TS',
      'l etc -> ..data/etc',
      'l labels -> ..data/labels',
      'l shared -> ..data/shared',
      'l user -> ..data/user',
    ]);
    const mounts = (await mountsUnder(root)).filter((x) => x.path === dir);
    assert.equal(mounts.length, 1);
    assert.equal(mounts[0]?.type, 'tmpfs');

    await plugin.newUnmounter('all', 'pu1').tearDown();
    assert.deepEqual(await mountsUnder(root), []);
    await assert.rejects(fs.stat(dir), { code: 'ENOENT' });
  });

  it('reports all failing sources in one error and mounts nothing', async () => {
    const mounter = new FakeMounter();
    const fakeHost = new FakeVolumeHost({ rootDir: join(root, 'fake'), mounter });
    const p = new ProjectedPlugin();
    await fakeHost.initPlugins([p]);
    const spec = specFromVolume({
      name: 'broken',
      projected: {
        defaultMode: 0o644,
        sources: [{ secret: { name: 'missing' } }, { configMap: { name: 'missing' } }],
      },
    });
    await assert.rejects(p.newMounter(spec, pod, {}).setUp({}), {
      message: '[secret "missing" not found, configmap "missing" not found]',
    });
    assert.deepEqual(mounter.callsOf('mount'), []);
  });

  it('refuses serviceAccountToken and clusterTrustBundle sources, naming the field', async () => {
    const spec = specFromVolume({
      name: 'token',
      projected: {
        defaultMode: 0o644,
        sources: [
          { configMap: { name: 'conf' } },
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
        ],
      },
    });
    await assert.rejects(plugin.newMounter(spec, pod, {}).setUp({}), (err: unknown) => {
      assert.equal(
        (err as Error).message,
        'projected.sources[1].serviceAccountToken: service account token projection is not supported by kvol (no token issuer)',
      );
      return true;
    });
    const ctb = specFromVolume({
      name: 'ctb',
      projected: {
        defaultMode: 0o644,
        sources: [{ clusterTrustBundle: { path: 'ca.pem', signerName: 'x/y' } }],
      },
    });
    await assert.rejects(plugin.newMounter(ctb, pod, {}).setUp({}), (err: unknown) => {
      assert.ok(isUnsupportedProjectionError((err as { errors?: unknown[] }).errors?.[0]));
      assert.match((err as Error).message, /^projected\.sources\[0\]\.clusterTrustBundle: /);
      return true;
    });
    assert.deepEqual(await mountsUnder(join(root, 'pods/pu1')), []);
  });
});
