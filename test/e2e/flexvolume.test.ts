// FlexVolume drivers with `kvol up --volume-plugin-dir`: shell-script drivers installed under the plugin
// dir are found at run time. A non-attachable driver mounts a tmpfs for the pod; an attachable one is
// attached, waited for, device-mounted and bind-mounted into the pod by the node agent (kvol has no
// attach/detach controller, so the agent attaches and detaches), and on deletion unmounted, its device
// unmounted and detached. Broken drivers (non-JSON output, a hang, Failure with exit 1, a missing
// executable) give FailedMount events carrying the driver's message and are retried, while kvol and
// the other pods carry on; installing the missing driver starts its pod.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, Kvol, mountsUnder, unmountUnder } from './harness.ts';

const nodeName = 'kvol-flex-node';

/** Installs `<dir>/<vendor>~<name>/<name>` atomically (written aside, made executable, renamed in). */
function installDriver(pluginDir: string, vendor: string, name: string, script: string): void {
  const dir = join(pluginDir, `${vendor}~${name}`);
  mkdirSync(dir, { recursive: true });
  const tmp = join(pluginDir, `.${name}.tmp`);
  writeFileSync(tmp, script);
  chmodSync(tmp, 0o755);
  renameSync(tmp, join(dir, name));
}

const tmpfsDriver = `#!/bin/sh
# example.com/tmpfs: not attachable; mount puts a tmpfs at the pod's volume dir.
case "$1" in
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;
  mount)
    mkdir -p "$2"
    if mount -t tmpfs -o size=4m tmpfs "$2"; then
      printf '%s' "$3" > "$2/options.json"
      echo '{"status":"Success"}'
    else
      echo '{"status":"Failure","message":"cannot mount tmpfs"}'; exit 1
    fi ;;
  unmount) umount "$2" 2>/dev/null; echo '{"status":"Success"}' ;;
  *) echo '{"status":"Not supported"}' ;;
esac
`;

const attachDriver = (log: string): string => `#!/bin/sh
# example.com/attach: attachable; the device is a tmpfs mounted at the device mount path.
LOG='${log}'
case "$1" in
  init) echo '{"status":"Success","capabilities":{"attach":true}}' ;;
  attach) echo "attach $3" >> "$LOG"; echo '{"status":"Success","device":"/dev/fake-disk"}' ;;
  waitforattach) echo "waitforattach $2" >> "$LOG"; echo "{\\"status\\":\\"Success\\",\\"device\\":\\"$2\\"}" ;;
  mountdevice)
    echo "mountdevice $3" >> "$LOG"
    mkdir -p "$2"
    mount -t tmpfs -o size=4m tmpfs "$2" && echo device-data > "$2/device.txt"
    echo '{"status":"Success"}' ;;
  unmountdevice) echo "unmountdevice" >> "$LOG"; umount "$2"; echo '{"status":"Success"}' ;;
  detach) echo "detach $2 $3" >> "$LOG"; echo '{"status":"Success"}' ;;
  *) echo '{"status":"Not supported"}' ;;
esac
`;

/** A driver whose init and unmount work but whose mount does `mountBody`. */
const brokenDriver = (mountBody: string): string => `#!/bin/sh
case "$1" in
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;
  mount) ${mountBody} ;;
  unmount) umount "$2" 2>/dev/null; echo '{"status":"Success"}' ;;
  *) echo '{"status":"Not supported"}' ;;
esac
`;

