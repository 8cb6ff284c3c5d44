// FlexVolume against real shell-script drivers in a temporary plugin directory: the call protocol and
// options for drivers that attach and drivers that do not, the "Not supported" fallbacks, and broken
// drivers (not JSON, hanging, missing, failing) that must give typed errors and never crash. Drivers
// mount real tmpfs filesystems under a temporary root, which the after hook unmounts and removes.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, Pod, Secret } from '../../api/index.ts';
import { FakeClock } from '../../component/index.ts';
import { isAttachableVolumePlugin, VolumePluginMgr } from '../plugins.ts';
import type { Spec } from '../volume.ts';
import { isUncertainProgressError, specFromPersistentVolume, specFromVolume } from '../volume.ts';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_KILL_GRACE_MS,
  decodeDriverStatus,
  FlexVolumeAttachablePlugin,
  FlexVolumePlugin,
  FlexVolumeProber,
  isDriverCallError,
  isDriverTimeoutError,
  isFlexVolumeSpecError,
  isNotSupportedError,
  marshalOptions,
  newFlexVolumePlugin,
  refreshProbedPlugins,
} from './index.ts';
import { cleanupRoot, ExecMounter, TestVolumeHost } from './testing/host.ts';

const root = mkdtempSync(join(tmpdir(), 'kvol-flex-'));
after(async () => {
  await cleanupRoot(root);
});

