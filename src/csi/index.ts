// The CSI wire contract (spec v1.12 csi.proto, generated types in gen/) and the client kvol uses to
// drive CSI drivers. Other folders import CSI only through this file.
export * from './client.ts';
export * from './drivers.ts';
export type { ControllerHandlers } from './gen/csi/v1/Controller.ts';
export type { ControllerExpandVolumeRequest } from './gen/csi/v1/ControllerExpandVolumeRequest.ts';
export type { ControllerPublishVolumeRequest } from './gen/csi/v1/ControllerPublishVolumeRequest.ts';
export type { ControllerUnpublishVolumeRequest } from './gen/csi/v1/ControllerUnpublishVolumeRequest.ts';
export type { CreateSnapshotRequest } from './gen/csi/v1/CreateSnapshotRequest.ts';
export type { CreateVolumeRequest } from './gen/csi/v1/CreateVolumeRequest.ts';
export type { DeleteVolumeRequest } from './gen/csi/v1/DeleteVolumeRequest.ts';
export type { IdentityHandlers } from './gen/csi/v1/Identity.ts';
export type { NodeHandlers } from './gen/csi/v1/Node.ts';
export type { NodeExpandVolumeRequest } from './gen/csi/v1/NodeExpandVolumeRequest.ts';
export type { NodeGetVolumeStatsRequest } from './gen/csi/v1/NodeGetVolumeStatsRequest.ts';
export type { NodePublishVolumeRequest } from './gen/csi/v1/NodePublishVolumeRequest.ts';
export type { NodeStageVolumeRequest } from './gen/csi/v1/NodeStageVolumeRequest.ts';
export type { NodeUnpublishVolumeRequest } from './gen/csi/v1/NodeUnpublishVolumeRequest.ts';
export type { NodeUnstageVolumeRequest } from './gen/csi/v1/NodeUnstageVolumeRequest.ts';
export type { Snapshot__Output } from './gen/csi/v1/Snapshot.ts';
export type { Topology, Topology__Output } from './gen/csi/v1/Topology.ts';
export type { Volume__Output } from './gen/csi/v1/Volume.ts';
export type { VolumeCapability, VolumeCapability__Output } from './gen/csi/v1/VolumeCapability.ts';
export type { ProtoGrpcType as CsiProtoGrpcType } from './gen/csi.ts';
export * from './hostpath/index.ts';
export * from './server.ts';
