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
import { collectDownwardAPIData, DownwardAPIPlugin } from './downwardapi.ts';
import { extractFieldPathAsString, extractResourceValue, formatMap, goQuote } from './fieldpath.ts';

const testPod: Pod = {
  metadata: {
    name: 'web-0',
    namespace: 'shop',
    uid: 'u-123',
    labels: { tier: 'front', app: 'web', 'example.com/zone': 'a' },
    annotations: { note: 'say "hi"\nbye', 'build/ref': 'caf\u00e9' },
  },
  spec: {
    nodeName: 'n1',
    containers: [
      {
        name: 'main',
        resources: {
          limits: { cpu: '1500m', memory: '128Mi' },
          requests: { cpu: '250m', memory: '64Mi', 'ephemeral-storage': '1Gi' },
        },
      },
      { name: 'nolimits' },
    ],
  },
};

describe('downward API field extraction', () => {
  it('quotes values as Go %q does', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('say "hi"\nbye'), '"say \\"hi\\"\\nbye"');
    assert.equal(goQuote('tab\there\\'), '"tab\\there\\\\"');
    assert.equal(goQuote('caf\u00e9 \u4e16'), '"caf\u00e9 \u4e16"');
    assert.equal(goQuote('\u0000\u007f\u200b'), '"\\x00\\x7f\\u200b"');
  });

  it('formats maps as sorted key="value" lines without a trailing newline', () => {
    assert.equal(formatMap({ b: '2', a: '1' }), 'a="1"\nb="2"');
    assert.equal(formatMap({}), '');
    assert.equal(formatMap(undefined), '');
  });

  const fields: [string, string][] = [
    ['metadata.name', 'web-0'],
    ['metadata.namespace', 'shop'],
    ['metadata.uid', 'u-123'],
    ['metadata.labels', 'app="web"\nexample.com/zone="a"\ntier="front"'],
    ['metadata.annotations', 'build/ref="caf\u00e9"\nnote="say \\"hi\\"\\nbye"'],
    ["metadata.labels['tier']", 'front'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['note']", 'say "hi"\nbye'],
  ];
  for (const [path, want] of fields) {
    it(`extracts ${path}`, () => {
      assert.equal(extractFieldPathAsString(testPod, path), want);
    });
  }

  it('refuses fields volumes cannot carry and bad subscripts', () => {
    assert.throws(() => extractFieldPathAsString(testPod, 'spec.nodeName'), {
      message: 'unsupported fieldPath: spec.nodeName',
    });
    assert.throws(() => extractFieldPathAsString(testPod, "metadata.name['x']"), {
      message: 'fieldPath "metadata.name[\'x\']" does not support subscript',
    });
    assert.throws(
      () => extractFieldPathAsString(testPod, "metadata.labels['-bad-']"),
      /invalid key subscript in/,
    );
  });

  const alloc = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' };
  const resources: [string, string, string | undefined, string][] = [
    ['main', 'limits.cpu', undefined, '2'],
    ['main', 'limits.cpu', '1m', '1500'],
    ['main', 'requests.cpu', '1m', '250'],
    ['main', 'requests.cpu', undefined, '1'],
    ['main', 'limits.memory', undefined, String(128 * 1024 * 1024)],
    ['main', 'limits.memory', '1Mi', '128'],
    ['main', 'requests.memory', '1Gi', '1'],
    ['main', 'requests.ephemeral-storage', '1Mi', '1024'],
    ['nolimits', 'limits.cpu', undefined, '4'],
    ['nolimits', 'limits.memory', '1Gi', '8'],
    ['nolimits', 'requests.memory', undefined, '0'],
  ];
  for (const [container, resource, divisor, want] of resources) {
    it(`reads ${resource} of ${container} with divisor ${divisor ?? '1'} as ${want}`, () => {
      const fs =
        divisor === undefined
          ? { containerName: container, resource }
          : { containerName: container, resource, divisor };
      assert.equal(extractResourceValue(fs, testPod, alloc), want);
    });
  }

  it('refuses unknown containers and resources', () => {
    assert.throws(
      () => extractResourceValue({ containerName: 'x', resource: 'limits.cpu' }, testPod, alloc),
      {
        message: 'container x not found',
      },
    );
    assert.throws(
      () => extractResourceValue({ containerName: 'main', resource: 'limits.gpu' }, testPod, alloc),
      {
        message: 'unsupported container resource : limits.gpu',
      },
    );
  });
});