let seq = 0;
function freshDir(name: string): string {
  const d = join(root, `${name}-${seq++}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Writes `<pluginDir>/<dirName>/<driver>` as a shell script that logs its arguments to logPath. */
function writeDriver(pluginDir: string, dirName: string, logPath: string, cases: string): string {
  const exe = dirName.split('~').pop() ?? dirName;
  const dir = join(pluginDir, dirName);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, exe);
  writeFileSync(
    path,
    `#!/bin/sh
LOG='${logPath}'
{ printf 'CALL'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$LOG"
ok() { echo '{"status":"Success"}'; }
unsupported() { echo '{"status":"Not supported"}'; }
case "$1" in
${cases}
  *) unsupported ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function calls(logPath: string): string[][] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CALL'))
    .map((l) => l.split('\t').slice(1));
}

const commands = (logPath: string): string[] => calls(logPath).map((c) => c[0] ?? '');

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function pod(uid: string, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${uid}`, namespace: 'team-a', uid },
    spec: { containers: [{ name: 'c', image: 'busybox' }], serviceAccountName: 'builder', ...extra },
  } as Pod;
}

function flexSpec(name: string, driver: string, extra: Record<string, unknown> = {}): Spec {
  return specFromVolume({ name, flexVolume: { driver, ...extra } } as never);
}

async function setup(opts: { clock?: FakeClock } = {}) {
  const base = freshDir('case');
  const pluginDir = join(base, 'exec');
  const kubeletRoot = join(base, 'kubelet');
  mkdirSync(pluginDir, { recursive: true });
  const host = new TestVolumeHost({
    root: kubeletRoot,
    mounter: new ExecMounter(),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const mgr = new VolumePluginMgr();
  await mgr.initPlugins([], host);
  const prober = new FlexVolumeProber({ pluginDir, ...(opts.clock ? { clock: opts.clock } : {}) });
  await prober.init();
  return { base, pluginDir, kubeletRoot, host, mgr, prober, log: join(base, 'calls.log') };
}

const tmpfsDriverCases = `
  init) echo '{"status": "Success", "capabilities": {"attach": false, "selinuxRelabel": false, "supportsMetrics": true}}' ;;
  mount) mkdir -p "$2" && mount -t tmpfs -o size=1m kvolflex "$2" && echo hello > "$2/data" && ok ;;
  unmount) umount "$2" && ok ;;`;

describe('driver replies', () => {
  it('decodes replies as encoding/json would: case-insensitive fields, defaults kept, nulls ignored', () => {
    const ds = decodeDriverStatus(
      ' {"Status":"Success","DEVICE":"/dev/sdx","attached":null,"capabilities":{"Attach":false,"supportsMetrics":true},"extra":1}\n',
    );
    assert.equal(ds.status, 'Success');
    assert.equal(ds.device, '/dev/sdx');
    assert.equal(ds.attached, false);
    assert.deepEqual(ds.capabilities, {
      attach: false,
      selinuxRelabel: true,
      supportsMetrics: true,
      fsGroup: true,
      requiresFSResize: true,
    });
  });

  it('rejects output that is not a single JSON object or has fields of the wrong type', () => {
    assert.throws(() => decodeDriverStatus('hello'));
    assert.throws(() => decodeDriverStatus(''));
    assert.throws(() => decodeDriverStatus('{"status":"Success"}\nlog line'));
    assert.throws(() => decodeDriverStatus('["Success"]'), /cannot unmarshal array/);
    assert.throws(
      () => decodeDriverStatus('{"attached":"yes"}'),
      /cannot unmarshal string into Go struct field/,
    );
  });

  it('marshals options as json.Marshal does: sorted keys and HTML-safe escapes', () => {
    assert.equal(marshalOptions({ b: '1', a: '<x&y>' }), '{"a":"\\u003cx\\u0026y\\u003e","b":"1"}');
  });
});

describe('a driver that does not attach', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let plugin: FlexVolumePlugin;
  const driver = 'kvol.test/tmpfs';

  before(async () => {
    env = await setup();
    writeDriver(env.pluginDir, 'kvol.test~tmpfs', env.log, tmpfsDriverCases);
    await refreshProbedPlugins(env.mgr, env.prober);
    plugin = env.mgr.findPluginByName('flexvolume-kvol.test/tmpfs') as FlexVolumePlugin;
  });

  it('is found at run time, initialised once, and is not attachable', async () => {
    assert.ok(plugin instanceof FlexVolumePlugin);
    assert.equal(isAttachableVolumePlugin(plugin), false);
    assert.equal(plugin.capabilities.selinuxRelabel, false);
    assert.deepEqual(await env.prober.probe(), []);
    assert.deepEqual(commands(env.log), ['init']);
    assert.equal(env.mgr.findPluginBySpec(flexSpec('v', driver)), plugin);
    assert.equal(plugin.canSupport(flexSpec('v', 'other/driver')), false);
  });

  it('mounts with `mount <dir> <json>` carrying pod, service account, fsGroup, secret and user options', async () => {
    env.host.secrets.set('team-a/creds', {
      metadata: { name: 'creds', namespace: 'team-a' },
      type: driver,
      data: { password: Buffer.from('s3cret').toString('base64') },
    } as Secret);
    const spec = flexSpec('data', driver, {
      fsType: 'ext4',
      secretRef: { name: 'creds' },
      options: { size: '1m', 'kubernetes.io/fsType': 'user-wins' },
    });
    const m = plugin.newMounter(spec, pod('uid-1'), {});
    await m.setUp({ fsGroup: 1234 });
    const dir = env.host.getPodVolumeDir('uid-1', 'flexvolume-kvol.test/tmpfs', 'data');
    assert.equal(m.getPath(), dir);
    assert.match(dir, /volumes\/flexvolume-kvol\.test~tmpfs\/data$/);
    const call = calls(env.log).find((c) => c[0] === 'mount');
    assert.ok(call);
    assert.equal(call[1], dir);
    const raw = call[2] ?? '';
    assert.deepEqual(JSON.parse(raw), {
      'kubernetes.io/fsType': 'user-wins',
      'kubernetes.io/mounterArgs.FsGroup': '1234',
      'kubernetes.io/pod.name': 'pod-uid-1',
      'kubernetes.io/pod.namespace': 'team-a',
      'kubernetes.io/pod.uid': 'uid-1',
      'kubernetes.io/pvOrVolumeName': 'data',
      'kubernetes.io/readwrite': 'rw',
      'kubernetes.io/secret/password': Buffer.from('s3cret').toString('base64'),
      'kubernetes.io/serviceAccount.name': 'builder',
      size: '1m',
    });
    assert.deepEqual(Object.keys(JSON.parse(raw)), Object.keys(JSON.parse(raw)).sort());
    assert.equal(await readFile(join(dir, 'data'), 'utf8'), 'hello\n');
    // The driver allows fsGroup (the default capability): the kubelet applied it after the mount.
    assert.equal(statSync(join(dir, 'data')).gid, 1234);
    assert.equal(statSync(join(dir, 'data')).mode & 0o060, 0o060);
    assert.deepEqual(m.getAttributes(), { readOnly: false, managed: true, seLinuxRelabel: false });
    // supportsMetrics: statfs of the mount dir (a 1 MiB tmpfs).
    assert.equal((await m.getMetrics?.())?.capacity, 1024 * 1024);
  });

  it('does not call the driver again for a volume that is already mounted', async () => {
    const before = commands(env.log).length;
    await plugin.newMounter(flexSpec('data', driver), pod('uid-1'), {}).setUp({});
    assert.equal(commands(env.log).length, before);
  });

  it('passes readwrite "ro" for a read-only PV and the PV name', async () => {
    const pv = {
      metadata: { name: 'pv-1' },
      spec: { flexVolume: { driver, options: { size: '1m' } } },
    } as PersistentVolume;
    const m = plugin.newMounter(specFromPersistentVolume(pv, true), pod('uid-2'), {});
    await m.setUp({});
    const call =
      calls(env.log)
        .filter((c) => c[0] === 'mount')
        .pop() ?? [];
    const opts = JSON.parse(call[2] ?? '{}') as Record<string, string>;
    assert.equal(opts['kubernetes.io/readwrite'], 'ro');
    assert.equal(opts['kubernetes.io/pvOrVolumeName'], 'pv-1');
    assert.equal(m.getAttributes().readOnly, true);
    await plugin.newUnmounter('pv-1', 'uid-2').tearDown();
  });

  it('unmounts with `unmount <dir>` and removes the directory; a second teardown is a no-op', async () => {
    const u = plugin.newUnmounter('data', 'uid-1');
    await u.tearDown();
    const dir = env.host.getPodVolumeDir('uid-1', 'flexvolume-kvol.test/tmpfs', 'data');
    assert.deepEqual(
      calls(env.log)
        .filter((c) => c[0] === 'unmount')
        .pop(),
      ['unmount', dir],
    );
    assert.equal(existsSync(dir), false);
    const before = commands(env.log).length;
    await u.tearDown();
    assert.equal(commands(env.log).length, before);
  });

  it('refuses a secret whose type is not the driver name, with upstream message', async () => {
    env.host.secrets.set('team-a/opaque', {
      metadata: { name: 'opaque', namespace: 'team-a' },
      type: 'Opaque',
      data: {},
    } as Secret);
    const m = plugin.newMounter(flexSpec('s', driver, { secretRef: { name: 'opaque' } }), pod('uid-3'), {});
    await assert.rejects(m.setUp({}), (err: unknown) => {
      assert.ok(isFlexVolumeSpecError(err));
      assert.equal(
        err.message,
        "couldn't get secret team-a/opaque err: cannot get secret of type kvol.test/tmpfs",
      );
      return true;
    });
    assert.equal(existsSync(m.getPath()), false);
  });

  it('reconstructs a spec naming the driver from the volume name', async () => {
    const r = await plugin.constructVolumeSpec('data', '/whatever');
    assert.deepEqual(r.spec.volume, { name: 'data', flexVolume: { driver } });
    assert.equal(plugin.canSupport(r.spec), true);
  });
});

describe('a driver that attaches', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let plugin: FlexVolumeAttachablePlugin;
  const driver = 'kvol.test/disk';
  const spec = flexSpec('vol-a', driver, { fsType: 'ext4' });

  before(async () => {
    env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~disk',
      env.log,
      `
  init) ok ;;
  attach) echo "{\\"status\\":\\"Success\\",\\"device\\":\\"/dev/kvol-$3\\"}" ;;
  waitforattach) echo "{\\"status\\":\\"Success\\",\\"device\\":\\"$2\\"}" ;;
  isattached) case "$2" in *gone*) echo '{"status":"Success","attached":false}' ;; *) echo '{"status":"Success","attached":true}' ;; esac ;;
  mountdevice) mkdir -p "$2" && mount -t tmpfs -o size=1m kvolflexdev "$2" && echo "$3" > "$2/device" && ok ;;
  unmountdevice) umount "$2" && ok ;;
  detach) ok ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    plugin = env.mgr.findPluginByName('flexvolume-kvol.test/disk') as FlexVolumeAttachablePlugin;
  });

  it('is attachable and device-mountable because init did not say attach: false', () => {
    assert.ok(isAttachableVolumePlugin(plugin));
    assert.equal(env.mgr.findAttachablePluginBySpec(spec), plugin);
    assert.equal(env.mgr.findDeviceMountablePluginBySpec(spec), plugin);
  });

  it('attaches with `attach <json> <node>` and returns the device', async () => {
    const device = await plugin.newAttacher().attach(spec, 'node-1');
    assert.equal(device, '/dev/kvol-node-1');
    const call = calls(env.log).find((c) => c[0] === 'attach') ?? [];
    assert.deepEqual(JSON.parse(call[1] ?? ''), {
      'kubernetes.io/fsType': 'ext4',
      'kubernetes.io/pvOrVolumeName': 'vol-a',
      'kubernetes.io/readwrite': 'rw',
    });
    assert.equal(call[2], 'node-1');
  });

  it('waits with `waitforattach <device> <json>`', async () => {
    const dev = await plugin.newAttacher().waitForAttach(spec, '/dev/kvol-node-1', pod('p1'), 60_000);
    assert.equal(dev, '/dev/kvol-node-1');
    const call = calls(env.log).find((c) => c[0] === 'waitforattach') ?? [];
    assert.equal(call[1], '/dev/kvol-node-1');
    assert.equal(JSON.parse(call[2] ?? '{}')['kubernetes.io/pvOrVolumeName'], 'vol-a');
  });

  it('asks getvolumename once, falls back to the spec name and mounts the device once', async () => {
    const attacher = plugin.newAttacher();
    const path = await attacher.getDeviceMountPath(spec);
    assert.equal(
      path,
      join(env.kubeletRoot, 'plugins', 'kubernetes.io', 'flexvolume', 'kvol.test', 'disk', 'mounts', 'vol-a'),
    );
    await attacher.mountDevice(spec, '/dev/kvol-node-1', path, {});
    await attacher.mountDevice(spec, '/dev/kvol-node-1', await attacher.getDeviceMountPath(spec), {});
    assert.deepEqual(
      calls(env.log)
        .filter((c) => c[0] === 'mountdevice')
        .map((c) => c.slice(0, 3)),
      [['mountdevice', path, '/dev/kvol-node-1']],
    );
    assert.equal(commands(env.log).filter((c) => c === 'getvolumename').length, 1);
    assert.equal(await readFile(join(path, 'device'), 'utf8'), '/dev/kvol-node-1\n');
  });

  it('bind-mounts the device mount path into pods when the driver does not support mount', async () => {
    const m1 = plugin.newMounter(spec, pod('p1'), {});
    const m2 = plugin.newMounter(spec, pod('p2'), {});
    await m1.setUp({});
    await m2.setUp({});
    // "Not supported" is remembered: the second pod's setup does not ask the driver again.
    assert.equal(commands(env.log).filter((c) => c === 'mount').length, 1);
    assert.equal(await readFile(join(m2.getPath(), 'device'), 'utf8'), '/dev/kvol-node-1\n');
    const devicePath = await plugin.newAttacher().getDeviceMountPath(spec);
    assert.deepEqual(
      (await plugin.getDeviceMountRefs(devicePath)).sort(),
      [m1.getPath(), m2.getPath()].sort(),
    );
  });

  it('reports volumes the driver says are gone as detached', async () => {
    const gone = flexSpec('gone-vol', driver);
    const res = await plugin.newAttacher().volumesAreAttached([spec, gone], 'node-1');
    assert.equal(res.get(spec), true);
    assert.equal(res.get(gone), false);
  });

  it('tears pods down itself when unmount is not supported, then unmounts the device and detaches', async () => {
    await plugin.newUnmounter('vol-a', 'p1').tearDown();
    await plugin.newUnmounter('vol-a', 'p2').tearDown();
    const devicePath = await plugin.newAttacher().getDeviceMountPath(spec);
    assert.deepEqual(await plugin.getDeviceMountRefs(devicePath), []);
    const detacher = plugin.newDetacher();
    await detacher.unmountDevice(devicePath);
    await detacher.unmountDevice(devicePath);
    await detacher.detach('vol-a', 'node-1');
    assert.deepEqual(
      calls(env.log).filter((c) => c[0] === 'unmountdevice'),
      [['unmountdevice', devicePath]],
    );
    assert.deepEqual(
      calls(env.log).filter((c) => c[0] === 'detach'),
      [['detach', 'vol-a', 'node-1']],
    );
    assert.equal(existsSync(devicePath), false);
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    assert.equal(mounts.includes(env.base), false);
  });
});

