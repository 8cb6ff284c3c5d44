// The node agent inside `kvol up`, with real mounts: a pod's volumes are set up where and as the
// kubelet sets them up, the pod becomes Running, ConfigMap edits reach the mounted files, a missing
// ConfigMap holds the pod with FailedMount until it appears, and deleting the pod leaves nothing behind.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, Kvol, mountsUnder, repoRoot, unmountUnder } from './harness.ts';

const nodeName = 'kvol-e2e-node';

describe('the node agent in kvol up', { timeout: 300_000 }, () => {
  const kvol = new Kvol();
  before(async () => {
    await kvol.start(['--node-name', nodeName]);
  });
  after(async () => {
    await kvol.stop();
  });

  const podDir = async (pod: string): Promise<string> =>
    join(
      kvol.dataDir,
      'kubelet',
      'pods',
      await kvol.ok(['get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}']),
    );

  it('registers its node as Ready with a lease', async () => {
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
    const nodes = await kvol.ok(['get', 'nodes']);
    assert.match(nodes, new RegExp(`${nodeName}\\s+Ready\\s`));
    await eventually(
      async () => (await kvol.kubectl(['get', 'lease', nodeName, '-n', 'kube-node-lease'])).code === 0,
      20_000,
      'the node lease',
    );
  });

  it('sets up emptyDir, configMap, secret, downwardAPI, projected and hostPath volumes and runs the pod', async () => {
    const hostDir = join(kvol.dataDir, 'host-data');
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  greeting: hello
  mode: fast
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
stringData:
  password: s3cret
---
apiVersion: v1
kind: Pod
metadata:
  name: volumes
  labels:
    app: demo
spec:
  nodeName: ${nodeName}
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
    - {name: memory, mountPath: /memory}
    - {name: config, mountPath: /config}
    - {name: secret, mountPath: /secret}
    - {name: info, mountPath: /info}
    - {name: all, mountPath: /all}
    - {name: host, mountPath: /host}
  volumes:
  - name: scratch
    emptyDir: {}
  - name: memory
    emptyDir:
      medium: Memory
      sizeLimit: 16Mi
  - name: config
    configMap:
      name: app-config
      items:
      - key: greeting
        path: nested/greeting.txt
  - name: secret
    secret:
      secretName: app-secret
      defaultMode: 0400
  - name: info
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
  - name: all
    projected:
      sources:
      - configMap:
          name: app-config
      - secret:
          name: app-secret
  - name: host
    hostPath:
      path: ${hostDir}
      type: DirectoryOrCreate
`,
    });
    await kvol.ok(['wait', 'pod/volumes', '--for=condition=Ready', '--timeout=60s']);
    assert.equal(await kvol.ok(['get', 'pod', 'volumes', '-o', 'jsonpath={.status.phase}']), 'Running');
    const dir = await podDir('volumes');
    const vol = (plugin: string, name: string): string =>
      join(dir, 'volumes', `kubernetes.io~${plugin}`, name);

    assert.ok(existsSync(vol('empty-dir', 'scratch')));
    assert.ok(existsSync(join(dir, 'plugins', 'kubernetes.io~empty-dir', 'scratch', 'ready')));
    assert.equal(readFileSync(join(vol('configmap', 'config'), 'nested/greeting.txt'), 'utf8'), 'hello');
    assert.equal(readlinkSync(join(vol('configmap', 'config'), 'nested')), '..data/nested');
    assert.match(
      readlinkSync(join(vol('configmap', 'config'), '..data')),
      /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/,
    );
    assert.equal(readFileSync(join(vol('secret', 'secret'), 'password'), 'utf8'), 's3cret');
    assert.equal(readFileSync(join(vol('downward-api', 'info'), 'labels'), 'utf8'), 'app="demo"');
    assert.equal(readFileSync(join(vol('projected', 'all'), 'mode'), 'utf8'), 'fast');
    assert.equal(readFileSync(join(vol('projected', 'all'), 'password'), 'utf8'), 's3cret');
    assert.ok(existsSync(hostDir), 'hostPath DirectoryOrCreate made the directory');

    const mounts = mountsUnder(dir);
    const typeOf = (p: string): string | undefined => mounts.find((m) => m.path === p)?.type;
    assert.equal(typeOf(vol('secret', 'secret')), 'tmpfs', 'secrets live on tmpfs');
    assert.equal(typeOf(vol('empty-dir', 'memory')), 'tmpfs', 'a Memory emptyDir is tmpfs');
    assert.equal(typeOf(vol('configmap', 'config')), undefined, 'configMaps live on disk');
  });

  it("updates a running pod's configMap files in place when the ConfigMap changes", async () => {
    const dir = await podDir('volumes');
    const file = join(dir, 'volumes', 'kubernetes.io~configmap', 'config', 'nested/greeting.txt');
    await kvol.ok([
      'patch',
      'configmap',
      'app-config',
      '--type=merge',
      '-p',
      '{"data":{"greeting":"bonjour"}}',
    ]);
    await eventually(
      () => readFileSync(file, 'utf8') === 'bonjour',
      10_000,
      'the new greeting in the mounted file',
    );
  });

  it('holds a pod with FailedMount while its ConfigMap is missing and starts it once it appears', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata:
  name: waiting
spec:
  nodeName: ${nodeName}
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: config, mountPath: /config}
    - {name: optional, mountPath: /optional}
  volumes:
  - name: config
    configMap:
      name: late-config
  - name: optional
    configMap:
      name: never-there
      optional: true
`,
    });
    await eventually(
      async () =>
        /FailedMount.*MountVolume\.SetUp failed for volume "config" : configmap "late-config" not found/.test(
          await kvol.ok(['describe', 'pod', 'waiting']),
        ),
      30_000,
      'a FailedMount event for the missing ConfigMap',
    );
    assert.equal(await kvol.ok(['get', 'pod', 'waiting', '-o', 'jsonpath={.status.phase}']), 'Pending');
    await kvol.ok(['create', 'configmap', 'late-config', '--from-literal=k=v']);
    await kvol.ok(['wait', 'pod/waiting', '--for=condition=Ready', '--timeout=60s']);
  });

  it('tears every volume down when the pod is deleted and leaves no mount or directory', async () => {
    const dir = await podDir('volumes');
    assert.ok(mountsUnder(dir).length > 0);
    assert.match(await kvol.ok(['delete', 'pod', 'volumes', '--timeout=60s']), /pod "volumes" deleted/);
    await eventually(
      () => mountsUnder(dir).length === 0 && !existsSync(dir),
      30_000,
      'the pod directory to be gone',
    );
  });
});

