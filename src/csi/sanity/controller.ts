// csi-sanity v5.3.1 controller.go: "Controller Service [Controller Server]" (36 checks, sub-groups
// gated by the controller capabilities exactly as sanity gates them), the snapshot groups
// (CreateSnapshot 5, DeleteSnapshot 3, ListSnapshots 7), "ExpandVolume" (3) and "ModifyVolume" (6),
// plus one kvol check: ListVolumes pagination through every page.
import assert from 'node:assert/strict';
import {
  expectCode,
  grpc,
  maxNameLength,
  mustCreateReadySnapshot,
  type Resources,
  skip,
  verifySnapshotInfo,
} from './common.ts';
import type { Group } from './group.ts';

const S = grpc.status;

/** ControllerServiceCapability.RPC values csi-sanity v5.3.1 knows. */
const knownControllerCaps = new Set([
  'CREATE_DELETE_VOLUME',
  'PUBLISH_UNPUBLISH_VOLUME',
  'LIST_VOLUMES',
  'GET_CAPACITY',
  'CREATE_DELETE_SNAPSHOT',
  'LIST_SNAPSHOTS',
  'PUBLISH_READONLY',
  'CLONE_VOLUME',
  'EXPAND_VOLUME',
  'MODIFY_VOLUME',
  'LIST_VOLUMES_PUBLISHED_NODES',
  'GET_VOLUME',
  'VOLUME_CONDITION',
  'SINGLE_NODE_MULTI_WRITER',
]);
const spec112ControllerCaps = new Set(['GET_SNAPSHOT']);

/** Skips the check unless the driver advertises the controller capability. */
export async function requireControllerCap(r: Resources, cap: string, reason: string): Promise<void> {
  const caps = await r.ctx.controllerCapabilities();
  assert.ok(caps.size > 0, 'ControllerGetCapabilities returned no capabilities');
  if (!caps.has(cap)) skip(`${reason}: the driver does not advertise ${cap}`);
}

function volumeId(res: { volume: { volume_id: string } | null }): string {
  return res.volume?.volume_id ?? '';
}