describe('broken drivers', () => {
  it('turns output that is not JSON into an InvalidOutput error naming the command and output', async () => {
    const env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~chatty',
      env.log,
      `
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;
  mount) echo 'mounting things, please wait' ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/chatty');
    const m = plugin.newMounter(flexSpec('v', 'kvol.test/chatty'), pod('u1'), {});
    await assert.rejects(m.setUp({}), (err: unknown) => {
      assert.ok(isDriverCallError(err));
      assert.equal(err.reason, 'InvalidOutput');
      assert.match(
        err.message,
        /^flexvolume driver "kvol\.test\/chatty": failed to unmarshal output for command: mount, output: "mounting things, please wait\\n", error: /,
      );
      return true;
    });
    assert.equal(existsSync(m.getPath()), false);
  });

  it('reports a non-zero exit without a reply with its exit status and output', async () => {
    const env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~exit1',
      env.log,
      `
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;
  mount) echo 'lvcreate: volume group not found' >&2; exit 1 ;;
  unmount) echo '{"status":"Failure","message":"device is busy"}'; exit 1 ;;
  getvolumename) ok; exit 3 ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/exit1') as FlexVolumePlugin;
    const spec = flexSpec('v', 'kvol.test/exit1');
    await assert.rejects(plugin.newMounter(spec, pod('u1'), {}).setUp({}), (err: unknown) => {
      assert.ok(isDriverCallError(err));
      assert.equal(err.reason, 'InvalidOutput');
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /mount failed: exit status 1, output: "lvcreate: volume group not found\\n"/);
      return true;
    });
    mkdirSync(env.host.getPodVolumeDir('u2', plugin.name, 'v'), { recursive: true });
    await assert.rejects(plugin.newUnmounter('v', 'u2').tearDown(), (err: unknown) => {
      assert.ok(isDriverCallError(err));
      assert.equal(err.reason, 'Failure');
      assert.equal(err.message, 'unmount command failed, status: Failure, reason: device is busy');
      return true;
    });
    await assert.rejects(plugin.getVolumeNameFromDriver(spec), (err: unknown) => {
      assert.ok(isDriverCallError(err));
      assert.equal(err.reason, 'DriverBug');
      assert.match(
        err.message,
        /driver bug: getvolumename: exec error \(exit status 3\) but no error in response/,
      );
      return true;
    });
  });

  it('kills a driver that hangs past the call timeout and reports an uncertain timeout', async () => {
    const clock = new FakeClock();
    const env = await setup({ clock });
    const pidFile = join(env.base, 'sleep.pid');
    writeDriver(
      env.pluginDir,
      'kvol.test~hang',
      env.log,
      `
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;
  mount) sleep 1000 & echo $! > '${pidFile}'; wait ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/hang');
    const setUp = plugin.newMounter(flexSpec('v', 'kvol.test/hang'), pod('u1'), {}).setUp({});
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
      'the driver to start',
    );
    const sleepPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(isAlive(sleepPid));
    clock.step(DEFAULT_CALL_TIMEOUT_MS);
    await assert.rejects(setUp, (err: unknown) => {
      assert.ok(isDriverTimeoutError(err));
      assert.ok(isUncertainProgressError(err));
      assert.equal(
        err.message,
        'flexvolume driver "kvol.test/hang": mount timed out after 120s; the driver was killed',
      );
      return true;
    });
    await waitFor(() => !isAlive(sleepPid), 'the driver child to die');
  });

  it('sends SIGKILL after the grace period to a driver that ignores SIGTERM', async () => {
    const clock = new FakeClock();
    const env = await setup({ clock });
    const pidFile = join(env.base, 'sleep.pid');
    writeDriver(
      env.pluginDir,
      'kvol.test~stubborn',
      env.log,
      `
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;
  mount) trap '' TERM; sleep 1000 & echo $! > '${pidFile}'; wait; wait ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/stubborn');
    let settled = false;
    const setUp = plugin.newMounter(flexSpec('v', 'kvol.test/stubborn'), pod('u1'), {}).setUp({});
    setUp.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
      'the driver to start',
    );
    const sleepPid = Number(readFileSync(pidFile, 'utf8'));
    clock.step(DEFAULT_CALL_TIMEOUT_MS);
    // SIGTERM is ignored; the call stays open until the grace period ends.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false);
    assert.ok(isAlive(sleepPid));
    clock.step(DEFAULT_KILL_GRACE_MS);
    await assert.rejects(setUp, (err: unknown) => isDriverTimeoutError(err));
    await waitFor(() => !isAlive(sleepPid), 'the driver child to die');
  });

  it('skips a driver directory without an executable and names the missing file', async () => {
    const env = await setup();
    mkdirSync(join(env.pluginDir, 'kvol.test~ghost'));
    assert.deepEqual(await env.prober.probe(), []);
    const failure = env.prober.failures().get('kvol.test~ghost');
    assert.ok(failure);
    assert.equal(
      failure.message,
      `Error creating Flexvolume plugin from directory kvol.test~ghost, skipping. Error: flexvolume driver "kvol.test/ghost": init: exec ${join(env.pluginDir, 'kvol.test~ghost', 'ghost')}: no such file or directory`,
    );
    assert.throws(
      () => env.mgr.findPluginBySpec(flexSpec('v', 'kvol.test/ghost')),
      /no volume plugin matched/,
    );
  });

  it('reports a driver whose binary disappeared after init, then removes its plugin', async () => {
    const env = await setup();
    const exe = writeDriver(
      env.pluginDir,
      'kvol.test~gone',
      env.log,
      `
  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/gone');
    rmSync(exe);
    const m = plugin.newMounter(flexSpec('v', 'kvol.test/gone'), pod('u1'), {});
    await assert.rejects(m.setUp({}), (err: unknown) => {
      assert.ok(isDriverCallError(err));
      assert.equal(err.reason, 'ExecFailed');
      assert.equal(
        err.message,
        `flexvolume driver "kvol.test/gone": mount: exec ${exe}: no such file or directory`,
      );
      return true;
    });
    await refreshProbedPlugins(env.mgr, env.prober);
    assert.throws(
      () => env.mgr.findPluginByName('flexvolume-kvol.test/gone'),
      /no volume plugin matched name/,
    );
  });

  it('reports a driver that is not executable as permission denied', async () => {
    const env = await setup();
    const exe = writeDriver(env.pluginDir, 'kvol.test~noexec', env.log, '');
    chmodSync(exe, 0o644);
    await assert.rejects(newFlexVolumePlugin(env.pluginDir, 'kvol.test~noexec'), (err: unknown) => {
      assert.ok(isDriverCallError(err));
      assert.equal(err.reason, 'ExecFailed');
      assert.match(err.message, /init: exec .*noexec: permission denied$/);
      return true;
    });
  });

  it('skips a driver whose init fails and keeps the reason', async () => {
    const env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~sick',
      env.log,
      `
  init) echo '{"status":"Failure","message":"kernel module missing"}' ;;`,
    );
    assert.deepEqual(await env.prober.probe(), []);
    assert.match(
      env.prober.failures().get('kvol.test~sick')?.message ?? '',
      /Error: init command failed, status: Failure, reason: kernel module missing$/,
    );
  });

  it('treats every unknown command of a minimal driver as not supported', async () => {
    const env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~minimal',
      env.log,
      `
  init) ok ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/minimal') as FlexVolumeAttachablePlugin;
    const spec = flexSpec('v', 'kvol.test/minimal');
    const attacher = plugin.newAttacher();
    assert.equal(await attacher.attach(spec, 'node-1'), '');
    assert.equal(await attacher.waitForAttach(spec, '/dev/x', pod('u'), 1000), '/dev/x');
    const res = await attacher.volumesAreAttached([spec], 'node-1');
    assert.equal(res.get(spec), true);
    await plugin.newDetacher().detach('v', 'node-1');
    // Without a device there is nothing to mount: the default mountdevice does nothing.
    await attacher.mountDevice(spec, '', await attacher.getDeviceMountPath(spec), {});
    await assert.rejects(plugin.driver.call('attach', []), (err: unknown) => isNotSupportedError(err));
    assert.equal(commands(env.log).filter((c) => c === 'attach').length, 1);
  });
});