function flexPod(name: string, driver: string, options: Record<string, string> = {}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${nodeName}
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    flexVolume:
      driver: ${driver}
      options: ${JSON.stringify(options)}
`;
}

interface EventItem {
  reason: string;
  message: string;
  type: string;
  count?: number;
}

describe('FlexVolume drivers in kvol up', { timeout: 300_000 }, () => {
  const kvol = new Kvol();
  const work = mkdtempSync(join(tmpdir(), 'kvol-flex-'));
  const pluginDir = join(work, 'plugins');
  const attachLog = join(work, 'attach.log');

  before(async () => {
    mkdirSync(pluginDir);
    writeFileSync(attachLog, '');
    installDriver(pluginDir, 'example.com', 'tmpfs', tmpfsDriver);
    installDriver(pluginDir, 'example.com', 'attach', attachDriver(attachLog));
    installDriver(pluginDir, 'example.com', 'nojson', brokenDriver(`echo 'mounted it, I think'`));
    installDriver(pluginDir, 'example.com', 'hang', brokenDriver('sleep 3600'));
    installDriver(
      pluginDir,
      'example.com',
      'fail',
      brokenDriver(`echo '{"status":"Failure","message":"backend out of space"}'; exit 1`),
    );
    // A driver directory without its executable.
    mkdirSync(join(pluginDir, 'example.com~missing'));
    await kvol.start([
      '--node-name',
      nodeName,
      '--volume-plugin-dir',
      pluginDir,
      '--flex-volume-call-timeout',
      '2s',
    ]);
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
  });

  after(async () => {
    await kvol.stop();
    unmountUnder(work);
    rmSync(work, { recursive: true, force: true });
  });

  const podDir = async (pod: string): Promise<string> =>
    join(
      kvol.dataDir,
      'kubelet',
      'pods',
      await kvol.ok(['get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}']),
    );

  const events = async (pod: string): Promise<EventItem[]> =>
    (
      JSON.parse(
        await kvol.ok(['get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'json']),
      ) as { items: EventItem[] }
    ).items;

  /** FailedMount events of the pod whose message matches, counted with their repeats. */
  const failedMounts = async (pod: string, message: RegExp): Promise<number> =>
    (await events(pod))
      .filter((e) => e.type === 'Warning' && e.reason === 'FailedMount' && message.test(e.message))
      .reduce((n, e) => n + (e.count ?? 1), 0);

  it('the node is not annotated as controller-managed: the agent attaches and detaches', async () => {
    const annotations = JSON.parse(
      (await kvol.ok(['get', 'node', nodeName, '-o', 'jsonpath={.metadata.annotations}'])) || '{}',
    ) as Record<string, string>;
    assert.equal(annotations['volumes.kubernetes.io/controller-managed-attach-detach'], undefined);
  });

  it('mounts a non-attachable driver volume for the pod and unmounts it when the pod is deleted', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: flexPod('flex-tmpfs', 'example.com/tmpfs', { color: 'blue' }),
    });
    await kvol.ok(['wait', 'pod/flex-tmpfs', '--for=condition=Ready', '--timeout=60s']);
    assert.equal(await kvol.ok(['get', 'pod', 'flex-tmpfs', '-o', 'jsonpath={.status.phase}']), 'Running');
    const dir = await podDir('flex-tmpfs');
    const vol = join(dir, 'volumes', 'flexvolume-example.com~tmpfs', 'data');
    assert.equal(mountsUnder(vol).find((m) => m.path === vol)?.type, 'tmpfs');
    const options = JSON.parse(readFileSync(join(vol, 'options.json'), 'utf8')) as Record<string, string>;
    assert.equal(options['color'], 'blue');
    assert.equal(options['kubernetes.io/pod.name'], 'flex-tmpfs');
    assert.equal(options['kubernetes.io/pod.namespace'], 'default');
    assert.equal(options['kubernetes.io/pvOrVolumeName'], 'data');
    assert.equal(options['kubernetes.io/readwrite'], 'rw');

    await kvol.ok(['delete', 'pod', 'flex-tmpfs', '--timeout=60s']);
    await eventually(
      () => mountsUnder(dir).length === 0 && !existsSync(dir),
      30_000,
      'the flex volume to be unmounted and the pod dir removed',
    );
  });

  it('attaches, device-mounts and bind-mounts an attachable driver volume; deletion unmounts the device and detaches', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: flexPod('flex-attach', 'example.com/attach', { size: '1G' }),
    });
    await kvol.ok(['wait', 'pod/flex-attach', '--for=condition=Ready', '--timeout=60s']);
    const log = (): string[] =>
      readFileSync(attachLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    assert.deepEqual(log(), [
      `attach ${nodeName}`,
      'waitforattach /dev/fake-disk',
      'mountdevice /dev/fake-disk',
    ]);
    const deviceMountPath = join(
      kvol.dataDir,
      'kubelet',
      'plugins',
      'kubernetes.io',
      'flexvolume',
      'example.com',
      'attach',
      'mounts',
      'data',
    );
    assert.equal(mountsUnder(deviceMountPath).find((m) => m.path === deviceMountPath)?.type, 'tmpfs');
    const dir = await podDir('flex-attach');
    const vol = join(dir, 'volumes', 'flexvolume-example.com~attach', 'data');
    assert.equal(
      readFileSync(join(vol, 'device.txt'), 'utf8'),
      'device-data\n',
      'bind-mounted from the device',
    );
    const inUse = await kvol.ok(['get', 'node', nodeName, '-o', 'jsonpath={.status.volumesInUse}']);
    assert.match(inUse, /flexvolume-example\.com\/attach\/data/);
    assert.ok(
      (await events('flex-attach')).some(
        (e) =>
          e.reason === 'SuccessfulAttachVolume' &&
          e.message === 'AttachVolume.Attach succeeded for volume "data"',
      ),
    );

    await kvol.ok(['delete', 'pod', 'flex-attach', '--timeout=60s']);
    await eventually(
      () => log().includes(`detach data ${nodeName}`),
      30_000,
      'unmountdevice and detach after the pod is gone',
    );
    assert.deepEqual(log().slice(3), ['unmountdevice', `detach data ${nodeName}`]);
    assert.equal(mountsUnder(deviceMountPath).length, 0);
    await eventually(() => mountsUnder(dir).length === 0 && !existsSync(dir), 30_000, 'the pod dir removed');
    await eventually(
      async () => (await kvol.ok(['get', 'node', nodeName, '-o', 'jsonpath={.status.volumesInUse}'])) === '',
      30_000,
      'volumesInUse emptied',
    );
  });

  it('finds the driver again after kvol is killed, reconstructs the mounted volume and tears it down on deletion', async () => {
    writeFileSync(attachLog, '');
    await kvol.ok(['apply', '-f', '-'], { input: flexPod('flex-restart', 'example.com/attach') });
    await kvol.ok(['wait', 'pod/flex-restart', '--for=condition=Ready', '--timeout=60s']);
    const dir = await podDir('flex-restart');
    const vol = join(dir, 'volumes', 'flexvolume-example.com~attach', 'data');
    assert.equal(readFileSync(join(vol, 'device.txt'), 'utf8'), 'device-data\n');

    await kvol.kill9();
    assert.ok(mountsUnder(vol).length > 0, 'the volume stays mounted while kvol is down');
    await kvol.start([
      '--node-name',
      nodeName,
      '--volume-plugin-dir',
      pluginDir,
      '--flex-volume-call-timeout',
      '2s',
    ]);
    await kvol.ok(['wait', 'pod/flex-restart', '--for=condition=Ready', '--timeout=60s']);
    await kvol.ok(['delete', 'pod', 'flex-restart', '--timeout=60s']);
    const log = (): string[] =>
      readFileSync(attachLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    await eventually(
      () => log().includes(`detach data ${nodeName}`),
      30_000,
      `unmountdevice and detach of the reconstructed volume: ${readFileSync(attachLog, 'utf8')}`,
    );
    assert.deepEqual(log().slice(-2), ['unmountdevice', `detach data ${nodeName}`]);
    await eventually(() => mountsUnder(dir).length === 0 && !existsSync(dir), 30_000, 'the pod dir removed');
    assert.equal(mountsUnder(join(kvol.dataDir, 'kubelet', 'plugins')).length, 0);
  });

  it('reports broken drivers as FailedMount with their message, retries, and keeps other pods running', async () => {
    await kvol.ok(['apply', '-f', '-'], {
      input: [
        flexPod('bad-json', 'example.com/nojson'),
        flexPod('bad-hang', 'example.com/hang'),
        flexPod('bad-fail', 'example.com/fail'),
        flexPod('bad-missing', 'example.com/missing'),
        flexPod('good', 'example.com/tmpfs'),
      ].join('---\n'),
    });
    await kvol.ok(['wait', 'pod/good', '--for=condition=Ready', '--timeout=60s']);

    const cases: [string, RegExp][] = [
      [
        'bad-json',
        /^MountVolume\.SetUp failed for volume "data" : .*failed to unmarshal output for command: mount, output: .*mounted it, I think/,
      ],
      ['bad-hang', /^MountVolume\.SetUp failed for volume "data" : .*mount timed out after/],
      [
        'bad-fail',
        /^MountVolume\.SetUp failed for volume "data" : mount command failed, status: Failure, reason: backend out of space$/,
      ],
      [
        'bad-missing',
        /^Unable to attach or mount volumes: unmounted volumes=\[data\].*failed to get Plugin from volumeSpec for volume "data" err=no volume plugin matched/,
      ],
    ];
    for (const [pod, message] of cases) {
      await eventually(
        async () => (await failedMounts(pod, message)) >= 2,
        60_000,
        `two FailedMount events for ${pod} matching ${message}: ${JSON.stringify(await events(pod))}`,
      );
      assert.equal(await kvol.ok(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}']), 'Pending');
    }
    assert.equal(await kvol.ok(['get', 'pod', 'good', '-o', 'jsonpath={.status.phase}']), 'Running');
    assert.equal((await kvol.kubectl(['get', '--raw', '/readyz'])).code, 0, 'kvol still serves');

    // Installing the missing driver starts the pod that waited for it at once (the plugin dir is
    // watched), not after the pod worker's 10 s backoff that just began with the last FailedMount.
    const installedAt = Date.now();
    installDriver(pluginDir, 'example.com', 'missing', tmpfsDriver);
    await kvol.ok(['wait', 'pod/bad-missing', '--for=condition=Ready', '--timeout=60s']);
    const tookMs = Date.now() - installedAt;
    assert.ok(tookMs < 5_000, `the pod started ${tookMs} ms after the driver was installed`);

    await kvol.ok([
      'delete',
      'pod',
      'bad-json',
      'bad-hang',
      'bad-fail',
      'bad-missing',
      'good',
      '--timeout=90s',
    ]);
    await eventually(
      () => mountsUnder(join(kvol.dataDir, 'kubelet', 'pods')).length === 0,
      30_000,
      'no pod mounts left',
    );
  });
});
