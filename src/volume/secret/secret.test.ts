import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod, Secret } from '../../api/index.ts';
import { FakeVolumeHost, readVolumeTree } from '../testing/index.ts';
import {
  FakeMounter,
  makeTestRoot,
  parseMountInfo,
  RealMounter,
  removeTestRoot,
} from '../util/mount/index.ts';
import { specFromVolume } from '../volume.ts';
import { makeSecretPayload, SecretPlugin } from './secret.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function pod(uid: string): Pod {
  return { metadata: { name: `pod-${uid}`, namespace: 'ns', uid }, spec: { containers: [{ name: 'c' }] } };
}

function secret(name: string, data: Record<string, string>): Secret {
  return {
    metadata: { name, namespace: 'ns' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
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

describe('makeSecretPayload', () => {
  const s = secret('s', { a: 'A', b: 'B' });
  it('projects every key with the default mode when there are no items', () => {
    const p = makeSecretPayload(undefined, s, 0o644, false);
    assert.deepEqual(Object.keys(p).sort(), ['a', 'b']);
    assert.equal(p['a']?.data.toString(), 'A');
    assert.equal(p['a']?.mode, 0o644);
  });
  it('projects listed keys at their paths with their modes', () => {
    const p = makeSecretPayload(
      [
        { key: 'a', path: 'x/y', mode: 0o400 },
        { key: 'b', path: 'b' },
      ],
      s,
      0o644,
      false,
    );
    assert.deepEqual(Object.keys(p).sort(), ['b', 'x/y']);
    assert.equal(p['x/y']?.mode, 0o400);
    assert.equal(p['b']?.mode, 0o644);
  });
  it('refuses a missing key unless optional', () => {
    assert.throws(() => makeSecretPayload([{ key: 'zz', path: 'z' }], s, 0o644, false), {
      message: 'references non-existent secret key: zz',
    });
    assert.deepEqual(makeSecretPayload([{ key: 'zz', path: 'z' }], s, 0o644, true), {});
  });
  it('refuses a missing defaultMode', () => {
    assert.throws(() => makeSecretPayload(undefined, s, undefined, false), {
      message: 'no defaultMode used, not even the default value for it',
    });
  });
});

describe('secret plugin', () => {
  let root: string;
  let host: FakeVolumeHost;
  let plugin: SecretPlugin;

  before(async () => {
    root = makeTestRoot('secret');
    host = new FakeVolumeHost({ rootDir: root, mounter: new RealMounter() });
    plugin = new SecretPlugin();
    await host.initPlugins([plugin]);
  });

  after(async () => {
    await removeTestRoot(root);
  });

  it('describes itself as upstream does', async () => {
    const spec = specFromVolume({ name: 'creds', secret: { secretName: 'db', defaultMode: 0o644 } });
    assert.equal(plugin.name, 'kubernetes.io/secret');
    assert.equal(plugin.canSupport(spec), true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 'c', configMap: { name: 'db' } })), false);
    assert.equal(plugin.getVolumeName(spec), 'db');
    assert.equal(plugin.requiresRemount(spec), true);
    assert.deepEqual(plugin.newMounter(spec, pod('x'), {}).getAttributes(), {
      readOnly: true,
      managed: true,
      seLinuxRelabel: true,
    });
    const rv = await plugin.constructVolumeSpec('creds', '/whatever');
    assert.deepEqual(rv.spec.volume, { name: 'creds', secret: { secretName: 'creds' } });
  });

  it('writes the keys on a tmpfs in the AtomicWriter layout, and tears everything down', async () => {
    host.setSecret(secret('db', { username: 'admin', password: 's3cret' }));
    const spec = specFromVolume({ name: 'creds', secret: { secretName: 'db', defaultMode: 0o644 } });
    const m = plugin.newMounter(spec, pod('u1'), {});
    const dir = join(root, 'pods/u1/volumes/kubernetes.io~secret/creds');
    assert.equal(m.getPath(), dir);
    await m.setUp({});

    assert.deepEqual(await readVolumeTree(dir), [
      'd 0755 ..TS/',
      'f 0644 ..TS/password "s3cret"',
      'f 0644 ..TS/username "admin"',
      'l ..data -> ..TS',
      'l password -> ..data/password',
      'l username -> ..data/username',
    ]);
    const mounts = (await mountsUnder(root)).filter((x) => x.path === dir);
    assert.equal(mounts.length, 1);
    assert.equal(mounts[0]?.type, 'tmpfs');
    assert.ok(await exists(join(root, 'pods/u1/plugins/kubernetes.io~empty-dir/wrapped_creds/ready')));
    assert.equal(await fs.readFile(join(dir, 'username'), 'utf8'), 'admin');

    const u = plugin.newUnmounter('creds', 'u1');
    await u.tearDown();
    assert.deepEqual(await mountsUnder(root), []);
    assert.equal(await exists(dir), false);
    assert.equal(await exists(join(root, 'pods/u1/plugins/kubernetes.io~empty-dir/wrapped_creds')), false);
    await u.tearDown();
  });

  it('projects items at nested paths with their own modes', async () => {
    host.setSecret(secret('tls', { 'tls.crt': 'CERT', 'tls.key': 'KEY' }));
    const spec = specFromVolume({
      name: 'tls',
      secret: {
        secretName: 'tls',
        defaultMode: 0o440,
        items: [
          { key: 'tls.key', path: 'private/key.pem', mode: 0o400 },
          { key: 'tls.crt', path: 'cert.pem' },
        ],
      },
    });
    const m = plugin.newMounter(spec, pod('u2'), {});
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(m.getPath()), [
      'd 0755 ..TS/',
      'f 0440 ..TS/cert.pem "CERT"',
      'd 0755 ..TS/private/',
      'f 0400 ..TS/private/key.pem "KEY"',
      'l ..data -> ..TS',
      'l cert.pem -> ..data/cert.pem',
      'l private -> ..data/private',
    ]);
    await plugin.newUnmounter('tls', 'u2').tearDown();
  });

  it('sets up again without rewriting, then picks up a changed Secret and repairs a tampered file', async () => {
    host.setSecret(secret('rot', { token: 'one' }));
    const spec = specFromVolume({ name: 'rot', secret: { secretName: 'rot', defaultMode: 0o644 } });
    const m = plugin.newMounter(spec, pod('u3'), {});
    await m.setUp({});
    const first = await fs.readlink(join(m.getPath(), '..data'));
    await m.setUp({});
    assert.equal(await fs.readlink(join(m.getPath(), '..data')), first, 'unchanged payload, same data dir');
    assert.equal((await mountsUnder(root)).filter((x) => x.path === m.getPath()).length, 1);

    host.setSecret(secret('rot', { token: 'two', extra: 'e' }));
    await m.setUp({});
    const second = await fs.readlink(join(m.getPath(), '..data'));
    assert.notEqual(second, first);
    assert.equal(await exists(join(m.getPath(), first)), false, 'old data dir removed');
    assert.equal(await fs.readFile(join(m.getPath(), 'token'), 'utf8'), 'two');
    assert.equal(await fs.readFile(join(m.getPath(), 'extra'), 'utf8'), 'e');

    await fs.writeFile(join(m.getPath(), second, 'token'), 'tampered');
    await m.setUp({});
    assert.equal(await fs.readFile(join(m.getPath(), 'token'), 'utf8'), 'two');

    host.setSecret(secret('rot', { token: 'three' }));
    await m.setUp({});
    assert.equal(await exists(join(m.getPath(), 'extra')), false, 'dropped key removed');
    await plugin.newUnmounter('rot', 'u3').tearDown();
  });

  it('fails with the lookup error for a missing Secret and mounts nothing', async () => {
    const spec = specFromVolume({ name: 'gone', secret: { secretName: 'nope', defaultMode: 0o644 } });
    const m = plugin.newMounter(spec, pod('u4'), {});
    await assert.rejects(m.setUp({}), { message: 'secret "nope" not found' });
    assert.equal(await exists(m.getPath()), false);
    assert.deepEqual(await mountsUnder(join(root, 'pods/u4')), []);
  });

  it('mounts an empty volume for a missing optional Secret', async () => {
    const spec = specFromVolume({
      name: 'opt',
      secret: { secretName: 'nope', defaultMode: 0o644, optional: true },
    });
    const m = plugin.newMounter(spec, pod('u5'), {});
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(m.getPath()), ['d 0755 ..TS/', 'l ..data -> ..TS']);
    await plugin.newUnmounter('opt', 'u5').tearDown();
  });

  it('fails for a listed key the Secret does not have', async () => {
    host.setSecret(secret('partial', { a: 'A' }));
    const spec = specFromVolume({
      name: 'partial',
      secret: { secretName: 'partial', defaultMode: 0o644, items: [{ key: 'b', path: 'b' }] },
    });
    await assert.rejects(plugin.newMounter(spec, pod('u6'), {}).setUp({}), {
      message: 'references non-existent secret key: b',
    });
  });

  it('gives the files to the pod fsGroup', async () => {
    host.setSecret(secret('grp', { k: 'v' }));
    const spec = specFromVolume({ name: 'grp', secret: { secretName: 'grp', defaultMode: 0o600 } });
    const m = plugin.newMounter(spec, pod('u7'), {});
    await m.setUp({ fsGroup: 1500 });
    const st = await fs.stat(join(m.getPath(), 'k'));
    assert.equal(st.gid, 1500);
    assert.equal(st.mode & 0o777, 0o640);
    await plugin.newUnmounter('grp', 'u7').tearDown();
  });

  it('creates the mount points of volumes nested inside it', async () => {
    host.setSecret(secret('nest', { k: 'v' }));
    const p: Pod = {
      metadata: { name: 'n', namespace: 'ns', uid: 'u8' },
      spec: {
        containers: [
          {
            name: 'c',
            volumeMounts: [
              { name: 'outer', mountPath: '/etc/app' },
              { name: 'inner', mountPath: '/etc/app/sub' },
              { name: 'deeper', mountPath: '/etc/app/sub/deep' },
            ],
          },
        ],
      },
    };
    const m = plugin.newMounter(
      specFromVolume({ name: 'outer', secret: { secretName: 'nest', defaultMode: 0o644 } }),
      p,
      {},
    );
    await m.setUp({});
    assert.ok((await fs.stat(join(m.getPath(), 'sub'))).isDirectory());
    assert.equal(await exists(join(m.getPath(), 'sub/deep')), false);
    await plugin.newUnmounter('outer', 'u8').tearDown();
    assert.deepEqual(await mountsUnder(root), []);
  });

  it('asks for a Memory wrapper (tmpfs) of the pod', async () => {
    const fakeRoot = join(root, 'fake');
    const mounter = new FakeMounter();
    const fakeHost = new FakeVolumeHost({ rootDir: fakeRoot, mounter, secrets: [secret('db', { a: 'b' })] });
    const p2 = new SecretPlugin();
    await fakeHost.initPlugins([p2]);
    const m = p2.newMounter(
      specFromVolume({ name: 'v', secret: { secretName: 'db', defaultMode: 0o644 } }),
      pod('f1'),
      {},
    );
    await m.setUp({});
    assert.deepEqual(
      mounter.callsOf('mount').map((c) => [c.source, c.fstype, c.target]),
      [['tmpfs', 'tmpfs', m.getPath()]],
    );
    assert.deepEqual(fakeHost.secretGets, ['ns/db']);
  });
});