describe('expansion', () => {
  it('passes sizes in bytes to expandvolume and expandfs and takes the size the driver reports', async () => {
    const env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~grow',
      env.log,
      `
  init) echo '{"status":"Success","capabilities":{"attach":false,"requiresFSResize":false}}' ;;
  expandvolume) echo '{"status":"Success","volumeNewSize":3221225472}' ;;
  expandfs) ok ;;`,
    );
    await refreshProbedPlugins(env.mgr, env.prober);
    const plugin = env.mgr.findPluginByName('flexvolume-kvol.test/grow') as FlexVolumePlugin;
    const spec = flexSpec('v', 'kvol.test/grow');
    assert.equal(plugin.requiresFSResize(), false);
    assert.equal(await plugin.expandVolumeDevice(spec, '2Gi', '1Gi'), '3Gi');
    assert.equal(
      await plugin.nodeExpand({
        spec,
        devicePath: '/dev/x',
        deviceMountPath: '/mnt/x',
        newSize: '2Gi',
        oldSize: '1Gi',
      }),
      true,
    );
    const [ev, fs] = calls(env.log).filter((c) => c[0]?.startsWith('expand'));
    assert.deepEqual(ev?.slice(2), ['2147483648', '1073741824']);
    assert.deepEqual(fs?.slice(2), ['/dev/x', '/mnt/x', '2147483648', '1073741824']);
  });
});

