// Checks that the csi.proto kvol loads is the spec's wire contract: package csi.v1, the services and
// their methods, and field numbers that must match the spec byte for byte.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import { csiLoaderOptions, csiProtoPath } from './index.ts';

const def = protoLoader.loadSync(csiProtoPath, csiLoaderOptions);

function methods(service: string): string[] {
  const svc = def[`csi.v1.${service}`];
  assert.ok(svc !== undefined && !('format' in svc), `csi.v1.${service} is a service`);
  return Object.keys(svc).sort();
}

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  label?: string;
  typeName?: string;
}

interface MessageDescriptor {
  name?: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
}

// `message` may name a nested message with dots ("Outer.Inner"); proto-loader only keys the
// top-level ones, nested descriptors live in their parent's nestedType.
function fields(message: string): Map<string, FieldDescriptor> {
  const [top = '', ...nested] = message.split('.');
  const msg = def[`csi.v1.${top}`];
  assert.ok(msg !== undefined && 'format' in msg, `csi.v1.${top} is a message`);
  let type = msg.type as MessageDescriptor;
  for (const name of nested) {
    const inner = type.nestedType.find((n) => n.name === name);
    assert.ok(inner !== undefined, `csi.v1.${message} is a message`);
    type = inner;
  }
  return new Map(type.field.map((f) => [f.name, f]));
}

function fieldNumber(message: string, field: string): number | undefined {
  return fields(message).get(field)?.number;
}

// Lists every alpha_* option in a proto text as "<option> <Scope.name>". Scopes come from the
// `message|enum|service X {` lines and `rpc X` declarations; an inline `[(alpha_...)]` belongs to the
// field or enum value declared on the same logical line (continuation lines are joined first).
function alphaMarks(text: string): string[] {
  const marks: string[] = [];
  const scope: string[] = [];
  const statements = text
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .split(/(?<=[;{}])/);
  for (const raw of statements) {
    const st = raw.trim();
    const open = /^(?:message|enum|service|rpc) (\w+)/.exec(st);
    if (open?.[1] !== undefined && st.endsWith('{')) {
      scope.push(open[1]);
      continue;
    }
    if (st === '}') {
      scope.pop();
      continue;
    }
    const opt = /^option \((alpha_\w+)\) = true;$/.exec(st);
    if (opt?.[1] !== undefined) {
      marks.push(`${opt[1]} ${scope.join('.')}`);
      continue;
    }
    const inline = /^(?:[\w.<>, ]+ )?(\w+) = \d+ \[(.*)\];$/.exec(st);
    if (inline?.[1] !== undefined && inline[2] !== undefined) {
      for (const m of inline[2].matchAll(/\((alpha_\w+)\) = true/g)) {
        marks.push(`${m[1]} ${[...scope, inline[1]].join('.')}`);
      }
    }
  }
  return marks;
}

