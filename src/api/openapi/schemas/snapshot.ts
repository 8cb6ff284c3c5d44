// Component schemas of snapshot.storage.k8s.io/v1 (VolumeSnapshot, VolumeSnapshotContent,
// VolumeSnapshotClass), shaped as the apiserver publishes a CRD's structural schema: one schema per kind,
// named after the reversed group (io.k8s.storage.snapshot.v1.*), nested objects inline. Field sets follow
// the external-snapshotter v8 CRDs; descriptions are kvol's own.

import type { SchemaNode } from '../types.ts';

const objectMeta: SchemaNode = {
  allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
  description: 'Standard object metadata.',
};
const listMeta: SchemaNode = {
  allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }],
  description: 'Standard list metadata.',
};
const apiVersion: SchemaNode = {
  description: 'Versioned schema of this object representation.',
  type: 'string',
};
const kind: SchemaNode = {
  description: 'REST resource this object represents, in CamelCase.',
  type: 'string',
};
const deletionPolicy: SchemaNode = {
  description:
    'Whether the physical snapshot is deleted (Delete) or kept (Retain) when its content object is deleted.',
  enum: ['Delete', 'Retain'],
  type: 'string',
};
const snapshotError: SchemaNode = {
  description: 'Last error while creating the snapshot, if any.',
  properties: {
    message: { description: 'Message of the error; must not contain sensitive data.', type: 'string' },
    time: { description: 'When the error happened.', format: 'date-time', type: 'string' },
  },
  type: 'object',
};
const gvk = (k: string) => [{ group: 'snapshot.storage.k8s.io', kind: k, version: 'v1' }];
const list = (k: string): SchemaNode => ({
  description: `List of ${k} objects.`,
  properties: {
    apiVersion,
    items: {
      description: `List of ${k.toLowerCase()}s.`,
      items: { $ref: `#/components/schemas/io.k8s.storage.snapshot.v1.${k}` },
      type: 'array',
    },
    kind,
    metadata: listMeta,
  },
  required: ['items'],
  type: 'object',
  'x-kubernetes-group-version-kind': gvk(`${k}List`),
});