describe('the prober', () => {
  it('reports new, changed and removed drivers and ignores dot entries and files', async () => {
    const env = await setup();
    writeDriver(
      env.pluginDir,
      'kvol.test~a',
      env.log,
      `  init) echo '{"status":"Success","capabilities":{"attach":false}}' ;;`,
    );
    mkdirSync(join(env.pluginDir, '.hidden~x'));
    writeFileSync(join(env.pluginDir, 'README'), 'not a driver');
    const first = await env.prober.probe();
    assert.deepEqual(
      first.map((e) => [e.op, e.pluginName]),
      [['add-or-update', 'flexvolume-kvol.test/a']],
    );
    assert.deepEqual(await env.prober.probe(), []);

    writeDriver(env.pluginDir, 'kvol.test~a', env.log, `  init) ok ;;`);
    const changed = await env.prober.probe();
    assert.deepEqual(
      changed.map((e) => [e.op, e.pluginName]),
      [['add-or-update', 'flexvolume-kvol.test/a']],
    );
    assert.ok(changed[0]?.plugin instanceof FlexVolumeAttachablePlugin);
    assert.deepEqual(commands(env.log), ['init', 'init']);

    rmSync(join(env.pluginDir, 'kvol.test~a'), { recursive: true });
    const removed = await env.prober.probe();
    assert.deepEqual(
      removed.map((e) => [e.op, e.pluginName]),
      [['remove', 'flexvolume-kvol.test/a']],
    );
  });

  it('recreates a missing plugin directory', async () => {
    const base = freshDir('noprobe');
    const prober = new FlexVolumeProber({ pluginDir: join(base, 'does', 'not', 'exist') });
    await prober.init();
    assert.ok(existsSync(join(base, 'does', 'not', 'exist')));
    assert.deepEqual(await prober.probe(), []);
  });

  it('calls back when a driver is installed while watching', async () => {
    const env = await setup();
    await env.prober.probe();
    const changed = new Promise<void>((resolve) => env.prober.watch(resolve));
    // The watchers do not keep the process alive on their own (persistent: false).
    const keepAlive = setInterval(() => undefined, 1000);
    writeDriver(env.pluginDir, 'kvol.test~late', env.log, `  init) ok ;;`);
    await changed;
    clearInterval(keepAlive);
    env.prober.close();
    await refreshProbedPlugins(env.mgr, env.prober);
    assert.ok(env.mgr.findPluginByName('flexvolume-kvol.test/late'));
  });
});
