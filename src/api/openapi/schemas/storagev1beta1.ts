// Component schemas of storage.k8s.io/v1beta1 (VolumeAttributesClass) as Kubernetes v1.32 publishes them;
// descriptions are kvol's own.

import type { SchemaNode } from '../types.ts';

const gvk = (kind: string) => [{ group: 'storage.k8s.io', kind, version: 'v1beta1' }];

export const storageV1beta1Schemas: Readonly<Record<string, SchemaNode>> = {
  'io.k8s.api.storage.v1beta1.VolumeAttributesClass': {
    description:
      'A class of mutable volume attributes that a CSI driver applies through ControllerModifyVolume.',
    properties: {
      apiVersion: { description: 'Versioned schema of this object representation.', type: 'string' },
      driverName: {
        default: '',
        description: 'Name of the CSI driver the class belongs to; immutable.',
        type: 'string',
      },
      kind: { description: 'REST resource this object represents, in CamelCase.', type: 'string' },
      metadata: {
        allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
        default: {},
        description: 'Standard object metadata.',
      },
      parameters: {
        additionalProperties: { default: '', type: 'string' },
        description:
          'Driver-specific attributes passed to CreateVolume and ControllerModifyVolume; immutable.',
        type: 'object',
      },
    },
    required: ['driverName'],
    type: 'object',
    'x-kubernetes-group-version-kind': gvk('VolumeAttributesClass'),
  },
  'io.k8s.api.storage.v1beta1.VolumeAttributesClassList': {
    description: 'List of VolumeAttributesClass objects.',
    properties: {
      apiVersion: { description: 'Versioned schema of this object representation.', type: 'string' },
      items: {
        description: 'List of volume attributes classes.',
        items: {
          allOf: [{ $ref: '#/components/schemas/io.k8s.api.storage.v1beta1.VolumeAttributesClass' }],
          default: {},
        },
        type: 'array',
      },
      kind: { description: 'REST resource this object represents, in CamelCase.', type: 'string' },
      metadata: {
        allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }],
        default: {},
        description: 'Standard list metadata.',
      },
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': gvk('VolumeAttributesClassList'),
  },
};