describe('downwardAPI plugin', () => {
  let root: string;
  let host: FakeVolumeHost;
  let plugin: DownwardAPIPlugin;

  before(async () => {
    root = makeTestRoot('downwardapi');
    host = new FakeVolumeHost({
      rootDir: root,
      mounter: new RealMounter(),
      node: { metadata: { name: 'n1' }, status: { allocatable: { cpu: '4', memory: '8Gi' } } },
    });
    plugin = new DownwardAPIPlugin();
    await host.initPlugins([plugin]);
  });

  after(async () => {
    await removeTestRoot(root);
  });

  it('describes itself as upstream does', async () => {
    const spec = specFromVolume({ name: 'info', downwardAPI: { items: [], defaultMode: 0o644 } });
    assert.equal(plugin.name, 'kubernetes.io/downward-api');
    assert.equal(plugin.canSupport(spec), true);
    assert.equal(plugin.canSupport(specFromVolume({ name: 'x', projected: {} })), false);
    assert.equal(plugin.getVolumeName(spec), 'info');
    assert.equal(plugin.requiresRemount(spec), true);
    assert.deepEqual((await plugin.constructVolumeSpec('info', '/x')).spec.volume, {
      name: 'info',
      downwardAPI: {},
    });
  });

  it('writes pod fields and resources on a tmpfs, follows label changes, and tears down', async () => {
    const spec = specFromVolume({
      name: 'info',
      downwardAPI: {
        defaultMode: 0o644,
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'meta/name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o400 },
          {
            path: 'mem',
            resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' },
          },
          { path: 'cpu', resourceFieldRef: { containerName: 'nolimits', resource: 'limits.cpu' } },
        ],
      },
    });
    const m = plugin.newMounter(spec, testPod, {});
    const dir = join(root, 'pods/u-123/volumes/kubernetes.io~downward-api/info');
    assert.equal(m.getPath(), dir);
    await m.setUp({});
    assert.deepEqual(await readVolumeTree(dir), [
      'd 0755 ..TS/',
      'f 0644 ..TS/cpu "4"',
      'f 0644 ..TS/labels "app=\\"web\\"\\nexample.com/zone=\\"a\\"\\ntier=\\"front\\""',
      'f 0644 ..TS/mem "128"',
      'd 0755 ..TS/meta/',
      'f 0400 ..TS/meta/name "web-0"',
      'l ..data -> ..TS',
      'l cpu -> ..data/cpu',
      'l labels -> ..data/labels',
      'l mem -> ..data/mem',
      'l meta -> ..data/meta',
    ]);
    const table = parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter(
      (x) => x.path === dir,
    );
    assert.equal(table[0]?.type, 'tmpfs');

    const relabelled = structuredClone(testPod);
    relabelled.metadata.labels = { app: 'web', tier: 'back' };
    await plugin.newMounter(spec, relabelled, {}).setUp({});
    assert.equal(await fs.readFile(join(dir, 'labels'), 'utf8'), 'app="web"\ntier="back"');

    await plugin.newUnmounter('info', 'u-123').tearDown();
    assert.deepEqual(
      parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8')).filter((x) =>
        x.path.startsWith(root),
      ),
      [],
    );
    await assert.rejects(fs.stat(dir), { code: 'ENOENT' });
  });

  it('reports every failing item in one error and mounts nothing', async () => {
    const mounter = new FakeMounter();
    const fakeHost = new FakeVolumeHost({ rootDir: join(root, 'fake'), mounter });
    const p = new DownwardAPIPlugin();
    await fakeHost.initPlugins([p]);
    await assert.rejects(
      collectDownwardAPIData(
        [
          { path: 'a', fieldRef: { fieldPath: 'spec.nodeName' } },
          { path: 'b', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
        ],
        testPod,
        fakeHost,
        0o644,
      ),
      { message: '[unsupported fieldPath: spec.nodeName, container ghost not found]' },
    );
    const spec = specFromVolume({
      name: 'bad',
      downwardAPI: { defaultMode: 0o644, items: [{ path: 'a', fieldRef: { fieldPath: 'status.podIP' } }] },
    });
    await assert.rejects(p.newMounter(spec, testPod, {}).setUp({}), {
      message: 'unsupported fieldPath: status.podIP',
    });
    assert.deepEqual(mounter.callsOf('mount'), []);
  });
});
