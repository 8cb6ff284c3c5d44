// Tests of the bundled hostpath driver over its unix socket, for what the conformance suite does not
// stress: persistence across restarts, raw block volumes on loop devices, capacity accounting,
// ephemeral inline volumes, and the mount lifecycle on the real host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CsiClient,
  isCsiAlreadyExists,
  isCsiFailedPrecondition,
  isCsiInvalidArgument,
  isCsiNotFound,
  isCsiResourceExhausted,
  isCsiUnimplemented,
} from '../client.ts';
import type { VolumeCapability } from '../gen/csi/v1/VolumeCapability.ts';
import {
  EphemeralContextKey,
  HostPathDriverName,
  HostPathTopologyKey,
  type RunningHostPathDriver,
  startHostPathDriver,
  stateFileName,
} from './index.ts';

const MiB = 1024 * 1024;
const mountCap: VolumeCapability = { mount: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } };
const blockCap: VolumeCapability = { block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } };

/** Unmounts everything under root (deepest first) and detaches loop devices backed by files under it. */
function cleanupRoot(root: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m?.startsWith(root) === true)
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
  const loops = execFileSync('losetup', ['-a'], { encoding: 'utf8' });
  for (const line of loops.split('\n')) {
    const m = /^(\/dev\/[^:]+):.*\((.*)\)/.exec(line);
    if (m?.[1] !== undefined && m[2]?.startsWith(root)) {
      try {
        execFileSync('losetup', ['-d', m[1]]);
      } catch {
        // already gone
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
}

function loopsOf(file: string): string[] {
  return execFileSync('losetup', ['-j', file], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '');
}

describe('hostpath driver', () => {
  let root: string;
  let stateDir: string;
  let sock: string;
  let driver: RunningHostPathDriver | undefined;
  let client: CsiClient;

  type Extra = { capacityBytes?: number; enableGetSnapshot?: boolean };
  const start = async (extra: Extra = {}): Promise<void> => {
    driver = await startHostPathDriver({ endpoint: `unix://${sock}`, nodeId: 'node-1', stateDir, ...extra });
  };
  const restart = async (extra: Extra = {}): Promise<void> => {
    await driver?.stop();
    await start(extra);
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'kvol-hostpath-'));
    stateDir = join(root, 'state');
    sock = join(root, 'csi.sock');
    await start();
    client = new CsiClient(`unix://${sock}`, { defaultTimeoutMs: 20_000 });
  });

  after(async () => {
    client?.close();
    await driver?.stop();
    cleanupRoot(root);
  });

  it('serves GetSnapshot (spec 1.12) only when enabled, and advertises GET_SNAPSHOT only then', async () => {
    const controllerCaps = async () =>
      (await client.controllerGetCapabilities()).capabilities.map((c) => c.rpc?.type);
    assert.ok(!(await controllerCaps()).includes('GET_SNAPSHOT'), 'off by default (csi-sanity v5.3.1)');
    await assert.rejects(client.getSnapshot({ snapshot_id: 'x' }), (e) => isCsiUnimplemented(e));
    await restart({ enableGetSnapshot: true });
    try {
      assert.ok((await controllerCaps()).includes('GET_SNAPSHOT'));
      const vol = await client.createVolume({
        name: 'getsnap-src',
        capacity_range: { required_bytes: 1024 * 1024 },
        volume_capabilities: [mountCap],
      });
      const snap = await client.createSnapshot({
        name: 'getsnap',
        source_volume_id: vol.volume?.volume_id ?? '',
      });
      const got = await client.getSnapshot({ snapshot_id: snap.snapshot?.snapshot_id ?? '' });
      assert.equal(got.snapshot?.snapshot_id, snap.snapshot?.snapshot_id);
      assert.equal(got.snapshot?.source_volume_id, vol.volume?.volume_id);
      assert.equal(got.snapshot?.ready_to_use, true);
      await assert.rejects(client.getSnapshot({ snapshot_id: 'no-such-snapshot' }), (e) => isCsiNotFound(e));
      await assert.rejects(client.getSnapshot({ snapshot_id: '' }), (e) => isCsiInvalidArgument(e));
      await client.deleteSnapshot({ snapshot_id: snap.snapshot?.snapshot_id ?? '' });
      await client.deleteVolume({ volume_id: vol.volume?.volume_id ?? '' });
    } finally {
      await restart();
    }
  });

  it('identifies itself with topology and serves NodeGetInfo', async () => {
    const info = await client.getPluginInfo();
    assert.equal(info.name, HostPathDriverName);
    const caps = await client.getPluginCapabilities();
    const services = caps.capabilities.map((c) => c.service?.type ?? c.volume_expansion?.type);
    assert.deepEqual(services.sort(), ['CONTROLLER_SERVICE', 'ONLINE', 'VOLUME_ACCESSIBILITY_CONSTRAINTS']);
    const node = await client.nodeGetInfo();
    assert.equal(node.node_id, 'node-1');
    assert.deepEqual(node.accessible_topology?.segments, { [HostPathTopologyKey]: 'node-1' });
    const ctrl = await client.controllerGetCapabilities();
    assert.ok(!ctrl.capabilities.some((c) => c.rpc?.type === 'GET_SNAPSHOT'));
    assert.ok(!ctrl.capabilities.some((c) => c.rpc?.type === 'PUBLISH_UNPUBLISH_VOLUME'));
  });

  it('stages and publishes a mount volume, keeps data across pods and cleans the target up', async () => {
    const { volume } = await client.createVolume({
      name: 'pvc-mount',
      capacity_range: { required_bytes: 10 * MiB },
      volume_capabilities: [mountCap],
    });
    assert.ok(volume);
    const id = volume.volume_id;
    const staging = join(root, 'staging-mount');
    mkdirSync(staging);
    const target = join(root, 'pod1', 'mount');
    mkdirSync(join(root, 'pod1'));
    await client.nodeStageVolume({
      volume_id: id,
      staging_target_path: staging,
      volume_capability: mountCap,
    });
    await client.nodeStageVolume({
      volume_id: id,
      staging_target_path: staging,
      volume_capability: mountCap,
    });
    const pub = {
      volume_id: id,
      staging_target_path: staging,
      target_path: target,
      volume_capability: mountCap,
    };
    await client.nodePublishVolume(pub);
    await client.nodePublishVolume(pub);
    writeFileSync(join(target, 'hello'), 'world');
    await assert.rejects(client.nodePublishVolume({ ...pub, readonly: true }), isCsiAlreadyExists);
    await assert.rejects(
      client.nodePublishVolume({ ...pub, target_path: join(root, 'pod1', 'other') }),
      isCsiFailedPrecondition,
    );
    const stats = await client.nodeGetVolumeStats({ volume_id: id, volume_path: target });
    const bytes = stats.usage.find((u) => u.unit === 'BYTES');
    assert.equal(bytes?.total, String(10 * MiB));
    await assert.rejects(
      client.nodeGetVolumeStats({ volume_id: id, volume_path: join(root, 'nope') }),
      isCsiNotFound,
    );
    await assert.rejects(client.deleteVolume({ volume_id: id }), isCsiFailedPrecondition);
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    assert.equal(existsSync(target), false);
    await client.nodePublishVolume({ ...pub, target_path: join(root, 'pod1', 'again'), readonly: true });
    assert.equal(readFileSync(join(root, 'pod1', 'again', 'hello'), 'utf8'), 'world');
    assert.throws(() => writeFileSync(join(root, 'pod1', 'again', 'ro'), 'x'), /EROFS/);
    await client.nodeUnpublishVolume({ volume_id: id, target_path: join(root, 'pod1', 'again') });
    await client.nodeUnstageVolume({ volume_id: id, staging_target_path: staging });
    await client.nodeUnstageVolume({ volume_id: id, staging_target_path: staging });
    await client.deleteVolume({ volume_id: id });
    await client.deleteVolume({ volume_id: id });
    assert.equal(existsSync(join(stateDir, 'volumes', id)), false);
  });

  it('keeps volumes and snapshots across a restart and never creates a replayed name twice', async () => {
    const req = {
      name: 'pvc-persist',
      capacity_range: { required_bytes: MiB },
      volume_capabilities: [mountCap],
    };
    const first = await client.createVolume(req);
    const id = first.volume?.volume_id ?? '';
    writeFileSync(join(stateDir, 'volumes', id, 'data'), 'kept');
    const snap = await client.createSnapshot({ name: 'snap-persist', source_volume_id: id });
    assert.equal(snap.snapshot?.ready_to_use, true);
    await restart();
    const again = await client.createVolume(req);
    assert.equal(again.volume?.volume_id, id);
    const listed = await client.listVolumes({});
    assert.equal(listed.entries.filter((e) => e.volume?.volume_id === id).length, 1);
    const snaps = await client.listSnapshots({ snapshot_id: snap.snapshot?.snapshot_id ?? '' });
    assert.equal(snaps.entries.length, 1);
    const snapAgain = await client.createSnapshot({ name: 'snap-persist', source_volume_id: id });
    assert.equal(snapAgain.snapshot?.snapshot_id, snap.snapshot?.snapshot_id);
    const restored = await client.createVolume({
      name: 'pvc-restored',
      capacity_range: { required_bytes: MiB },
      volume_capabilities: [mountCap],
      volume_content_source: { snapshot: { snapshot_id: snap.snapshot?.snapshot_id ?? '' } },
    });
    const rid = restored.volume?.volume_id ?? '';
    assert.equal(readFileSync(join(stateDir, 'volumes', rid, 'data'), 'utf8'), 'kept');
    const state = JSON.parse(readFileSync(join(stateDir, stateFileName), 'utf8')) as {
      volumes: { id: string }[];
    };
    assert.ok(state.volumes.some((v) => v.id === rid));
    await client.deleteSnapshot({ snapshot_id: snap.snapshot?.snapshot_id ?? '' });
    await client.deleteVolume({ volume_id: rid });
    await client.deleteVolume({ volume_id: id });
  });

  it('finishes a volume whose creation was interrupted before its directory existed', async () => {
    await driver?.stop();
    const statePath = join(stateDir, stateFileName);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { volumes: unknown[] };
    const id = '00000000-0000-4000-8000-000000000001';
    state.volumes.push({
      id,
      name: 'pvc-interrupted',
      sizeBytes: MiB,
      accessType: 'mount',
      path: join(stateDir, 'volumes', id),
      parameters: {},
      ephemeral: false,
      ready: false,
      createdAtMs: 0,
      controllerPublished: [],
      staged: [],
      published: [],
    });
    writeFileSync(statePath, JSON.stringify(state));
    await start();
    const res = await client.createVolume({
      name: 'pvc-interrupted',
      capacity_range: { required_bytes: MiB },
      volume_capabilities: [mountCap],
    });
    assert.equal(res.volume?.volume_id, id);
    assert.ok(statSync(join(stateDir, 'volumes', id)).isDirectory());
    await client.deleteVolume({ volume_id: id });
  });

  it('publishes a block volume as a block device on a loop device and detaches it on delete', async () => {
    const { volume } = await client.createVolume({
      name: 'pvc-block',
      capacity_range: { required_bytes: 8 * MiB },
      volume_capabilities: [blockCap],
    });
    const id = volume?.volume_id ?? '';
    const image = join(stateDir, 'volumes', `${id}.img`);
    assert.equal(statSync(image).size, 8 * MiB);
    const staging = join(root, 'staging-block');
    mkdirSync(staging);
    await client.nodeStageVolume({
      volume_id: id,
      staging_target_path: staging,
      volume_capability: blockCap,
    });
    assert.equal(loopsOf(image).length, 1);
    mkdirSync(join(root, 'pod-block'));
    const target = join(root, 'pod-block', 'dev');
    const pub = {
      volume_id: id,
      staging_target_path: staging,
      target_path: target,
      volume_capability: blockCap,
    };
    await client.nodePublishVolume(pub);
    await client.nodePublishVolume(pub);
    assert.ok(statSync(target).isBlockDevice());
    await assert.rejects(
      client.nodePublishVolume({
        ...pub,
        volume_capability: mountCap,
        target_path: join(root, 'pod-block', 'm'),
      }),
      isCsiFailedPrecondition,
    );
    const expanded = await client.controllerExpandVolume({
      volume_id: id,
      capacity_range: { required_bytes: 16 * MiB },
    });
    assert.equal(expanded.capacity_bytes, String(16 * MiB));
    assert.equal(expanded.node_expansion_required, false);
    const dev = execFileSync('losetup', ['-j', image], { encoding: 'utf8' }).split(':')[0] ?? '';
    assert.equal(
      execFileSync('blockdev', ['--getsize64', dev], { encoding: 'utf8' }).trim(),
      String(16 * MiB),
    );
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    assert.equal(existsSync(target), false);
    await client.nodeUnstageVolume({ volume_id: id, staging_target_path: staging });
    await client.deleteVolume({ volume_id: id });
    assert.deepEqual(loopsOf(image), []);
    assert.equal(existsSync(image), false);
  });

  it('refuses to delete a block volume that is still staged or published, until its loop device is gone', async () => {
    const { volume } = await client.createVolume({
      name: 'pvc-block-busy',
      capacity_range: { required_bytes: 8 * MiB },
      volume_capabilities: [blockCap],
    });
    const id = volume?.volume_id ?? '';
    const image = join(stateDir, 'volumes', `${id}.img`);
    const staging = join(root, 'staging-block-busy');
    mkdirSync(staging);
    await client.nodeStageVolume({
      volume_id: id,
      staging_target_path: staging,
      volume_capability: blockCap,
    });
    await assert.rejects(client.deleteVolume({ volume_id: id }), isCsiFailedPrecondition);
    assert.equal(loopsOf(image).length, 1, 'the staged loop device stays');
    mkdirSync(join(root, 'pod-block-busy'));
    const target = join(root, 'pod-block-busy', 'dev');
    await client.nodePublishVolume({
      volume_id: id,
      staging_target_path: staging,
      target_path: target,
      volume_capability: blockCap,
    });
    await assert.rejects(client.deleteVolume({ volume_id: id }), isCsiFailedPrecondition);
    assert.ok(statSync(target).isBlockDevice(), 'the published device stays');
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    await assert.rejects(client.deleteVolume({ volume_id: id }), isCsiFailedPrecondition);
    assert.equal(loopsOf(image).length, 1);
    // The loop device went away underneath the driver (a reboot): the stage record is stale.
    execFileSync('losetup', ['-d', loopsOf(image)[0]?.split(':')[0] ?? '']);
    await client.deleteVolume({ volume_id: id });
    assert.equal(existsSync(image), false);
  });

  it('accounts capacity: GetCapacity answers what is left and a volume beyond it is refused', async () => {
    await restart({ capacityBytes: 10 * MiB });
    try {
      assert.equal((await client.getCapacity({})).available_capacity, String(10 * MiB));
      const a = await client.createVolume({
        name: 'cap-a',
        capacity_range: { required_bytes: 6 * MiB },
        volume_capabilities: [mountCap],
      });
      assert.equal((await client.getCapacity({})).available_capacity, String(4 * MiB));
      // external-provisioner's capacity publisher passes a placeholder capability (access mode UNKNOWN).
      const placeholder = await client.getCapacity({
        volume_capabilities: [{ mount: {}, access_mode: { mode: 'UNKNOWN' } }],
      });
      assert.equal(placeholder.available_capacity, String(4 * MiB));
      await assert.rejects(
        client.createVolume({
          name: 'cap-b',
          capacity_range: { required_bytes: 6 * MiB },
          volume_capabilities: [mountCap],
        }),
        isCsiResourceExhausted,
      );
      await assert.rejects(
        client.controllerExpandVolume({
          volume_id: a.volume?.volume_id ?? '',
          capacity_range: { required_bytes: 11 * MiB },
        }),
        isCsiResourceExhausted,
      );
      const other = await client.getCapacity({
        accessible_topology: { segments: { [HostPathTopologyKey]: 'node-2' } },
      });
      assert.equal(other.available_capacity, '0');
      await client.deleteVolume({ volume_id: a.volume?.volume_id ?? '' });
      assert.equal((await client.getCapacity({})).available_capacity, String(10 * MiB));
    } finally {
      await restart();
    }
  });

  it('creates an ephemeral inline volume on publish and deletes it on unpublish', async () => {
    mkdirSync(join(root, 'pod-eph'));
    const target = join(root, 'pod-eph', 'mount');
    const id = 'csi-0123456789abcdef';
    const req = {
      volume_id: id,
      target_path: target,
      volume_capability: mountCap,
      volume_context: { [EphemeralContextKey]: 'true', size: '2Mi', 'csi.storage.k8s.io/pod.name': 'p' },
    };
    await client.nodePublishVolume(req);
    await client.nodePublishVolume(req);
    writeFileSync(join(target, 'f'), 'x');
    const listed = await client.listVolumes({});
    const entry = listed.entries.find((e) => e.volume?.volume_id === id);
    assert.equal(entry?.volume?.capacity_bytes, String(2 * MiB));
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    await client.nodeUnpublishVolume({ volume_id: id, target_path: target });
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(join(stateDir, 'volumes', id)), false);
    assert.ok(!(await client.listVolumes({})).entries.some((e) => e.volume?.volume_id === id));
  });
});
