// csi-sanity v5.3.1 groupcontroller.go: "GroupController Service" (6 checks), run when the driver
// advertises the GROUP_CONTROLLER_SERVICE plugin capability (and, for the snapshot checks,
// CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT).
import assert from 'node:assert/strict';
import type { GroupControllerGetCapabilitiesResponse__Output } from '../gen/csi/v1/GroupControllerGetCapabilitiesResponse.ts';
import { expectCode, grpc, type Resources, skip } from './common.ts';
import type { Group } from './group.ts';

const S = grpc.status;
const knownGroupCaps = new Set(['CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT']);

async function requireGroupController(r: Resources): Promise<void> {
  if (!(await r.ctx.pluginServices()).has('GROUP_CONTROLLER_SERVICE')) {
    skip('GroupControllerService not supported: the driver does not advertise GROUP_CONTROLLER_SERVICE');
  }
}

function groupCapabilities(r: Resources): Promise<GroupControllerGetCapabilitiesResponse__Output> {
  return r.ctx.raw('GroupController', 'GroupControllerGetCapabilities', {});
}

async function requireGroupSnapshots(r: Resources): Promise<void> {
  await requireGroupController(r);
  const caps = await groupCapabilities(r);
  if (!caps.capabilities.some((c) => String(c.rpc?.type) === 'CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT')) {
    skip(
      'VolumeGroupSnapshots not supported: the driver does not advertise CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT',
    );
  }
}

export function groupControllerChecks(root: Group): void {
  root.describe('GroupController Service [GroupController Server]', (g) => {
    g.describe('GroupControllerGetCapabilities', (d) => {
      d.it('should return appropriate capabilities', async (r) => {
        await requireGroupController(r);
        const caps = await groupCapabilities(r);
        for (const cap of caps.capabilities) {
          assert.ok(cap.rpc !== null && cap.rpc !== undefined, 'capability without rpc');
          assert.ok(knownGroupCaps.has(String(cap.rpc.type)), `Unknown capability: ${String(cap.rpc.type)}`);
        }
      });
    });
  });

  root.describe('GroupController Service [GroupController VolumeGroupSnapshots]', (g) => {
    const s = (r: Resources) => r.ctx.secrets;
    g.describe('CreateVolumeGroupSnapshot', (d) => {
      d.it('should fail when no name is provided', async (r) => {
        await requireGroupSnapshots(r);
        await expectCode(
          r.ctx.raw('GroupController', 'CreateVolumeGroupSnapshot', {
            secrets: s(r).createSnapshotSecret ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });
    });

    g.describe('GetVolumeGroupSnapshot', (d) => {
      d.it('should fail when no volume id is provided', async (r) => {
        await requireGroupSnapshots(r);
        await expectCode(
          r.ctx.raw('GroupController', 'GetVolumeGroupSnapshot', { secrets: s(r).listSnapshotsSecret ?? {} }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should fail when an invalid volume id is used', async (r) => {
        await requireGroupSnapshots(r);
        await expectCode(
          r.ctx.raw('GroupController', 'GetVolumeGroupSnapshot', {
            group_snapshot_id: r.ctx.ids.invalidVolumeId(),
            secrets: s(r).listSnapshotsSecret ?? {},
          }),
          S.NOT_FOUND,
        );
      });
    });

    g.describe('DeleteVolumeGroupSnapshot', (d) => {
      d.it('should fail when no volume id is provided', async (r) => {
        await requireGroupSnapshots(r);
        await expectCode(
          r.ctx.raw('GroupController', 'DeleteVolumeGroupSnapshot', {
            secrets: s(r).deleteSnapshotSecret ?? {},
          }),
          S.INVALID_ARGUMENT,
        );
      });

      d.it('should succeed when an invalid volume id is used', async (r) => {
        await requireGroupSnapshots(r);
        await r.ctx.raw('GroupController', 'DeleteVolumeGroupSnapshot', {
          group_snapshot_id: r.ctx.ids.invalidVolumeId(),
          secrets: s(r).deleteSnapshotSecret ?? {},
        });
      });
    });
  });
}
