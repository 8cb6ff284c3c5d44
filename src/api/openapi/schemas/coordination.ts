// Component schemas of coordination.k8s.io/v1 (Lease) as Kubernetes v1.32 publishes them;
// descriptions are kvol's own.

import type { SchemaNode } from '../types.ts';

export const coordinationV1Schemas: Readonly<Record<string, SchemaNode>> = {
  'io.k8s.api.coordination.v1.Lease': {
    description: 'A lease.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      metadata: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
          },
        ],
        default: {},
        description: 'Standard object metadata.',
      },
      spec: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.coordination.v1.LeaseSpec',
          },
        ],
        default: {},
        description: 'Specification of the lease.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: 'coordination.k8s.io',
        kind: 'Lease',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.coordination.v1.LeaseList': {
    description: 'List of Lease objects.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.coordination.v1.Lease',
            },
          ],
          default: {},
        },
        description: 'List of objects.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      metadata: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
          },
        ],
        default: {},
        description: 'Standard object metadata.',
      },
    },
    type: 'object',
    required: ['items'],
    'x-kubernetes-group-version-kind': [
      {
        group: 'coordination.k8s.io',
        kind: 'LeaseList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.coordination.v1.LeaseSpec': {
    description: 'Specification of a lease.',
    properties: {
      acquireTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
          },
        ],
        description: 'When the current holder acquired the lease.',
      },
      holderIdentity: {
        type: 'string',
        description: 'Identity of the current lease holder.',
      },
      leaseDurationSeconds: {
        type: 'integer',
        format: 'int32',
        description: 'Seconds candidates must wait before forcibly acquiring the lease.',
      },
      leaseTransitions: {
        type: 'integer',
        format: 'int32',
        description: 'Number of times the lease changed holders.',
      },
      preferredHolder: {
        type: 'string',
        description: 'Signals the holder to release the lease in favour of this identity.',
      },
      renewTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
          },
        ],
        description: 'When the holder last renewed the lease.',
      },
      strategy: {
        type: 'string',
        description: 'Strategy for picking the preferred holder in coordinated leader election.',
      },
    },
    type: 'object',
  },
};
