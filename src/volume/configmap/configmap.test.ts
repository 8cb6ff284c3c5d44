import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Pod } from '../../api/index.ts';
import { FakeVolumeHost, readVolumeTree } from '../testing/index.ts';
import { makeTestRoot, parseMountInfo, RealMounter, removeTestRoot } from '../util/mount/index.ts';
import { specFromVolume } from '../volume.ts';
import { ConfigMapPlugin, makeConfigMapPayload } from './configmap.ts';

function pod(uid: string): Pod {
  return { metadata: { name: `pod-${uid}`, namespace: 'ns', uid }, spec: { containers: [{ name: 'c' }] } };
}

function cm(name: string, data: Record<string, string>, binaryData?: Record<string, string>): ConfigMap {
  return { metadata: { name, namespace: 'ns' }, data, ...(binaryData === undefined ? {} : { binaryData }) };
}

async function mountsUnder(root: string) {
  return parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter(
    (m) => m.path === root || m.path.startsWith(`${root}/`),
  );
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

describe('makeConfigMapPayload', () => {
  const c = cm('c', { a: 'A' }, { bin: Buffer.from([0, 1, 2]).toString('base64') });
  it('projects data and binaryData keys when there are no items', () => {
    const p = makeConfigMapPayload(undefined, c, 0o644, false);
    assert.deepEqual(Object.keys(p).sort(), ['a', 'bin']);
    assert.deepEqual([...(p['bin']?.data ?? [])], [0, 1, 2]);
  });
  it('finds listed keys in data or binaryData', () => {
    const p = makeConfigMapPayload([{ key: 'bin', path: 'b/x', mode: 0o600 }], c, 0o644, false);
    assert.deepEqual([...(p['b/x']?.data ?? [])], [0, 1, 2]);
    assert.equal(p['b/x']?.mode, 0o600);
  });
  it("refuses a missing key with upstream's message unless optional", () => {
    assert.throws(() => makeConfigMapPayload([{ key: 'k', path: 'k' }], c, 0o644, false), {
      message: 'configmap references non-existent config key: k',
    });
    assert.deepEqual(makeConfigMapPayload([{ key: 'k', path: 'k' }], c, 0o644, true), {});
  });
});

describe('configMap plugin', () => {
  let root: string;
  let host: FakeVolumeHost;
  let plugin: ConfigMapPlugin;

  before(async () => {
    root = makeTestRoot('configmap');
    host = new FakeVolumeHost({ rootDir: root, mounter: new RealMounter() });
    plugin = new ConfigMapPlugin();
    await host.initPlugins([plugin]);
  });

  after(async () => {
    await removeTestRoot(root);
  });

  it('describes itself as upstream does', async () => {
    const spec = specFromVolume({ name: 'conf', configMap: { name: 'app', defaultMode: 0o644 } });
    assert.equal(plugin.name, 'kubernetes.io/configmap');
    assert.equal(plugin.canSupport(spec), true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 's', secret: { secretName: 'app' } })), false);
    assert.equal(plugin.getVolumeName(spec), 'conf/app');
    assert.equal(plugin.requiresRemount(spec), true);
    assert.deepEqual(plugin.newMounter(spec, pod('x'), {}).getAttributes(), {
      readOnly: true,
      managed: true,
      seLinuxRelabel: true,
    });
    assert.deepEqual((await plugin.constructVolumeSpec('conf', '/x')).spec.volume, {
      name: 'conf',
      configMap: {},
    });
  });

  it('writes data and binaryData on disk (no mount) in the AtomicWriter layout', async () => {
    host.setConfigMap(
      cm('app', { 'app.yaml': 'level: info\n' }, { 'logo.bin': Buffer.from('PNG').toString('base64') }),
    );
    const spec = specFromVolume({ name: 'conf', configMap: { name: 'app', defaultMode: 0o644 } });
    const m = plugin.newMounter(spec, pod('u1'), {});
    const dir = join(root, 'pods/u1/volumes/kubernetes.io~configmap/conf');
    assert.equal(m.getPath(), dir);
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(dir), [
      'd 0755 ..TS/',
      'f 0644 ..TS/app.yaml "level: info\\n"',
      'f 0644 ..TS/logo.bin "PNG"',
      'l ..data -> ..TS',
      'l app.yaml -> ..data/app.yaml',
      'l logo.bin -> ..data/logo.bin',
    ]);
    assert.deepEqual(await mountsUnder(root), [], 'configMaps live on disk');
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o777);
    assert.ok(await exists(join(root, 'pods/u1/plugins/kubernetes.io~empty-dir/wrapped_conf/ready')));

    await plugin.newUnmounter('conf', 'u1').tearDown();
    assert.equal(await exists(dir), false);
    assert.equal(await exists(join(root, 'pods/u1/plugins/kubernetes.io~empty-dir/wrapped_conf')), false);
  });

  it('changes the files in place when the ConfigMap changes', async () => {
    host.setConfigMap(cm('live', { a: '1', b: '1' }));
    const spec = specFromVolume({ name: 'live', configMap: { name: 'live', defaultMode: 0o644 } });
    const m = plugin.newMounter(spec, pod('u2'), {});
    await m.setUp({});
    host.setConfigMap(cm('live', { a: '2', c: '2' }));
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(m.getPath()), [
      'd 0755 ..TS/',
      'f 0644 ..TS/a "2"',
      'f 0644 ..TS/c "2"',
      'l ..data -> ..TS',
      'l a -> ..data/a',
      'l c -> ..data/c',
    ]);
    await plugin.newUnmounter('live', 'u2').tearDown();
  });

  it("fails for a missing ConfigMap with the manager's message, and not when optional", async () => {
    const missing = specFromVolume({ name: 'm', configMap: { name: 'nope', defaultMode: 0o644 } });
    await assert.rejects(plugin.newMounter(missing, pod('u3'), {}).setUp({}), {
      message: 'configmap "nope" not found',
    });
    assert.equal(await exists(join(root, 'pods/u3/volumes/kubernetes.io~configmap/m')), false);

    const optional = specFromVolume({
      name: 'o',
      configMap: { name: 'nope', defaultMode: 0o644, optional: true },
    });
    const m = plugin.newMounter(optional, pod('u3'), {});
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(m.getPath()), ['d 0755 ..TS/', 'l ..data -> ..TS']);
    await plugin.newUnmounter('o', 'u3').tearDown();
  });

  it('fails for a listed key the ConfigMap lacks', async () => {
    host.setConfigMap(cm('keys', { present: 'x' }));
    const spec = specFromVolume({
      name: 'k',
      configMap: { name: 'keys', defaultMode: 0o644, items: [{ key: 'missing-key', path: 'f' }] },
    });
    await assert.rejects(plugin.newMounter(spec, pod('u4'), {}).setUp({}), {
      message: 'configmap references non-existent config key: missing-key',
    });
  });

  it('refuses item paths that would leave the volume and removes the half-made volume', async () => {
    host.setConfigMap(cm('esc', { k: 'v' }));
    for (const [path, message] of [
      ['../escape', "invalid path: must not contain '..': ../escape"],
      ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
      ['..data/x', "invalid path: must not start with '..': ..data/x"],
    ] as const) {
      const spec = specFromVolume({
        name: 'esc',
        configMap: { name: 'esc', defaultMode: 0o644, items: [{ key: 'k', path }] },
      });
      const m = plugin.newMounter(spec, pod('u6'), {});
      await assert.rejects(m.setUp({}), { message });
      assert.equal(await exists(m.getPath()), false);
      assert.equal(await exists(join(root, 'pods/u6/plugins/kubernetes.io~empty-dir/wrapped_esc')), false);
    }
  });

  it('surfaces API errors other than NotFound even when optional', async () => {
    host.getConfigMapErrors.push(new Error('connection refused'));
    const spec = specFromVolume({
      name: 'e',
      configMap: { name: 'keys', defaultMode: 0o644, optional: true },
    });
    await assert.rejects(plugin.newMounter(spec, pod('u5'), {}).setUp({}), { message: 'connection refused' });
  });
});