export function controllerChecks(root: Group): void {
  root.describe('Controller Service [Controller Server]', (g) => {
    g.describe('ControllerGetCapabilities', (d) => {
      d.it('should return appropriate capabilities', async (r) => {
        const res = await r.client.controllerGetCapabilities();
        // Go's nil-slice check: sanity fails a driver that returns no capabilities at all.
        assert.ok(res.capabilities.length > 0, 'ControllerGetCapabilities returned no capabilities');
        for (const cap of res.capabilities) {
          assert.ok(cap.rpc !== null && cap.rpc !== undefined, 'capability without rpc');
          const type = String(cap.rpc.type);
          const known =
            knownControllerCaps.has(type) ||
            (r.ctx.config.acceptSpec112Capabilities === true && spec112ControllerCaps.has(type));
          assert.ok(known, `Unknown capability: ${type}`);
        }
      });
    });

    g.describe('GetCapacity', (d) => {
      d.it('should return capacity (no optional values added)', async (r) => {
        await requireControllerCap(r, 'GET_CAPACITY', 'GetCapacity not supported');
        await r.client.getCapacity({});
      });
    });

    g.describe('ListVolumes', (d) => {
      d.it('should return appropriate values (no optional values added)', async (r) => {
        await requireControllerCap(r, 'LIST_VOLUMES', 'ListVolumes not supported');
        const res = await r.client.listVolumes({});
        for (const e of res.entries) {
          assert.ok(e.volume !== null, 'entry without volume');
          assert.notEqual(e.volume.volume_id, '', 'volume ID is empty');
        }
      });

      d.it('should fail when an invalid starting_token is passed', async (r) => {
        await requireControllerCap(r, 'LIST_VOLUMES', 'ListVolumes not supported');
        await expectCode(r.client.listVolumes({ starting_token: 'invalid-token' }), S.ABORTED);
      });

      d.it('check the presence of new volumes and absence of deleted ones in the volume list', async (r) => {
        await requireControllerCap(r, 'LIST_VOLUMES', 'ListVolumes not supported');
        const before = (await r.client.listVolumes({})).entries.length;
        const vol = await r.mustCreateVolume({
          name: 'sanity',
          volume_capabilities: [r.ctx.snwCapability()],
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });
        assert.equal((await r.client.listVolumes({})).entries.length, before + 1);
        await r.deleteVolume({ volume_id: volumeId(vol), secrets: r.ctx.secrets.deleteVolumeSecret ?? {} });
        assert.equal((await r.client.listVolumes({})).entries.length, before);
      });

      d.disabled(
        'pagination should detect volumes added between pages and accept tokens when the last volume from a page is deleted',
        'disabled (XIt) in csi-sanity v5.3.1 as fragile (kubernetes-csi/csi-test#223); see the kvol pagination check',
      );

      d.it('pages through every volume with max_entries and next_token (kvol)', async (r) => {
        await requireControllerCap(r, 'LIST_VOLUMES', 'ListVolumes not supported');
        const created = new Set<string>();
        for (let i = 0; i < 3; i++) {
          created.add(
            volumeId(
              await r.mustCreateVolume(r.ctx.createVolumeRequest(r.ctx.uniqueString(`sanity-page-${i}`))),
            ),
          );
        }
        const seen: string[] = [];
        let token = '';
        let pages = 0;
        do {
          const res = await r.client.listVolumes({ max_entries: 2, starting_token: token });
          assert.ok(res.entries.length <= 2, `page of ${res.entries.length} entries with max_entries 2`);
          if (pages === 0) {
            assert.equal(res.entries.length, 2, 'first page is not full although 3 volumes exist');
            assert.notEqual(res.next_token, '', 'no next_token although more volumes exist');
          }
          seen.push(...res.entries.map((e) => e.volume?.volume_id ?? ''));
          token = res.next_token;
          pages++;
          assert.ok(pages < 1000, 'ListVolumes pagination does not end');
        } while (token !== '');
        assert.equal(new Set(seen).size, seen.length, `duplicate volumes across pages: ${seen.join(', ')}`);
        for (const id of created) assert.ok(seen.includes(id), `volume ${id} missing from the pages`);
      });
    });

    g.describe('CreateVolume', (d) => {
      const gate = (r: Resources) =>
        requireControllerCap(r, 'CREATE_DELETE_VOLUME', 'CreateVolume not supported');

      d.it('should fail when no name is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.createVolume({
            secrets: r.ctx.secrets.createVolumeSecret ?? {},
            parameters: r.ctx.config.testVolumeParameters ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no volume capabilities are provided', async (r) => {
        await gate(r);
        await expectCode(
          r.createVolume({
            name: r.ctx.uniqueString('sanity-controller-create-no-volume-capabilities'),
            secrets: r.ctx.secrets.createVolumeSecret ?? {},
            parameters: r.ctx.config.testVolumeParameters ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should return appropriate values SingleNodeWriter NoCapacity', async (r) => {
        await gate(r);
        await r.mustCreateVolume({
          name: r.ctx.uniqueString('sanity-controller-create-single-no-capacity'),
          volume_capabilities: [r.ctx.snwCapability()],
          capacity_range: { required_bytes: r.ctx.size },
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });
      });

      d.it('should return appropriate values SingleNodeWriter WithCapacity 1Gi', async (r) => {
        await gate(r);
        let vol: Awaited<ReturnType<Resources['createVolume']>>;
        try {
          vol = await r.createVolume({
            name: r.ctx.uniqueString('sanity-controller-create-single-with-capacity'),
            volume_capabilities: [r.ctx.snwCapability()],
            capacity_range: { required_bytes: r.ctx.size },
            secrets: r.ctx.secrets.createVolumeSecret ?? {},
            parameters: r.ctx.config.testVolumeParameters ?? {},
          });
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === S.OUT_OF_RANGE || code === S.UNIMPLEMENTED) skip('Required bytes not supported');
          throw err;
        }
        assert.notEqual(volumeId(vol), '');
        const cap = Number(vol.volume?.capacity_bytes ?? 0);
        assert.ok(cap === 0 || cap >= r.ctx.size, `capacity ${cap} below the requested ${r.ctx.size}`);
      });

      d.it(
        'should not fail when requesting to create a volume with already existing name and same capacity',
        async (r) => {
          await gate(r);
          const req = {
            name: r.ctx.uniqueString('sanity-controller-create-twice'),
            volume_capabilities: [r.ctx.snwCapability()],
            capacity_range: { required_bytes: r.ctx.size },
            secrets: r.ctx.secrets.createVolumeSecret ?? {},
            parameters: r.ctx.config.testVolumeParameters ?? {},
          };
          const vol1 = await r.mustCreateVolume(req);
          const cap1 = Number(vol1.volume?.capacity_bytes ?? 0);
          assert.ok(cap1 === 0 || cap1 >= r.ctx.size);
          const vol2 = await r.mustCreateVolume(req);
          const cap2 = Number(vol2.volume?.capacity_bytes ?? 0);
          assert.ok(cap2 === 0 || cap2 >= r.ctx.size);
          assert.equal(volumeId(vol2), volumeId(vol1), 'same name gave a different volume');
        },
      );

      d.it(
        'should fail when requesting to create a volume with already existing name and different capacity',
        async (r) => {
          await gate(r);
          const name = r.ctx.uniqueString('sanity-controller-create-twice-different');
          const base = {
            name,
            volume_capabilities: [r.ctx.snwCapability()],
            secrets: r.ctx.secrets.createVolumeSecret ?? {},
            parameters: r.ctx.config.testVolumeParameters ?? {},
          };
          await r.mustCreateVolume({
            ...base,
            capacity_range: { required_bytes: r.ctx.size, limit_bytes: r.ctx.size },
          });
          const size2 = 2 * r.ctx.size;
          await expectCode(
            r.createVolume({ ...base, capacity_range: { required_bytes: size2, limit_bytes: size2 } }),
            S.ALREADY_EXISTS,
          );
        },
      );

      d.it('should not fail when creating volume with maximum-length name', async (r) => {
        await gate(r);
        const name = r.ctx.uniqueStringWithLength('sanity-controller-create-maxlen', maxNameLength);
        assert.equal(name.length, maxNameLength);
        const vol = await r.mustCreateVolume({
          name,
          volume_capabilities: [r.ctx.snwCapability()],
          capacity_range: { required_bytes: r.ctx.size },
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });
        const cap = Number(vol.volume?.capacity_bytes ?? 0);
        assert.ok(cap === 0 || cap >= r.ctx.size);
      });

      d.it('should create volume from an existing source snapshot', async (r) => {
        await gate(r);
        await requireControllerCap(r, 'CREATE_DELETE_SNAPSHOT', 'Snapshot not supported');
        const vol1 = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-controller-source-vol')),
        );
        const snap = await mustCreateReadySnapshot(
          r,
          r.ctx.createSnapshotRequest(r.ctx.uniqueString('sanity-controller-snap-from-vol'), volumeId(vol1)),
        );
        const req = r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-controller-vol-from-snap'));
        req.volume_content_source = { snapshot: { snapshot_id: snap.snapshot?.snapshot_id ?? '' } };
        const vol2 = await r.createVolume(req);
        assert.ok(
          vol2.volume?.content_source !== null && vol2.volume?.content_source !== undefined,
          'content_source is nil',
        );
      });

      d.it('should fail when the volume source snapshot is not found', async (r) => {
        await gate(r);
        await requireControllerCap(r, 'CREATE_DELETE_SNAPSHOT', 'Snapshot not supported');
        const req = r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-controller-vol-from-snap'));
        req.volume_content_source = { snapshot: { snapshot_id: 'non-existing-snapshot-id' } };
        await expectCode(r.createVolume(req), S.NOT_FOUND);
      });

      d.it('should create volume from an existing source volume', async (r) => {
        await gate(r);
        await requireControllerCap(r, 'CLONE_VOLUME', 'Volume Cloning not supported');
        const vol1 = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-controller-source-vol')),
        );
        const req = r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-controller-vol-from-vol'));
        req.volume_content_source = { volume: { volume_id: volumeId(vol1) } };
        await r.createVolume(req);
      });

      d.it('should fail when the volume source volume is not found', async (r) => {
        await gate(r);
        await requireControllerCap(r, 'CLONE_VOLUME', 'Volume Cloning not supported');
        const req = r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-controller-vol-from-snap'));
        req.volume_content_source = { volume: { volume_id: r.ctx.ids.uniqueValidVolumeId() } };
        await expectCode(r.createVolume(req), S.NOT_FOUND);
      });

      d.it('should create volume with a volume attribute class', async (r) => {
        await gate(r);
        await requireControllerCap(r, 'MODIFY_VOLUME', 'Modify volume not supported');
        const req = r.ctx.createVolumeRequest(
          r.ctx.uniqueString('sanity-controller-vol-with-mutable-parameters'),
        );
        req.mutable_parameters = r.ctx.config.testVolumeMutableParameters ?? {};
        await r.createVolume(req);
      });

      d.it('should not create volume with an invalid volume attribute class', async (r) => {
        await gate(r);
        await requireControllerCap(r, 'MODIFY_VOLUME', 'Modify Volume not supported');
        const req = r.ctx.createVolumeRequest(
          r.ctx.uniqueString('sanity-controller-vol-with-mutable-parameters'),
        );
        req.mutable_parameters = { XXX_FakeKey: 'XXX_FakeValue' };
        await expectCode(r.createVolume(req), S.INVALID_ARGUMENT);
      });
    });

    g.describe('DeleteVolume', (d) => {
      const gate = (r: Resources) =>
        requireControllerCap(r, 'CREATE_DELETE_VOLUME', 'DeleteVolume not supported');

      d.it('should fail when no volume id is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.deleteVolume({ secrets: r.ctx.secrets.deleteVolumeSecret ?? {} }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should succeed when an invalid volume id is used', async (r) => {
        await gate(r);
        await r.deleteVolume({
          volume_id: r.ctx.ids.invalidVolumeId(),
          secrets: r.ctx.secrets.deleteVolumeSecret ?? {},
        });
      });

      d.it('should return appropriate values (no optional values added)', async (r) => {
        await gate(r);
        const vol = await r.mustCreateVolume({
          name: r.ctx.uniqueString('sanity-controller-create-appropriate'),
          volume_capabilities: [r.ctx.snwCapability()],
          capacity_range: { required_bytes: r.ctx.size },
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });
        await r.deleteVolume({ volume_id: volumeId(vol), secrets: r.ctx.secrets.deleteVolumeSecret ?? {} });
      });
    });

    g.describe('ValidateVolumeCapabilities', (d) => {
      const secrets = (r: Resources) => r.ctx.secrets.controllerValidateVolumeCapabilitiesSecret ?? {};
      const createSnw = (r: Resources, name: string) =>
        r.mustCreateVolume({
          name: r.ctx.uniqueString(name),
          volume_capabilities: [r.ctx.snwCapability()],
          capacity_range: { required_bytes: r.ctx.size },
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });

      d.it('should fail when no volume id is provided', async (r) => {
        await expectCode(r.client.validateVolumeCapabilities({ secrets: secrets(r) }), S.INVALID_ARGUMENT);
      });

      d.it('should fail when no volume capabilities are provided', async (r) => {
        const vol = await createSnw(r, 'sanity-controller-validate-nocaps');
        await expectCode(
          r.client.validateVolumeCapabilities({ volume_id: volumeId(vol), secrets: secrets(r) }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should return appropriate values (no optional values added)', async (r) => {
        const vol = await createSnw(r, 'sanity-controller-validate');
        const res = await r.client.validateVolumeCapabilities({
          volume_id: volumeId(vol),
          volume_capabilities: [r.ctx.snwCapability()],
          secrets: secrets(r),
        });
        // A confirmation must list the confirmed capabilities.
        if (res.confirmed !== null) {
          assert.ok(res.confirmed.volume_capabilities.length > 0, 'confirmed without volume_capabilities');
        }
      });

      d.it('should fail when the requested volume does not exist', async (r) => {
        await expectCode(
          r.client.validateVolumeCapabilities({
            volume_id: r.ctx.ids.uniqueValidVolumeId(),
            volume_capabilities: [r.ctx.snwCapability()],
            secrets: secrets(r),
          }),
          S.NOT_FOUND,
        );
      });
    });

    g.describe('ControllerPublishVolume', (d) => {
      const gate = (r: Resources) =>
        requireControllerCap(r, 'PUBLISH_UNPUBLISH_VOLUME', 'ControllerPublishVolume not supported');
      const secrets = (r: Resources) => r.ctx.secrets.controllerPublishVolumeSecret ?? {};

      d.it('should fail when no volume id is provided', async (r) => {
        await gate(r);
        await expectCode(r.controllerPublishVolume({ secrets: secrets(r) }), S.INVALID_ARGUMENT);
      });

      d.it('should fail when no node id is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.controllerPublishVolume({ volume_id: r.ctx.ids.uniqueValidVolumeId(), secrets: secrets(r) }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when no volume capability is provided', async (r) => {
        await gate(r);
        await expectCode(
          r.controllerPublishVolume({
            volume_id: r.ctx.ids.uniqueValidVolumeId(),
            node_id: r.ctx.ids.uniqueValidNodeId(),
            secrets: secrets(r),
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when publishing more volumes than the node max attach limit', async (r) => {
        await gate(r);
        if (r.ctx.config.testNodeVolumeAttachLimit !== true) skip('testnodevolumeattachlimit not enabled');
        const info = await r.client.nodeGetInfo();
        const max = Number(info.max_volumes_per_node);
        if (max <= 0) skip('No MaxVolumesPerNode');
        assert.notEqual(info.node_id, '');
        for (let i = 0; i < max; i++) {
          const vol = await r.mustCreateVolume(
            r.ctx.createVolumeRequest(r.ctx.uniqueString(`sanity-max-attach-limit-vol-${i}`)),
          );
          await r.controllerPublishVolume({
            volume_id: volumeId(vol),
            node_id: info.node_id,
            volume_capability: r.ctx.snwCapability(),
            readonly: false,
            secrets: secrets(r),
          });
        }
        const extra = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-max-attach-limit-vol+1')),
        );
        await assert.rejects(
          r.controllerPublishVolume({
            volume_id: volumeId(extra),
            node_id: info.node_id,
            volume_capability: r.ctx.snwCapability(),
            readonly: false,
            secrets: secrets(r),
          }),
          'publishing one volume more than max_volumes_per_node succeeded',
        );
      });

      d.it('should fail when the volume does not exist', async (r) => {
        await gate(r);
        await expectCode(
          r.controllerPublishVolume({
            volume_id: r.ctx.ids.uniqueValidVolumeId(),
            node_id: r.ctx.ids.uniqueValidNodeId(),
            volume_capability: r.ctx.snwCapability(),
            readonly: false,
            secrets: secrets(r),
          }),
          S.NOT_FOUND,
        );
      });

      d.it('should fail when the node does not exist', async (r) => {
        await gate(r);
        const vol = await r.mustCreateVolume({
          name: r.ctx.uniqueString('sanity-controller-wrong-node'),
          volume_capabilities: [r.ctx.snwCapability()],
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });
        await expectCode(
          r.controllerPublishVolume({
            volume_id: volumeId(vol),
            node_id: r.ctx.ids.uniqueValidNodeId(),
            volume_capability: r.ctx.snwCapability(),
            readonly: false,
            secrets: secrets(r),
          }),
          S.NOT_FOUND,
        );
      });

      d.it('should fail when the volume is already published but is incompatible', async (r) => {
        await gate(r);
        await requireControllerCap(
          r,
          'PUBLISH_READONLY',
          'ControllerPublishVolume.readonly field not supported',
        );
        const vol = await r.mustCreateVolume({
          name: r.ctx.uniqueString('sanity-controller-published-incompatible'),
          volume_capabilities: [r.ctx.snwCapability()],
          secrets: r.ctx.secrets.createVolumeSecret ?? {},
          parameters: r.ctx.config.testVolumeParameters ?? {},
        });
        const info = await r.client.nodeGetInfo();
        assert.notEqual(info.node_id, '');
        const req = {
          volume_id: volumeId(vol),
          node_id: info.node_id,
          volume_capability: r.ctx.snwCapability(),
          readonly: false,
          secrets: secrets(r),
        };
        await r.controllerPublishVolume(req);
        await expectCode(r.controllerPublishVolume({ ...req, readonly: true }), S.ALREADY_EXISTS);
      });
    });

    g.describe('volume lifecycle', (d) => {
      const gate = (r: Resources) =>
        requireControllerCap(
          r,
          'PUBLISH_UNPUBLISH_VOLUME',
          'Controller Publish, UnpublishVolume not supported',
        );

      d.it('should work', async (r) => {
        await gate(r);
        await controllerVolumeLifecycle(r, 1);
      });

      d.it('should be idempotent', async (r) => {
        await gate(r);
        await controllerVolumeLifecycle(r, r.ctx.idempotentCount);
      });
    });

    g.describe('ControllerUnpublishVolume', (d) => {
      d.it('should fail when no volume id is provided', async (r) => {
        await requireControllerCap(r, 'PUBLISH_UNPUBLISH_VOLUME', 'ControllerUnpublishVolume not supported');
        await expectCode(
          r.client.controllerUnpublishVolume({
            secrets: r.ctx.secrets.controllerUnpublishVolumeSecret ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });
    });
  });

  snapshotChecks(root);
  expandChecks(root);
  modifyChecks(root);
}

/**
 * sanity's VolumeLifecycle: create (with the node's topology as requisite) and ControllerPublish
 * `count` times; kvol also repeats ControllerUnpublish and DeleteVolume `count` times, which the
 * spec requires to be idempotent too (sanity leaves those to its cleanup).
 */
async function controllerVolumeLifecycle(r: Resources, count: number): Promise<void> {
  const info = await r.client.nodeGetInfo();
  assert.notEqual(info.node_id, '', 'NodeGetInfo returned no node ID');
  const req = {
    name: r.ctx.uniqueString(`sanity-controller-publish-${count}`),
    volume_capabilities: [r.ctx.snwCapability()],
    secrets: r.ctx.secrets.createVolumeSecret ?? {},
    parameters: r.ctx.config.testVolumeParameters ?? {},
    ...(info.accessible_topology !== null
      ? { accessibility_requirements: { requisite: [info.accessible_topology] } }
      : {}),
  };
  const vol = await r.mustCreateVolume(req);
  const id = volumeId(vol);
  for (let i = 0; i < count; i++) {
    await r.controllerPublishVolume({
      volume_id: id,
      node_id: info.node_id,
      volume_capability: r.ctx.snwCapability(),
      volume_context: vol.volume?.volume_context ?? {},
      readonly: false,
      secrets: r.ctx.secrets.controllerPublishVolumeSecret ?? {},
    });
  }
  for (let i = 0; i < count; i++) {
    await r.client.controllerUnpublishVolume({
      volume_id: id,
      node_id: info.node_id,
      secrets: r.ctx.secrets.controllerUnpublishVolumeSecret ?? {},
    });
  }
  for (let i = 0; i < count; i++) {
    await r.deleteVolume({ volume_id: id, secrets: r.ctx.secrets.deleteVolumeSecret ?? {} });
  }
}

function snapshotChecks(root: Group): void {
  root.describe('ListSnapshots [Controller Server]', (d) => {
    const gate = (r: Resources) => requireControllerCap(r, 'LIST_SNAPSHOTS', 'ListSnapshots not supported');
    const secrets = (r: Resources) => r.ctx.secrets.listSnapshotsSecret ?? {};
    /** A snapshot of a new volume, both with unique names from `v` and `s`. */
    const mk = (r: Resources, v: string, s: string) =>
      r.mustCreateSnapshotFromVolumeRequest(
        r.ctx.createVolumeRequest(r.ctx.uniqueString(v)),
        r.ctx.uniqueString(s),
      );

    d.it('should return appropriate values (no optional values added)', async (r) => {
      await gate(r);
      const res = await r.client.listSnapshots({ secrets: secrets(r) });
      for (const e of res.entries) verifySnapshotInfo(e.snapshot);
    });

    d.it('should return snapshots that match the specified snapshot id', async (r) => {
      await gate(r);
      await mk(r, 'listSnapshots-volume-unrelated-s-1', 'listSnapshots-snapshot-unrelated-s-1');
      const { snapshot: target } = await mk(
        r,
        'listSnapshots-volume-target-s',
        'listSnapshots-snapshot-target-s',
      );
      await mk(r, 'listSnapshots-volume-unrelated-s-2', 'listSnapshots-snapshot-unrelated-s-2');
      const id = target.snapshot?.snapshot_id ?? '';
      const res = await r.client.listSnapshots({ snapshot_id: id, secrets: secrets(r) });
      assert.equal(res.entries.length, 1, `expected 1 entry, got ${res.entries.length}`);
      verifySnapshotInfo(res.entries[0]?.snapshot);
      assert.equal(res.entries[0]?.snapshot?.snapshot_id, id);
    });

    d.it('should return empty when the specified snapshot id does not exist', async (r) => {
      await gate(r);
      const res = await r.client.listSnapshots({ snapshot_id: 'none-exist-id', secrets: secrets(r) });
      assert.equal(res.entries.length, 0);
    });

    d.it('should return snapshots that match the specified source volume id', async (r) => {
      await gate(r);
      await mk(r, 'listSnapshots-volume-unrelated-v-1', 'listSnapshots-snapshot-unrelated-v-1');
      const { snapshot: target } = await mk(
        r,
        'listSnapshots-volume-target-v',
        'listSnapshots-snapshot-target-v',
      );
      await mk(r, 'listSnapshots-volume-unrelated-v-2', 'listSnapshots-snapshot-unrelated-v-2');
      const source = target.snapshot?.source_volume_id ?? '';
      const res = await r.client.listSnapshots({ source_volume_id: source, secrets: secrets(r) });
      assert.equal(res.entries.length, 1, `expected 1 entry, got ${res.entries.length}`);
      verifySnapshotInfo(res.entries[0]?.snapshot);
      assert.equal(res.entries[0]?.snapshot?.source_volume_id, source);
    });

    d.it('should return empty when the specified source volume id does not exist', async (r) => {
      await gate(r);
      const res = await r.client.listSnapshots({
        source_volume_id: r.ctx.ids.uniqueValidVolumeId(),
        secrets: secrets(r),
      });
      assert.equal(res.entries.length, 0);
    });

    d.it('check the presence of new snapshots in the snapshot list', async (r) => {
      await gate(r);
      const total = (await r.client.listSnapshots({ secrets: secrets(r) })).entries.length;
      const { snapshot } = await r.mustCreateSnapshotFromVolumeRequest(
        r.ctx.createVolumeRequest(r.ctx.uniqueString('listSnapshots-volume-3')),
        r.ctx.uniqueString('listSnapshots-snapshot-3'),
      );
      verifySnapshotInfo(snapshot.snapshot);
      assert.equal((await r.client.listSnapshots({ secrets: secrets(r) })).entries.length, total + 1);
      await r.deleteSnapshot({
        snapshot_id: snapshot.snapshot?.snapshot_id ?? '',
        secrets: r.ctx.secrets.deleteSnapshotSecret ?? {},
      });
      assert.equal((await r.client.listSnapshots({ secrets: secrets(r) })).entries.length, total);
    });

    d.it('should return next token when a limited number of entries are requested', async (r) => {
      await gate(r);
      const minSnapshotCount = 5;
      const maxEntries = 2;
      const initial = (await r.client.listSnapshots({ secrets: secrets(r) })).entries.length;
      let current = initial;
      if (initial < minSnapshotCount) {
        for (let i = 1; i <= minSnapshotCount - initial; i++) {
          const { snapshot } = await r.mustCreateSnapshotFromVolumeRequest(
            r.ctx.createVolumeRequest(r.ctx.uniqueString(`volume${i}`)),
            r.ctx.uniqueString(`snapshot${i}`),
          );
          verifySnapshotInfo(snapshot.snapshot);
        }
        current = minSnapshotCount;
      }
      const page = await r.client.listSnapshots({ max_entries: maxEntries, secrets: secrets(r) });
      assert.equal(page.entries.length, maxEntries);
      const rest = await r.client.listSnapshots({ starting_token: page.next_token, secrets: secrets(r) });
      assert.equal(
        rest.entries.length,
        current - maxEntries,
        'the remaining entries are not returned at once',
      );
    });
  });

  root.describe('DeleteSnapshot [Controller Server]', (d) => {
    const gate = (r: Resources) =>
      requireControllerCap(r, 'CREATE_DELETE_SNAPSHOT', 'DeleteSnapshot not supported');

    d.it('should fail when no snapshot id is provided', async (r) => {
      await gate(r);
      await expectCode(
        r.deleteSnapshot({ secrets: r.ctx.secrets.deleteSnapshotSecret ?? {} }),
        S.INVALID_ARGUMENT,
      );
    });

    d.it('should succeed when an invalid snapshot id is used', async (r) => {
      await gate(r);
      await r.deleteSnapshot({
        snapshot_id: 'reallyfakesnapshotid',
        secrets: r.ctx.secrets.deleteSnapshotSecret ?? {},
      });
    });

    d.it('should return appropriate values (no optional values added)', async (r) => {
      await gate(r);
      const vol = await r.createVolume(
        r.ctx.createVolumeRequest(r.ctx.uniqueString('DeleteSnapshot-volume-1')),
      );
      // Sanity leaves the deletion to its cleanup, which checks DeleteSnapshot's answer.
      await r.mustCreateSnapshot(
        r.ctx.createSnapshotRequest(r.ctx.uniqueString('DeleteSnapshot-snapshot-1'), volumeId(vol)),
      );
    });
  });

  root.describe('CreateSnapshot [Controller Server]', (d) => {
    const gate = (r: Resources) =>
      requireControllerCap(r, 'CREATE_DELETE_SNAPSHOT', 'CreateSnapshot not supported');
    const secrets = (r: Resources) => r.ctx.secrets.createSnapshotSecret ?? {};

    d.it('should fail when no name is provided', async (r) => {
      await gate(r);
      await expectCode(
        r.createSnapshot({ source_volume_id: 'testId', secrets: secrets(r) }),
        S.INVALID_ARGUMENT,
      );
    });

    d.it('should fail when no source volume id is provided', async (r) => {
      await gate(r);
      await expectCode(r.createSnapshot({ name: 'name', secrets: secrets(r) }), S.INVALID_ARGUMENT);
    });

    d.it(
      'should succeed when requesting to create a snapshot with already existing name and same source volume ID',
      async (r) => {
        await gate(r);
        const vol = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('CreateSnapshot-volume-1')),
        );
        const req = r.ctx.createSnapshotRequest(
          r.ctx.uniqueString('CreateSnapshot-snapshot-1'),
          volumeId(vol),
        );
        const first = await r.mustCreateSnapshot(req);
        const second = await r.mustCreateSnapshot(req);
        assert.equal(
          second.snapshot?.snapshot_id,
          first.snapshot?.snapshot_id,
          'same name gave a different snapshot',
        );
      },
    );

    d.it(
      'should fail when requesting to create a snapshot with already existing name and different source volume ID',
      async (r) => {
        await gate(r);
        const name = r.ctx.uniqueString('CreateSnapshot-snapshot-2');
        await r.mustCreateSnapshotFromVolumeRequest(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('CreateSnapshot-volume-2')),
          name,
        );
        const vol2 = await r.mustCreateVolume(
          r.ctx.createVolumeRequest(r.ctx.uniqueString('CreateSnapshot-volume-3')),
        );
        await expectCode(
          r.createSnapshot(r.ctx.createSnapshotRequest(name, volumeId(vol2))),
          S.ALREADY_EXISTS,
        );
      },
    );

    d.it('should succeed when creating snapshot with maximum-length name', async (r) => {
      await gate(r);
      const vol = await r.mustCreateVolume(
        r.ctx.createVolumeRequest(r.ctx.uniqueString('CreateSnapshot-volume-maxlen-name')),
      );
      const name = r.ctx.uniqueStringWithLength('CreateSnapshot-snapshot-maxlen', maxNameLength);
      const req = r.ctx.createSnapshotRequest(name, volumeId(vol));
      await r.mustCreateSnapshot(req);
      await r.mustCreateSnapshot(req);
    });
  });
}

function expandChecks(root: Group): void {
  root.describe('ExpandVolume [Controller Server]', (d) => {
    const gate = (r: Resources) =>
      requireControllerCap(r, 'EXPAND_VOLUME', 'ControllerExpandVolume not supported');
    const expandRequest = (r: Resources, id: string) => ({
      volume_id: id,
      capacity_range: { required_bytes: r.ctx.expandSize },
      secrets: r.ctx.secrets.controllerExpandVolumeSecret ?? {},
      volume_capability: r.ctx.snwCapability(),
    });

    d.it('should fail if no volume id is given', async (r) => {
      await gate(r);
      await expectCode(r.client.controllerExpandVolume(expandRequest(r, '')), S.INVALID_ARGUMENT);
    });

    d.it('should fail if no capacity range is given', async (r) => {
      await gate(r);
      // As in sanity, the request also lacks a volume ID.
      await expectCode(
        r.client.controllerExpandVolume({
          volume_id: '',
          secrets: r.ctx.secrets.controllerExpandVolumeSecret ?? {},
        }),
        S.INVALID_ARGUMENT,
      );
    });

    d.it('should work', async (r) => {
      await gate(r);
      const vol = await r.mustCreateVolume({
        name: r.ctx.uniqueString('sanity-expand-volume'),
        volume_capabilities: [r.ctx.snwCapability()],
        parameters: r.ctx.config.testVolumeParameters ?? {},
        secrets: r.ctx.secrets.createVolumeSecret ?? {},
        capacity_range: { required_bytes: r.ctx.size },
      });
      const res = await r.client.controllerExpandVolume(expandRequest(r, volumeId(vol)));
      assert.equal(Number(res.capacity_bytes), r.ctx.expandSize);
    });
  });
}

function modifyChecks(root: Group): void {
  root.describe('ModifyVolume [Controller Server]', (d) => {
    const gate = (r: Resources) =>
      requireControllerCap(r, 'MODIFY_VOLUME', 'ControllerModifyVolume not supported');
    const modify = (r: Resources, volumeIdValue: string, params?: Record<string, string>) =>
      r.ctx.raw('Controller', 'ControllerModifyVolume', {
        volume_id: volumeIdValue,
        mutable_parameters: params ?? r.ctx.config.testVolumeMutableParameters ?? {},
        secrets: r.ctx.secrets.controllerModifyVolumeSecret ?? {},
      });
    const fake = { XXX_FakeKey: 'XXX_FakeValue' };

    d.it('should fail if no volume id is given', async (r) => {
      await gate(r);
      await expectCode(modify(r, ''), S.INVALID_ARGUMENT);
    });

    d.it('should fail if volume does not exist', async (r) => {
      await gate(r);
      await expectCode(modify(r, 'non-existing-volume-id'), S.NOT_FOUND);
    });

    d.it('should fail if specified mutable parameters are not supported by the volume', async (r) => {
      await gate(r);
      const vol = await r.mustCreateVolume(
        r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-modify-volume')),
      );
      await expectCode(modify(r, volumeId(vol), fake), S.INVALID_ARGUMENT);
    });

    d.it('should modify a volume created without a volume attribute class', async (r) => {
      await gate(r);
      const vol = await r.mustCreateVolume(
        r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-modify-volume')),
      );
      await modify(r, volumeId(vol));
    });

    d.it('should modify a volume created with a volume attribute class', async (r) => {
      await gate(r);
      const req = r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-modify-volume'));
      req.mutable_parameters = r.ctx.config.testVolumeMutableParameters ?? {};
      const vol = await r.mustCreateVolume(req);
      await modify(r, volumeId(vol));
    });

    d.it(
      'should fail to modify a volume created with a volume attribute class if new mutable parameters are not supported by volume',
      async (r) => {
        await gate(r);
        const req = r.ctx.createVolumeRequest(r.ctx.uniqueString('sanity-modify-volume'));
        req.mutable_parameters = r.ctx.config.testVolumeMutableParameters ?? {};
        const vol = await r.mustCreateVolume(req);
        await expectCode(modify(r, volumeId(vol), fake), S.INVALID_ARGUMENT);
      },
    );
  });
}
