// csi-sanity v5.3.1 node.go: "Node Service" (23 checks): capabilities, NodeGetInfo, the argument
// errors of publish/unpublish/stage/unstage, NodeGetVolumeStats and NodeExpandVolume, and the full
// lifecycle "should work" and "should be idempotent" (Create -> [ControllerPublish] -> [Stage] ->
// Publish -> [Stats] -> Unpublish -> [Unstage] -> [ControllerUnpublish] -> Delete; the idempotent
// variant repeats every call idempotentCount times).
import assert from 'node:assert/strict';
import { existsSync, lstatSync } from 'node:fs';
import type { CreateVolumeResponse__Output } from '../gen/csi/v1/CreateVolumeResponse.ts';
import { expectCode, grpc, type Resources, skip } from './common.ts';
import type { Group } from './group.ts';

const S = grpc.status;

/** NodeServiceCapability.RPC values csi-sanity v5.3.1 knows. */
const knownNodeCaps = new Set([
  'UNKNOWN',
  'STAGE_UNSTAGE_VOLUME',
  'GET_VOLUME_STATS',
  'EXPAND_VOLUME',
  'VOLUME_CONDITION',
  'SINGLE_NODE_MULTI_WRITER',
  'VOLUME_MOUNT_GROUP',
]);

/** What the Node group's BeforeEach learns from the driver. */
interface NodeEnv {
  providesControllerService: boolean;
  controllerPublish: boolean;
  stage: boolean;
  stats: boolean;
  nodeExpansion: boolean;
  controllerExpansion: boolean;
}

async function nodeEnv(r: Resources): Promise<NodeEnv> {
  const services = await r.ctx.pluginServices();
  const providesControllerService = services.has('CONTROLLER_SERVICE');
  const ccaps = providesControllerService ? await r.ctx.controllerCapabilities() : new Set<string>();
  const ncaps = await r.ctx.nodeCapabilities();
  return {
    providesControllerService,
    controllerPublish: ccaps.has('PUBLISH_UNPUBLISH_VOLUME'),
    stage: ncaps.has('STAGE_UNSTAGE_VOLUME'),
    stats: ncaps.has('GET_VOLUME_STATS'),
    nodeExpansion: ncaps.has('EXPAND_VOLUME'),
    controllerExpansion: ccaps.has('EXPAND_VOLUME'),
  };
}

function pathExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The "[controller publish], [stage], publish" of a created volume on node `nodeId`, each call made
 * `count` times (all controller publishes, then all stages, then all publishes); resolves to the
 * publish context of the last controller publish.
 */
async function publishOnNode(
  r: Resources,
  env: NodeEnv,
  volumeId: string,
  volumeContext: Record<string, string>,
  nodeId: string,
  count = 1,
): Promise<Record<string, string>> {
  let publishContext: Record<string, string> = {};
  if (env.controllerPublish) {
    for (let i = 0; i < count; i++) {
      const res = await r.controllerPublishVolume({
        volume_id: volumeId,
        node_id: nodeId,
        volume_capability: r.ctx.snwCapability(),
        volume_context: volumeContext,
        readonly: false,
        secrets: r.ctx.secrets.controllerPublishVolumeSecret ?? {},
      });
      publishContext = res.publish_context;
    }
  }
  if (env.stage) {
    for (let i = 0; i < count; i++) {
      await r.client.nodeStageVolume({
        volume_id: volumeId,
        volume_capability: r.ctx.snwCapability(),
        staging_target_path: r.paths.stagingDir,
        volume_context: volumeContext,
        publish_context: publishContext,
        secrets: r.ctx.secrets.nodeStageVolumeSecret ?? {},
      });
    }
  }
  for (let i = 0; i < count; i++) {
    await r.client.nodePublishVolume({
      volume_id: volumeId,
      target_path: r.paths.target,
      staging_target_path: env.stage ? r.paths.stagingDir : '',
      volume_capability: r.ctx.snwCapability(),
      volume_context: volumeContext,
      publish_context: publishContext,
      secrets: r.ctx.secrets.nodePublishVolumeSecret ?? {},
    });
  }
  return publishContext;
}