describe('csi.proto', () => {
  it('declares the Identity service with the spec methods', () => {
    assert.deepEqual(methods('Identity'), ['GetPluginCapabilities', 'GetPluginInfo', 'Probe']);
  });

  it('declares the Node service with the spec methods', () => {
    assert.deepEqual(methods('Node'), [
      'NodeExpandVolume',
      'NodeGetCapabilities',
      'NodeGetInfo',
      'NodeGetVolumeStats',
      'NodePublishVolume',
      'NodeStageVolume',
      'NodeUnpublishVolume',
      'NodeUnstageVolume',
    ]);
  });

  it('declares the Controller service with the v1.12 methods', () => {
    assert.deepEqual(methods('Controller'), [
      'ControllerExpandVolume',
      'ControllerGetCapabilities',
      'ControllerGetVolume',
      'ControllerModifyVolume',
      'ControllerPublishVolume',
      'ControllerUnpublishVolume',
      'CreateSnapshot',
      'CreateVolume',
      'DeleteSnapshot',
      'DeleteVolume',
      'GetCapacity',
      'GetSnapshot',
      'ListSnapshots',
      'ListVolumes',
      'ValidateVolumeCapabilities',
    ]);
  });

  it('declares the GroupController and SnapshotMetadata services', () => {
    assert.deepEqual(methods('GroupController'), [
      'CreateVolumeGroupSnapshot',
      'DeleteVolumeGroupSnapshot',
      'GetVolumeGroupSnapshot',
      'GroupControllerGetCapabilities',
    ]);
    assert.deepEqual(methods('SnapshotMetadata'), ['GetMetadataAllocated', 'GetMetadataDelta']);
  });

  it('keeps the spec field numbers', () => {
    const cases: Array<[string, string, number]> = [
      ['CreateVolumeRequest', 'name', 1],
      ['CreateVolumeRequest', 'capacity_range', 2],
      ['CreateVolumeRequest', 'volume_capabilities', 3],
      ['CreateVolumeRequest', 'parameters', 4],
      ['CreateVolumeRequest', 'secrets', 5],
      ['CreateVolumeRequest', 'volume_content_source', 6],
      ['CreateVolumeRequest', 'accessibility_requirements', 7],
      ['CreateVolumeRequest', 'mutable_parameters', 8],
      ['NodePublishVolumeRequest', 'volume_id', 1],
      ['NodePublishVolumeRequest', 'publish_context', 2],
      ['NodePublishVolumeRequest', 'staging_target_path', 3],
      ['NodePublishVolumeRequest', 'target_path', 4],
      ['NodePublishVolumeRequest', 'volume_capability', 5],
      ['NodePublishVolumeRequest', 'readonly', 6],
      ['NodePublishVolumeRequest', 'secrets', 7],
      ['NodePublishVolumeRequest', 'volume_context', 8],
      ['NodeStageVolumeRequest', 'staging_target_path', 3],
      ['NodeGetInfoResponse', 'max_volumes_per_node', 2],
      ['Volume', 'volume_id', 2],
      ['Volume', 'accessible_topology', 5],
      ['GetPluginCapabilitiesResponse', 'capabilities', 1],
      ['ControllerPublishVolumeRequest', 'readonly', 4],
      ['Snapshot', 'group_snapshot_id', 6],
      ['GetCapacityResponse', 'minimum_volume_size', 3],
      ['NodeExpandVolumeRequest', 'secrets', 6],
      // v1.9-v1.11 additions, checked against the struct tags of the spec's generated
      // lib/go/csi/csi_protoopaque.pb.go (protoc-gen-go v1.36.0, spec v1.11 content).
      ['ValidateVolumeCapabilitiesRequest', 'volume_context', 2],
      ['ValidateVolumeCapabilitiesRequest', 'parameters', 4],
      ['ValidateVolumeCapabilitiesRequest', 'secrets', 5],
      ['ValidateVolumeCapabilitiesRequest', 'mutable_parameters', 6],
      ['ControllerModifyVolumeRequest', 'volume_id', 1],
      ['ControllerModifyVolumeRequest', 'secrets', 2],
      ['ControllerModifyVolumeRequest', 'mutable_parameters', 3],
      ['ControllerGetVolumeRequest', 'volume_id', 1],
      ['ControllerGetVolumeResponse', 'volume', 1],
      ['ControllerGetVolumeResponse', 'status', 2],
      ['BlockMetadata', 'byte_offset', 1],
      ['BlockMetadata', 'size_bytes', 2],
      ['GetMetadataAllocatedRequest', 'snapshot_id', 1],
      ['GetMetadataAllocatedRequest', 'starting_offset', 2],
      ['GetMetadataAllocatedRequest', 'max_results', 3],
      ['GetMetadataAllocatedRequest', 'secrets', 4],
      ['GetMetadataAllocatedResponse', 'block_metadata_type', 1],
      ['GetMetadataAllocatedResponse', 'volume_capacity_bytes', 2],
      ['GetMetadataAllocatedResponse', 'block_metadata', 3],
      ['GetMetadataDeltaRequest', 'base_snapshot_id', 1],
      ['GetMetadataDeltaRequest', 'target_snapshot_id', 2],
      ['GetMetadataDeltaRequest', 'starting_offset', 3],
      ['GetMetadataDeltaRequest', 'max_results', 4],
      ['GetMetadataDeltaRequest', 'secrets', 5],
      ['GetMetadataDeltaResponse', 'block_metadata_type', 1],
      ['GetMetadataDeltaResponse', 'volume_capacity_bytes', 2],
      ['GetMetadataDeltaResponse', 'block_metadata', 3],
      // v1.12 additions and the remaining v1.5-v1.9 fields, checked against a protoc-serialized
      // FileDescriptorProto of the spec v1.12 csi.proto (the one with GetSnapshot and GA ModifyVolume).
      ['GetSnapshotRequest', 'snapshot_id', 1],
      ['GetSnapshotRequest', 'secrets', 2],
      ['GetSnapshotResponse', 'snapshot', 1],
      ['ValidateVolumeCapabilitiesResponse.Confirmed', 'volume_context', 1],
      ['ValidateVolumeCapabilitiesResponse.Confirmed', 'volume_capabilities', 2],
      ['ValidateVolumeCapabilitiesResponse.Confirmed', 'parameters', 3],
      ['ValidateVolumeCapabilitiesResponse.Confirmed', 'mutable_parameters', 4],
      ['VolumeCapability.MountVolume', 'fs_type', 1],
      ['VolumeCapability.MountVolume', 'mount_flags', 2],
      ['VolumeCapability.MountVolume', 'volume_mount_group', 3],
    ];
    for (const [message, field, number] of cases) {
      assert.equal(fieldNumber(message, field), number, `${message}.${field}`);
    }
  });

  it('keeps the spec types of 64-bit and wrapper fields', () => {
    assert.equal(fields('CapacityRange').get('required_bytes')?.type, 'TYPE_INT64');
    assert.equal(fields('ProbeResponse').get('ready')?.type, 'TYPE_MESSAGE');
    assert.equal(fields('ListVolumesRequest').get('max_entries')?.type, 'TYPE_INT32');
    assert.equal(fields('GetMetadataDeltaRequest').get('starting_offset')?.type, 'TYPE_INT64');
    assert.equal(fields('GetMetadataDeltaRequest').get('max_results')?.type, 'TYPE_INT32');
    assert.equal(fields('BlockMetadata').get('size_bytes')?.type, 'TYPE_INT64');
    assert.equal(fields('GetMetadataAllocatedResponse').get('block_metadata')?.label, 'LABEL_REPEATED');
    assert.equal(fields('GetMetadataAllocatedResponse').get('block_metadata_type')?.type, 'TYPE_ENUM');
  });

  it('streams the SnapshotMetadata responses', () => {
    const svc = def['csi.v1.SnapshotMetadata'] as Record<
      string,
      { responseStream: boolean; requestStream: boolean }
    >;
    assert.equal(svc.GetMetadataAllocated?.responseStream, true);
    assert.equal(svc.GetMetadataAllocated?.requestStream, false);
    assert.equal(svc.GetMetadataDelta?.responseStream, true);
    assert.equal(svc.GetMetadataDelta?.requestStream, false);
  });

  it('numbers the plugin capability and block metadata enums as the spec does', () => {
    const plugin = def['csi.v1.PluginCapability'];
    assert.ok(plugin !== undefined && 'format' in plugin);
    const ptype = plugin.type as {
      nestedType: Array<{
        name: string;
        enumType: Array<{ value: Array<{ name: string; number: number }> }>;
      }>;
    };
    const service = ptype.nestedType.find((n) => n.name === 'Service');
    const svcValues = new Map(service?.enumType[0]?.value.map((v) => [v.name, v.number]));
    assert.equal(svcValues.get('GROUP_CONTROLLER_SERVICE'), 3);
    assert.equal(svcValues.get('SNAPSHOT_METADATA_SERVICE'), 4);
    const bmt = def['csi.v1.BlockMetadataType'];
    assert.ok(bmt !== undefined && 'format' in bmt);
    const bmtType = bmt.type as { value: Array<{ name: string; number: number }> };
    const bmtValues = new Map(bmtType.value.map((v) => [v.name, v.number]));
    assert.deepEqual(
      [...bmtValues],
      [
        ['UNKNOWN', 0],
        ['FIXED_LENGTH', 1],
        ['VARIABLE_LENGTH', 2],
      ],
    );
  });

  it('numbers the capability enums as the spec does', () => {
    // Nested messages and enums live inside their parent's descriptor.
    const cap = def['csi.v1.ControllerServiceCapability'];
    assert.ok(cap !== undefined && 'format' in cap);
    const type = cap.type as {
      nestedType: Array<{
        name: string;
        enumType: Array<{ value: Array<{ name: string; number: number }> }>;
      }>;
    };
    const rpc = type.nestedType.find((n) => n.name === 'RPC');
    const values = new Map(rpc?.enumType[0]?.value.map((v) => [v.name, v.number]));
    assert.equal(values.get('CREATE_DELETE_VOLUME'), 1);
    assert.equal(values.get('LIST_VOLUMES_PUBLISHED_NODES'), 10);
    assert.equal(values.get('VOLUME_CONDITION'), 11);
    assert.equal(values.get('GET_VOLUME'), 12);
    assert.equal(values.get('SINGLE_NODE_MULTI_WRITER'), 13);
    assert.equal(values.get('MODIFY_VOLUME'), 14);
    assert.equal(values.get('MODIFY_VOLUME'), 14);
    assert.equal(values.get('GET_SNAPSHOT'), 15);
    const node = def['csi.v1.NodeServiceCapability'];
    assert.ok(node !== undefined && 'format' in node);
    const nodeType = node.type as typeof type;
    const nodeRpc = nodeType.nestedType.find((n) => n.name === 'RPC');
    const nodeValues = new Map(nodeRpc?.enumType[0]?.value.map((v) => [v.name, v.number]));
    assert.equal(nodeValues.get('VOLUME_CONDITION'), 4);
    assert.equal(nodeValues.get('SINGLE_NODE_MULTI_WRITER'), 5);
    assert.equal(nodeValues.get('VOLUME_MOUNT_GROUP'), 6);
  });

  it('types the GetSnapshot messages as the spec does', () => {
    assert.equal(fields('GetSnapshotRequest').get('snapshot_id')?.type, 'TYPE_STRING');
    assert.equal(fields('GetSnapshotRequest').get('secrets')?.label, 'LABEL_REPEATED');
    assert.equal(fields('GetSnapshotResponse').get('snapshot')?.typeName, 'Snapshot');
    assert.equal(fields('VolumeCapability.MountVolume').get('volume_mount_group')?.type, 'TYPE_STRING');
  });

  it('marks exactly the spec v1.12 alpha parts as alpha', () => {
    // proto-loader drops custom message and field options, so read them from the proto text: each
    // alpha option is attributed to the enclosing declaration (and field or enum value, when inline).
    const found = alphaMarks(readFileSync(csiProtoPath, 'utf8'));
    const expected = [
      'alpha_method Controller.GetSnapshot',
      'alpha_method Controller.ControllerGetVolume',
      'alpha_service SnapshotMetadata',
      'alpha_enum_value PluginCapability.Service.Type.SNAPSHOT_METADATA_SERVICE',
      'alpha_enum_value VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER',
      'alpha_enum_value VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER',
      'alpha_field ListVolumesResponse.VolumeStatus.volume_condition',
      'alpha_message ControllerGetVolumeRequest',
      'alpha_message ControllerGetVolumeResponse',
      'alpha_field GetCapacityResponse.minimum_volume_size',
      'alpha_enum_value ControllerServiceCapability.RPC.Type.VOLUME_CONDITION',
      'alpha_enum_value ControllerServiceCapability.RPC.Type.GET_VOLUME',
      'alpha_enum_value ControllerServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER',
      'alpha_enum_value ControllerServiceCapability.RPC.Type.GET_SNAPSHOT',
      'alpha_message GetSnapshotRequest',
      'alpha_message GetSnapshotResponse',
      'alpha_field NodeGetVolumeStatsResponse.volume_condition',
      'alpha_message VolumeCondition',
      'alpha_enum_value NodeServiceCapability.RPC.Type.VOLUME_CONDITION',
      'alpha_enum_value NodeServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER',
      'alpha_field NodeExpandVolumeRequest.secrets',
    ];
    assert.deepEqual(found.sort(), expected.sort());
  });
});