export const snapshotV1Schemas: Readonly<Record<string, SchemaNode>> = {
  'io.k8s.storage.snapshot.v1.VolumeSnapshot': {
    description: "A user's request for a snapshot of a persistent volume claim, or to pre-provision one.",
    properties: {
      apiVersion,
      kind,
      metadata: objectMeta,
      spec: {
        description: 'Desired snapshot; immutable once created.',
        properties: {
          source: {
            description: 'Where the snapshot comes from; exactly one member must be set.',
            properties: {
              persistentVolumeClaimName: {
                description: 'Claim, in the snapshot namespace, to take a dynamic snapshot of.',
                type: 'string',
              },
              volumeSnapshotContentName: {
                description: 'Pre-existing VolumeSnapshotContent that represents this snapshot.',
                type: 'string',
              },
            },
            type: 'object',
          },
          volumeSnapshotClassName: {
            description: 'VolumeSnapshotClass requested; empty uses the default class of the driver.',
            type: 'string',
          },
        },
        required: ['source'],
        type: 'object',
      },
      status: {
        description: 'Observed state of the snapshot.',
        properties: {
          boundVolumeSnapshotContentName: {
            description: 'VolumeSnapshotContent this snapshot is bound to.',
            type: 'string',
          },
          creationTime: {
            description: 'When the storage system took the snapshot.',
            format: 'date-time',
            type: 'string',
          },
          error: snapshotError,
          readyToUse: {
            description: 'Whether the snapshot can be used to restore a volume.',
            type: 'boolean',
          },
          restoreSize: {
            anyOf: [{ type: 'integer' }, { type: 'string' }],
            description: 'Minimum size of a volume restored from this snapshot.',
            pattern:
              '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
            'x-kubernetes-int-or-string': true,
          },
          volumeGroupSnapshotName: {
            description: 'VolumeGroupSnapshot this snapshot is part of, if any.',
            type: 'string',
          },
        },
        type: 'object',
      },
    },
    required: ['spec'],
    type: 'object',
    'x-kubernetes-group-version-kind': gvk('VolumeSnapshot'),
  },
  'io.k8s.storage.snapshot.v1.VolumeSnapshotList': list('VolumeSnapshot'),
  'io.k8s.storage.snapshot.v1.VolumeSnapshotContent': {
    description: 'A snapshot taken on the storage system; cluster scoped.',
    properties: {
      apiVersion,
      kind,
      metadata: objectMeta,
      spec: {
        description: 'Properties of the snapshot content.',
        properties: {
          deletionPolicy,
          driver: { description: 'Name of the CSI driver that handles the snapshot.', type: 'string' },
          source: {
            description: 'Where the snapshot comes from; exactly one member must be set.',
            properties: {
              snapshotHandle: {
                description: 'Driver handle of a pre-existing snapshot.',
                type: 'string',
              },
              volumeHandle: {
                description: 'Driver handle of the volume to snapshot dynamically.',
                type: 'string',
              },
            },
            type: 'object',
          },
          sourceVolumeMode: {
            description: 'Volume mode of the volume the snapshot was taken from: Filesystem or Block.',
            type: 'string',
          },
          volumeSnapshotClassName: {
            description: 'VolumeSnapshotClass the snapshot was created with.',
            type: 'string',
          },
          volumeSnapshotRef: {
            description: 'The VolumeSnapshot this content is bound to.',
            properties: {
              apiVersion: { description: 'API version of the referent.', type: 'string' },
              fieldPath: { description: 'Path within the referent.', type: 'string' },
              kind: { description: 'Kind of the referent.', type: 'string' },
              name: { description: 'Name of the referent.', type: 'string' },
              namespace: { description: 'Namespace of the referent.', type: 'string' },
              resourceVersion: { description: 'Resource version of the referent.', type: 'string' },
              uid: { description: 'UID of the referent.', type: 'string' },
            },
            type: 'object',
            'x-kubernetes-map-type': 'atomic',
          },
        },
        required: ['deletionPolicy', 'driver', 'source', 'volumeSnapshotRef'],
        type: 'object',
      },
      status: {
        description: 'Observed state of the snapshot content.',
        properties: {
          creationTime: {
            description: 'When the storage system took the snapshot, in nanoseconds since the Unix epoch.',
            format: 'int64',
            type: 'integer',
          },
          error: snapshotError,
          readyToUse: {
            description: 'Whether the snapshot can be used to restore a volume.',
            type: 'boolean',
          },
          restoreSize: {
            description: 'Minimum size in bytes of a volume restored from this snapshot.',
            format: 'int64',
            minimum: 0,
            type: 'integer',
          },
          snapshotHandle: { description: 'Driver handle of the snapshot.', type: 'string' },
          volumeGroupSnapshotHandle: {
            description: 'Driver handle of the group snapshot this snapshot is part of, if any.',
            type: 'string',
          },
        },
        type: 'object',
      },
    },
    required: ['spec'],
    type: 'object',
    'x-kubernetes-group-version-kind': gvk('VolumeSnapshotContent'),
  },
  'io.k8s.storage.snapshot.v1.VolumeSnapshotContentList': list('VolumeSnapshotContent'),
  'io.k8s.storage.snapshot.v1.VolumeSnapshotClass': {
    description: 'Parameters a driver uses to take snapshots; cluster scoped.',
    properties: {
      apiVersion,
      deletionPolicy,
      driver: { description: 'Name of the CSI driver that handles snapshots of this class.', type: 'string' },
      kind,
      metadata: objectMeta,
      parameters: {
        additionalProperties: { type: 'string' },
        description: 'Driver-specific parameters for creating snapshots.',
        type: 'object',
      },
    },
    required: ['deletionPolicy', 'driver'],
    type: 'object',
    'x-kubernetes-group-version-kind': gvk('VolumeSnapshotClass'),
  },
  'io.k8s.storage.snapshot.v1.VolumeSnapshotClassList': list('VolumeSnapshotClass'),
};