describe('kvol agent on its own over HTTPS', { timeout: 300_000 }, () => {
  const kvol = new Kvol();
  let agent: ChildProcess | undefined;
  let agentLog = '';
  const rootDir = mkdtempSync(join(tmpdir(), 'kvol-agent-root-'));
  before(async () => {
    await kvol.start(['--node-name', 'server-node']);
    agent = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin/kvol.js'),
        'agent',
        '--kubeconfig',
        kvol.kubeconfig,
        '--node-name',
        'remote-node',
        '--root-dir',
        rootDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    agent.stdout?.on('data', (b: Buffer) => {
      agentLog += b.toString();
    });
    agent.stderr?.on('data', (b: Buffer) => {
      agentLog += b.toString();
    });
  });
  after(async () => {
    if (agent !== undefined && agent.exitCode === null) {
      await new Promise<void>((r) => {
        agent!.once('exit', () => r());
        agent!.kill('SIGINT');
      });
    }
    await kvol.stop();
    unmountUnder(rootDir);
    rmSync(rootDir, { recursive: true, force: true });
  });

  it('registers a second node and mounts the volumes of pods bound to it', async () => {
    await eventually(
      async () => (await kvol.kubectl(['get', 'node', 'remote-node'])).code === 0,
      30_000,
      `the remote node\n${agentLog}`,
    );
    await kvol.ok(['wait', 'node/remote-node', '--for=condition=Ready', '--timeout=60s']);
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Secret
metadata:
  name: remote-secret
stringData:
  token: abc
---
apiVersion: v1
kind: Pod
metadata:
  name: remote
spec:
  nodeName: remote-node
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: s, mountPath: /s}
  volumes:
  - name: s
    secret:
      secretName: remote-secret
`,
    });
    await kvol.ok(['wait', 'pod/remote', '--for=condition=Ready', '--timeout=60s']);
    const uid = await kvol.ok(['get', 'pod', 'remote', '-o', 'jsonpath={.metadata.uid}']);
    const vol = join(rootDir, 'pods', uid, 'volumes', 'kubernetes.io~secret', 's');
    assert.equal(readFileSync(join(vol, 'token'), 'utf8'), 'abc');
    assert.equal(mountsUnder(vol).find((m) => m.path === vol)?.type, 'tmpfs');
    await kvol.ok(['delete', 'pod', 'remote', '--timeout=60s']);
    await eventually(
      () => mountsUnder(join(rootDir, 'pods', uid)).length === 0,
      30_000,
      'the secret to be unmounted',
    );
  });
});