/** Skips the check unless the node advertises `cap`; the message names `what` (default the cap). */
async function requireNodeCap(r: Resources, cap: string, reason: string, what = cap): Promise<void> {
  if (!(await r.ctx.nodeCapabilities()).has(cap)) skip(`${reason}: the driver does not advertise ${what}`);
}

/** The "create, [controller publish], [stage], publish" prefix the node checks share. */
async function createAndPublish(
  r: Resources,
  env: NodeEnv,
  name: string,
): Promise<{ vol: CreateVolumeResponse__Output; volumeId: string }> {
  const vol = await r.mustCreateVolume(r.ctx.createVolumeRequest(name));
  const volumeId = vol.volume?.volume_id ?? '';
  const info = await r.client.nodeGetInfo();
  assert.notEqual(info.node_id, '', 'NodeGetInfo returned no node ID');
  await publishOnNode(r, env, volumeId, vol.volume?.volume_context ?? {}, info.node_id);
  return { vol, volumeId };
}

/**
 * The full lifecycle with every call made `count` times (sanity's runControllerTest repeats stage and
 * publish and leaves the teardown to its cleanup; kvol repeats the teardown calls as well, since the
 * spec requires each of them to be idempotent).
 */
async function fullLifecycle(r: Resources, env: NodeEnv, count: number): Promise<void> {
  const info = await r.client.nodeGetInfo();
  assert.notEqual(info.node_id, '', 'NodeGetInfo returned no node ID');
  const req = r.ctx.createVolumeRequest(r.ctx.uniqueString(`sanity-node-full-${count}`));
  // Topology requirements are honoured when the driver reports the node's topology.
  if (info.accessible_topology !== null)
    req.accessibility_requirements = { requisite: [info.accessible_topology] };

  let vol: CreateVolumeResponse__Output | undefined;
  for (let i = 0; i < count; i++) {
    const res = await r.mustCreateVolume(req);
    if (vol !== undefined)
      assert.equal(res.volume?.volume_id, vol.volume?.volume_id, 'CreateVolume repeated gave another volume');
    vol = res;
  }
  const volumeId = vol?.volume?.volume_id ?? '';
  await publishOnNode(r, env, volumeId, vol?.volume?.volume_context ?? {}, info.node_id, count);
  if (env.stats) {
    const stats = await r.client.nodeGetVolumeStats({ volume_id: volumeId, volume_path: r.paths.target });
    assert.ok(stats.usage.length > 0, 'NodeGetVolumeStats returned no usage');
  }
  for (let i = 0; i < count; i++) {
    await r.client.nodeUnpublishVolume({ volume_id: volumeId, target_path: r.paths.target });
  }
  if (env.stage) {
    for (let i = 0; i < count; i++) {
      await r.client.nodeUnstageVolume({ volume_id: volumeId, staging_target_path: r.paths.stagingDir });
    }
  }
  if (env.controllerPublish) {
    for (let i = 0; i < count; i++) {
      await r.client.controllerUnpublishVolume({
        volume_id: volumeId,
        node_id: info.node_id,
        secrets: r.ctx.secrets.controllerUnpublishVolumeSecret ?? {},
      });
    }
  }
  for (let i = 0; i < count; i++) {
    await r.deleteVolume({ volume_id: volumeId, secrets: r.ctx.secrets.deleteVolumeSecret ?? {} });
  }
}

