// Component schemas of storage.k8s.io/v1 (StorageClass, CSIDriver, CSINode, VolumeAttachment,
// CSIStorageCapacity) as Kubernetes v1.32 publishes them; descriptions are kvol's own.

import type { SchemaNode } from '../types.ts';

export const storageV1Schemas: Readonly<Record<string, SchemaNode>> = {
  'io.k8s.api.storage.v1.CSIDriver': {
    description: 'Information about a CSI volume driver deployed in the cluster.',
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
            $ref: '#/components/schemas/io.k8s.api.storage.v1.CSIDriverSpec',
          },
        ],
        default: {},
        description: 'Specification of the driver.',
      },
    },
    type: 'object',
    required: ['spec'],
    'x-kubernetes-group-version-kind': [
      {
        group: 'storage.k8s.io',
        kind: 'CSIDriver',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.CSIDriverList': {
    description: 'List of CSIDriver objects.',
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
              $ref: '#/components/schemas/io.k8s.api.storage.v1.CSIDriver',
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
        group: 'storage.k8s.io',
        kind: 'CSIDriverList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.CSIDriverSpec': {
    description: 'Specification of a CSI driver.',
    properties: {
      attachRequired: {
        type: 'boolean',
        description:
          'Whether the driver needs an attach operation (ControllerPublishVolume) before mounting.',
      },
      fsGroupPolicy: {
        type: 'string',
        description: 'Whether the driver supports volume ownership and permission changes through fsGroup.',
      },
      podInfoOnMount: {
        type: 'boolean',
        description: 'Whether pod information is passed to NodePublishVolume.',
      },
      requiresRepublish: {
        type: 'boolean',
        description: 'Whether NodePublishVolume is called periodically to refresh the volume.',
      },
      seLinuxMount: {
        type: 'boolean',
        description: 'Whether the driver supports the -o context mount option.',
      },
      storageCapacity: {
        type: 'boolean',
        description: 'Whether the driver publishes CSIStorageCapacity objects.',
      },
      tokenRequests: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.storage.v1.TokenRequest',
            },
          ],
          default: {},
        },
        description: 'Tokens the driver receives in NodePublishVolume.',
        'x-kubernetes-list-type': 'atomic',
      },
      volumeLifecycleModes: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Volume modes the driver supports: Persistent and/or Ephemeral.',
        'x-kubernetes-list-type': 'set',
      },
    },
    type: 'object',
  },
  'io.k8s.api.storage.v1.CSINode': {
    description: 'CSI drivers installed on a node.',
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
            $ref: '#/components/schemas/io.k8s.api.storage.v1.CSINodeSpec',
          },
        ],
        default: {},
        description: 'CSI drivers on the node.',
      },
    },
    type: 'object',
    required: ['spec'],
    'x-kubernetes-group-version-kind': [
      {
        group: 'storage.k8s.io',
        kind: 'CSINode',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.CSINodeDriver': {
    description: 'A CSI driver installed on a node.',
    properties: {
      allocatable: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeNodeResources',
          },
        ],
        description: 'Volume limits the driver reports for this node.',
      },
      name: {
        type: 'string',
        description: 'Name of the CSI driver.',
      },
      nodeID: {
        type: 'string',
        description: 'ID of the node as reported by the driver.',
      },
      topologyKeys: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Topology keys the driver supports.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
    required: ['name', 'nodeID'],
  },
  'io.k8s.api.storage.v1.CSINodeList': {
    description: 'List of CSINode objects.',
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
              $ref: '#/components/schemas/io.k8s.api.storage.v1.CSINode',
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
        group: 'storage.k8s.io',
        kind: 'CSINodeList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.CSINodeSpec': {
    description: 'Specification of a CSINode.',
    properties: {
      drivers: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.storage.v1.CSINodeDriver',
            },
          ],
          default: {},
        },
        description: 'CSI drivers registered on the node.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
    },
    type: 'object',
    required: ['drivers'],
  },
  'io.k8s.api.storage.v1.CSIStorageCapacity': {
    description: 'Storage capacity of a storage class in a topology segment.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      capacity: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
          },
        ],
        description: 'Capacity available for new volumes with these parameters in this topology.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      maximumVolumeSize: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
          },
        ],
        description: 'Largest volume size that can be created in this topology.',
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
      nodeTopology: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
          },
        ],
        description: 'Nodes the capacity applies to; empty means no nodes.',
      },
      storageClassName: {
        type: 'string',
        description: 'Name of the StorageClass.',
      },
    },
    type: 'object',
    required: ['storageClassName'],
    'x-kubernetes-group-version-kind': [
      {
        group: 'storage.k8s.io',
        kind: 'CSIStorageCapacity',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.CSIStorageCapacityList': {
    description: 'List of CSIStorageCapacity objects.',
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
              $ref: '#/components/schemas/io.k8s.api.storage.v1.CSIStorageCapacity',
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
        group: 'storage.k8s.io',
        kind: 'CSIStorageCapacityList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.StorageClass': {
    description: 'A class of storage for dynamic provisioning.',
    properties: {
      allowVolumeExpansion: {
        type: 'boolean',
        description: 'Whether claims of this class may be expanded.',
      },
      allowedTopologies: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.TopologySelectorTerm',
            },
          ],
          default: {},
        },
        description: 'Topologies in which volumes of this class may be provisioned.',
        'x-kubernetes-list-type': 'atomic',
      },
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
      mountOptions: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Mount options used when mounting the volume.',
        'x-kubernetes-list-type': 'atomic',
      },
      parameters: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Parameters for the provisioner or driver.',
      },
      provisioner: {
        type: 'string',
        description: 'Name of the volume provisioner.',
      },
      reclaimPolicy: {
        type: 'string',
        enum: ['Delete', 'Recycle', 'Retain'],
        description: 'Reclaim policy of dynamically provisioned volumes: Delete or Retain.',
      },
      volumeBindingMode: {
        type: 'string',
        enum: ['Immediate', 'WaitForFirstConsumer'],
        description: 'When volumes are bound and provisioned: Immediate or WaitForFirstConsumer.',
      },
    },
    type: 'object',
    required: ['provisioner'],
    'x-kubernetes-group-version-kind': [
      {
        group: 'storage.k8s.io',
        kind: 'StorageClass',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.StorageClassList': {
    description: 'List of StorageClass objects.',
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
              $ref: '#/components/schemas/io.k8s.api.storage.v1.StorageClass',
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
        group: 'storage.k8s.io',
        kind: 'StorageClassList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.TokenRequest': {
    description: 'A service account token request for a CSI driver.',
    properties: {
      audience: {
        type: 'string',
        description: 'Intended audience of the token.',
      },
      expirationSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Requested token lifetime; defaults to the TokenRequest default.',
      },
    },
    type: 'object',
    required: ['audience'],
  },
  'io.k8s.api.storage.v1.VolumeAttachment': {
    description: 'Intent to attach a volume to a node, or detach it.',
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
            $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeAttachmentSpec',
          },
        ],
        default: {},
        description: 'Desired attach or detach behaviour, set by the system.',
      },
      status: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeAttachmentStatus',
          },
        ],
        default: {},
        description: 'Most recently observed status.',
      },
    },
    type: 'object',
    required: ['spec'],
    'x-kubernetes-group-version-kind': [
      {
        group: 'storage.k8s.io',
        kind: 'VolumeAttachment',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.VolumeAttachmentList': {
    description: 'List of VolumeAttachment objects.',
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
              $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeAttachment',
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
        group: 'storage.k8s.io',
        kind: 'VolumeAttachmentList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.storage.v1.VolumeAttachmentSource': {
    description: 'The volume to attach; only one member may be set.',
    properties: {
      inlineVolumeSpec: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeSpec',
          },
        ],
        description: 'Inline volume spec, used for migrated in-tree volumes.',
      },
      persistentVolumeName: {
        type: 'string',
        description: 'Name of the PersistentVolume to attach.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.storage.v1.VolumeAttachmentSpec': {
    description: 'Specification of a VolumeAttachment.',
    properties: {
      attacher: {
        type: 'string',
        description: 'Name of the attacher, the CSI driver name from GetPluginName.',
      },
      nodeName: {
        type: 'string',
        description: 'Node the volume should be attached to.',
      },
      source: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeAttachmentSource',
          },
        ],
        default: {},
        description: 'The volume to attach.',
      },
    },
    type: 'object',
    required: ['attacher', 'nodeName', 'source'],
  },
  'io.k8s.api.storage.v1.VolumeAttachmentStatus': {
    description: 'Status of a VolumeAttachment.',
    properties: {
      attachError: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeError',
          },
        ],
        description: 'Last error while attaching, set by the attacher.',
      },
      attached: {
        type: 'boolean',
        description: 'Whether the volume is attached.',
      },
      attachmentMetadata: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description:
          'Information the attacher returns after a successful attach, passed to later mount calls.',
      },
      detachError: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.storage.v1.VolumeError',
          },
        ],
        description: 'Last error while detaching, set by the attacher.',
      },
    },
    type: 'object',
    required: ['attached'],
  },
  'io.k8s.api.storage.v1.VolumeError': {
    description: 'An error from a volume operation.',
    properties: {
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      time: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the error happened.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.storage.v1.VolumeNodeResources': {
    description: 'Volume limits of a driver on a node.',
    properties: {
      count: {
        type: 'integer',
        format: 'int32',
        description: 'Number of times this event occurred.',
      },
    },
    type: 'object',
  },
};
