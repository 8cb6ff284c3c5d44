// Component schemas of k8s.io/apimachinery (ObjectMeta, ListMeta, Time, Status, DeleteOptions, ...) as
// Kubernetes v1.32 publishes them; descriptions are kvol's own.

import type { SchemaNode } from '../types.ts';

export const metaSchemas: Readonly<Record<string, SchemaNode>> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description: 'A fixed-point number with an optional SI or binary suffix, such as 1Gi or 500m.',
    type: 'string',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': {
    description: 'Options for deleting an object.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      dryRun: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'When present, modifications are not persisted.',
        'x-kubernetes-list-type': 'atomic',
      },
      gracePeriodSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Seconds before the object is deleted; zero means immediately.',
      },
      ignoreStoreReadErrorWithClusterBreakingPotential: {
        type: 'boolean',
        description: 'Delete the object even if it cannot be read from storage; may break the cluster.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      orphanDependents: {
        type: 'boolean',
        description: 'Deprecated; use propagationPolicy.',
      },
      preconditions: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions',
          },
        ],
        description: 'Conditions that must hold before deletion.',
      },
      propagationPolicy: {
        type: 'string',
        description: 'How dependents are garbage collected: Orphan, Background or Foreground.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'DeleteOptions',
        version: 'v1',
      },
    ],
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': {
    description: 'A set of fields in the structured-merge-diff trie format.',
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': {
    description: 'A label query over a set of resources.',
    properties: {
      matchExpressions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
            },
          ],
          default: {},
        },
        description: 'Requirements, all of which must match.',
        'x-kubernetes-list-type': 'atomic',
      },
      matchLabels: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Label key/value pairs, each equivalent to an In requirement with one value.',
      },
    },
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': {
    description: 'A requirement on a label key.',
    properties: {
      key: {
        type: 'string',
        description: 'Label key the selector applies to.',
      },
      operator: {
        type: 'string',
        description: 'Relationship of the key to the values.',
      },
      values: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Values for In and NotIn; empty for Exists and DoesNotExist.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
    required: ['key', 'operator'],
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': {
    description: 'Metadata of a list.',
    properties: {
      continue: {
        type: 'string',
        description: 'Token to retrieve the next page of a chunked list.',
      },
      remainingItemCount: {
        type: 'integer',
        format: 'int64',
        description: 'Number of items left after this list page; may be approximate.',
      },
      resourceVersion: {
        type: 'string',
        description: 'Opaque version of the object, used for concurrency control and watches.',
      },
      selfLink: {
        type: 'string',
        description: 'Deprecated; always empty.',
      },
    },
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': {
    description: 'A set of fields owned by a manager.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Version of the resource the field set applies to.',
      },
      fieldsType: {
        type: 'string',
        description: 'Format of the fieldsV1 value; only FieldsV1.',
      },
      fieldsV1: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
          },
        ],
        description: 'Field set in FieldsV1 format.',
      },
      manager: {
        type: 'string',
        description: 'Identifier of the workflow that manages these fields.',
      },
      operation: {
        type: 'string',
        description: 'Type of operation that caused the entry: Apply or Update.',
      },
      subresource: {
        type: 'string',
        description: 'Subresource the entry applies to; empty for the main resource.',
      },
      time: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Time at which the entry was recorded.',
      },
    },
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': {
    description: 'A timestamp in RFC 3339 form with microsecond precision.',
    type: 'string',
    format: 'date-time',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    description: 'Metadata every persisted resource has.',
    properties: {
      annotations: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Unstructured key/value data stored with the object and not used for selection.',
      },
      creationTimestamp: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Time the object was created, set by the server.',
      },
      deletionGracePeriodSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Seconds the object has left to terminate gracefully once deletion was requested.',
      },
      deletionTimestamp: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Time after which the object will be deleted; set when deletion is requested.',
      },
      finalizers: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Entries that must be removed before the object is deleted.',
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      generateName: {
        type: 'string',
        description: 'Prefix for a server-generated name, used when name is empty.',
      },
      generation: {
        type: 'integer',
        format: 'int64',
        description: 'Sequence number of the desired state, set by the server.',
      },
      labels: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'String keys and values used to organize and select objects.',
      },
      managedFields: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
            },
          ],
          default: {},
        },
        description: 'Which manager manages which fields; maintained by the server.',
        'x-kubernetes-list-type': 'atomic',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      namespace: {
        type: 'string',
        description: 'Namespace of the object.',
      },
      ownerReferences: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
            },
          ],
          default: {},
        },
        description: 'Objects this object depends on.',
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      resourceVersion: {
        type: 'string',
        description: 'Opaque version of the object, used for concurrency control and watches.',
      },
      selfLink: {
        type: 'string',
        description: 'Deprecated; always empty.',
      },
      uid: {
        type: 'string',
        description: 'Unique ID of the object, set by the server.',
      },
    },
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': {
    description: 'Identifies an owning object.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      blockOwnerDeletion: {
        type: 'boolean',
        description:
          'If true, the owner cannot be deleted in the foreground until this reference is removed.',
      },
      controller: {
        type: 'boolean',
        description: 'If true, this reference points to the managing controller.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      name: {
        type: 'string',
        description: 'Name of the owner.',
      },
      uid: {
        type: 'string',
        description: 'UID of the owner.',
      },
    },
    type: 'object',
    required: ['name', 'uid'],
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': {
    description: 'A patch body; its format depends on the content type.',
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions': {
    description: 'Conditions that must be fulfilled before an operation.',
    properties: {
      resourceVersion: {
        type: 'string',
        description: 'Expected resource version of the object.',
      },
      uid: {
        type: 'string',
        description: 'Expected UID of the object.',
      },
    },
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': {
    description: 'Result of an operation that does not return an object.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      code: {
        type: 'integer',
        format: 'int32',
        description: 'Suggested HTTP return code for this status; 0 if not set.',
      },
      details: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails',
          },
        ],
        description: 'Extended data for the reason.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      message: {
        type: 'string',
        description: "Human readable description of the operation's status.",
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
      reason: {
        type: 'string',
        description: 'Machine readable reason for a Failure status.',
      },
      status: {
        type: 'string',
        description: 'Status of the operation: Success or Failure.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'Status',
        version: 'v1',
      },
    ],
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause': {
    description: 'One cause of an error.',
    properties: {
      field: {
        type: 'string',
        description: 'Field of the resource that caused the error, in field path form.',
      },
      message: {
        type: 'string',
        description: 'Human readable cause of the error.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable cause of the error.',
      },
    },
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails': {
    description: 'Extended data about a status.',
    properties: {
      causes: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause',
            },
          ],
          default: {},
        },
        description: 'Extended data about the causes of the error.',
        'x-kubernetes-list-type': 'atomic',
      },
      group: {
        type: 'string',
        description: 'Group of the resource the status refers to.',
      },
      kind: {
        type: 'string',
        description: 'Kind of the resource the status refers to.',
      },
      name: {
        type: 'string',
        description: 'Name of the resource the status refers to.',
      },
      retryAfterSeconds: {
        type: 'integer',
        format: 'int32',
        description: 'Seconds to wait before retrying.',
      },
      uid: {
        type: 'string',
        description: 'UID of the resource the status refers to.',
      },
    },
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': {
    description: 'A timestamp in RFC 3339 form with second precision.',
    type: 'string',
    format: 'date-time',
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description: 'An integer or a string.',
    type: 'string',
    format: 'int-or-string',
  },
};