export function nodeChecks(root: Group): void {
  root.describe('Node Service', (g) => {
    g.describe('NodeGetCapabilities', (d) => {
      d.it('should return appropriate capabilities', async (r) => {
        const res = await r.client.nodeGetCapabilities();
        for (const cap of res.capabilities) {
          assert.ok(cap.rpc !== null && cap.rpc !== undefined, 'capability without rpc');
          assert.ok(knownNodeCaps.has(String(cap.rpc.type)), `Unknown capability: ${String(cap.rpc.type)}`);
        }
      });
    });

    g.describe('NodeGetInfo', (d) => {
      d.it('should return appropriate values', async (r) => {
        const topology = (await r.ctx.pluginServices()).has('VOLUME_ACCESSIBILITY_CONSTRAINTS');
        const info = await r.client.nodeGetInfo();
        assert.notEqual(info.node_id, '', 'node ID is empty');
        assert.ok(Number(info.max_volumes_per_node) >= 0, 'max_volumes_per_node is negative');
        if (topology)
          assert.ok(info.accessible_topology !== null, 'topology advertised but accessible_topology is nil');
      });
    });

    g.describe('NodePublishVolume', (d) => {
      const secrets = (r: Resources) => r.ctx.secrets.nodePublishVolumeSecret ?? {};

      d.it('should fail when no volume id is provided', async (r) => {
        await expectCode(r.client.nodePublishVolume({ secrets: secrets(r) }), S.INVALID_ARGUMENT);
      });

      d.it('should fail when no target path is provided', async (r) => {
        await expectCode(
          r.client.nodePublishVolume({ volume_id: r.ctx.ids.uniqueValidVolumeId(), secrets: secrets(r) }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no volume capability is provided', async (r) => {
        await expectCode(
          r.client.nodePublishVolume({
            volume_id: r.ctx.ids.uniqueValidVolumeId(),
            target_path: r.paths.target,
            secrets: secrets(r),
          }),
          S.INVALID_ARGUMENT,
        );
      });
    });

    g.describe('NodeUnpublishVolume', (d) => {
      d.it('should fail when no volume id is provided', async (r) => {
        await expectCode(r.client.nodeUnpublishVolume({}), S.INVALID_ARGUMENT);
      });

      d.it('should fail when no target path is provided', async (r) => {
        await expectCode(
          r.client.nodeUnpublishVolume({ volume_id: r.ctx.ids.uniqueValidVolumeId() }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should remove target path', async (r) => {
        const env = await nodeEnv(r);
        const { volumeId } = await createAndPublish(
          r,
          env,
          r.ctx.uniqueString('sanity-node-unpublish-volume'),
        );
        assert.ok(
          pathExists(r.paths.target),
          `path ${r.paths.target} should have been created by the CSI driver`,
        );
        await r.client.nodeUnpublishVolume({ volume_id: volumeId, target_path: r.paths.target });
        // The SP MUST delete the file or directory it created at target_path.
        assert.ok(
          !existsSync(r.paths.target),
          `path ${r.paths.target} should have been removed by NodeUnpublishVolume`,
        );
      });
    });

    g.describe('NodeStageVolume', (d) => {
      const gate = (r: Resources) =>
        requireNodeCap(r, 'STAGE_UNSTAGE_VOLUME', 'NodeStageVolume not supported');
      const device = { device: '/dev/mock' };

      d.it('should fail when no volume id is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeStageVolume({
            staging_target_path: r.paths.stagingDir,
            volume_capability: r.ctx.snwCapability(),
            publish_context: device,
            secrets: r.ctx.secrets.nodeStageVolumeSecret ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no staging target path is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeStageVolume({
            volume_id: r.ctx.ids.uniqueValidVolumeId(),
            volume_capability: r.ctx.snwCapability(),
            publish_context: device,
            secrets: r.ctx.secrets.nodeStageVolumeSecret ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no volume capability is provided', async (r) => {
        await gate(r);
        const vol = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-node-stage-nocaps')),
        );
        await expectCode(
          r.client.nodeStageVolume({
            volume_id: vol.volume?.volume_id ?? '',
            staging_target_path: r.paths.stagingDir,
            publish_context: device,
            secrets: r.ctx.secrets.nodeStageVolumeSecret ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });
    });

    g.describe('NodeUnstageVolume', (d) => {
      const gate = (r: Resources) =>
        requireNodeCap(r, 'STAGE_UNSTAGE_VOLUME', 'NodeUnstageVolume not supported');

      d.it('should fail when no volume id is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeUnstageVolume({ staging_target_path: r.paths.stagingDir }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no staging target path is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeUnstageVolume({ volume_id: r.ctx.ids.uniqueValidVolumeId() }),
          S.INVALID_ARGUMENT,
        );
      });
    });

    g.describe('NodeGetVolumeStats', (d) => {
      const gate = (r: Resources) => requireNodeCap(r, 'GET_VOLUME_STATS', 'NodeGetVolume not supported');

      d.it('should fail when no volume id is provided', async (r) => {
        await gate(r);
        await expectCode(r.client.nodeGetVolumeStats({ volume_path: 'some/path' }), S.INVALID_ARGUMENT);
      });

      d.it('should fail when no volume path is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeGetVolumeStats({ volume_id: r.ctx.ids.uniqueValidVolumeId() }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when volume is not found', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeGetVolumeStats({
            volume_id: r.ctx.ids.uniqueValidVolumeId(),
            volume_path: 'some/path',
          }),
          S.NOT_FOUND,
        );
      });

      d.it('should fail when volume does not exist on the specified path', async (r) => {
        await gate(r);
        const env = await nodeEnv(r);
        const { volumeId } = await createAndPublish(
          r,
          env,
          r.ctx.uniqueString('sanity-node-get-volume-stats'),
        );
        await expectCode(
          r.client.nodeGetVolumeStats({ volume_id: volumeId, volume_path: 'some/path' }),
          S.NOT_FOUND,
        );
      });
    });

    g.describe('NodeExpandVolume', (d) => {
      const gate = (r: Resources) =>
        requireNodeCap(r, 'EXPAND_VOLUME', 'NodeExpandVolume not supported', 'the node EXPAND_VOLUME');

      d.it('should fail when no volume id is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeExpandVolume({
            volume_path: r.paths.targetDir,
            volume_capability: r.ctx.snwCapability(),
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no volume path is provided', async (r) => {
        await gate(r);
        const vol = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-node-expand-volume-valid-id')),
        );
        await expectCode(
          r.client.nodeExpandVolume({
            volume_id: vol.volume?.volume_id ?? '',
            volume_capability: r.ctx.snwCapability(),
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when volume is not found', async (r) => {
        await gate(r);
        await expectCode(
          r.client.nodeExpandVolume({ volume_id: r.ctx.ids.uniqueValidVolumeId(), volume_path: 'some/path' }),
          S.NOT_FOUND,
        );
      });

      d.it('should work if node-expand is called after node-publish', async (r) => {
        await gate(r);
        const env = await nodeEnv(r);
        const name = r.ctx.uniqueString('sanity-node-expand-volume');
        const vol = await r.mustCreateVolume(r.ctx.createVolumeRequest(name));
        const volumeId = vol.volume?.volume_id ?? '';
        if (env.controllerExpansion) {
          const res = await r.client.controllerExpandVolume({
            volume_id: volumeId,
            capacity_range: { required_bytes: r.ctx.expandSize },
            secrets: r.ctx.secrets.controllerExpandVolumeSecret ?? {},
          });
          assert.equal(Number(res.capacity_bytes), r.ctx.expandSize);
        }
        const info = await r.client.nodeGetInfo();
        assert.notEqual(info.node_id, '');
        await publishOnNode(r, env, volumeId, vol.volume?.volume_context ?? {}, info.node_id);
        await r.client.nodeExpandVolume({
          volume_id: volumeId,
          volume_path: r.paths.target,
          capacity_range: { required_bytes: r.ctx.expandSize },
        });
      });
    });

    g.it('should work', async (r) => {
      const env = await nodeEnv(r);
      if (!env.providesControllerService) skip('Controller Service not provided: CreateVolume not supported');
      await fullLifecycle(r, env, 1);
    });

    g.it('should be idempotent', async (r) => {
      const env = await nodeEnv(r);
      if (!env.providesControllerService) skip('Controller Service not provided: CreateVolume not supported');
      if (r.ctx.idempotentCount <= 0) skip('idempotentCount is zero or negative');
      await fullLifecycle(r, env, r.ctx.idempotentCount);
    });
  });
}
