// Component schemas of the core/v1 kinds kvol serves (Namespace, Node, Pod, PersistentVolume,
// PersistentVolumeClaim, ConfigMap, Secret, Event) and every type they reach, as Kubernetes v1.32 publishes
// them in /openapi/v3/api/v1: upstream names, field sets, formats, enums and merge extensions. The
// descriptions are kvol's own short ones.

import type { SchemaNode } from '../types.ts';

export const coreSchemas: Readonly<Record<string, SchemaNode>> = {
  'io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource': {
    description: 'Represents a AWSElasticBlockStore volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      partition: {
        type: 'integer',
        format: 'int32',
        description: 'Partition number of the volume; 0 means the whole disk.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      volumeID: {
        type: 'string',
        description: 'Volume ID.',
      },
    },
    type: 'object',
    required: ['volumeID'],
  },
  'io.k8s.api.core.v1.Affinity': {
    description: 'Scheduling constraints of a pod.',
    properties: {
      nodeAffinity: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeAffinity',
          },
        ],
        description: 'Node affinity scheduling rules.',
      },
      podAffinity: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodAffinity',
          },
        ],
        description: 'Rules that co-locate the pod with other pods.',
      },
      podAntiAffinity: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodAntiAffinity',
          },
        ],
        description: 'Rules that keep the pod apart from other pods.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.AppArmorProfile': {
    description: 'An AppArmor profile.',
    properties: {
      localhostProfile: {
        type: 'string',
        description: "Profile file on the node, relative to the kubelet's configured profile location.",
      },
      type: {
        type: 'string',
        enum: ['Localhost', 'RuntimeDefault', 'Unconfined'],
        description: 'Kind of AppArmor profile: Localhost, RuntimeDefault or Unconfined.',
      },
    },
    type: 'object',
    required: ['type'],
  },
  'io.k8s.api.core.v1.AttachedVolume': {
    description: 'A volume attached to a node.',
    properties: {
      devicePath: {
        type: 'string',
        description: 'Device path at which the volume should be available.',
      },
      name: {
        type: 'string',
        description: 'Name of the attached volume.',
      },
    },
    type: 'object',
    required: ['devicePath', 'name'],
  },
  'io.k8s.api.core.v1.AzureDiskVolumeSource': {
    description: 'Represents a AzureDisk volume.',
    properties: {
      cachingMode: {
        type: 'string',
        enum: ['None', 'ReadOnly', 'ReadWrite'],
        description: 'Host caching mode: None, ReadOnly or ReadWrite.',
      },
      diskName: {
        type: 'string',
        description: 'Name of the data disk in blob storage.',
      },
      diskURI: {
        type: 'string',
        description: 'URI of the data disk in blob storage.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
    },
    type: 'object',
    required: ['diskName', 'diskURI'],
  },
  'io.k8s.api.core.v1.AzureFilePersistentVolumeSource': {
    description: 'Represents a AzureFile volume.',
    properties: {
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretName: {
        type: 'string',
        description: 'Name of the secret.',
      },
      secretNamespace: {
        type: 'string',
        description: 'Namespace of the secret.',
      },
      shareName: {
        type: 'string',
        description: 'Share name.',
      },
    },
    type: 'object',
    required: ['secretName', 'shareName'],
  },
  'io.k8s.api.core.v1.AzureFileVolumeSource': {
    description: 'Represents a AzureFile volume.',
    properties: {
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretName: {
        type: 'string',
        description: 'Name of the secret.',
      },
      shareName: {
        type: 'string',
        description: 'Share name.',
      },
    },
    type: 'object',
    required: ['secretName', 'shareName'],
  },
  'io.k8s.api.core.v1.CSIPersistentVolumeSource': {
    description: 'A persistent volume handled by a CSI driver.',
    properties: {
      controllerExpandSecretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Secret passed to ControllerExpandVolume.',
      },
      controllerPublishSecretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Secret passed to ControllerPublishVolume and ControllerUnpublishVolume.',
      },
      driver: {
        type: 'string',
        description: 'Name of the driver.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      nodeExpandSecretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Secret passed to NodeExpandVolume.',
      },
      nodePublishSecretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Secret passed to NodePublishVolume.',
      },
      nodeStageSecretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Secret passed to NodeStageVolume.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      volumeAttributes: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Attributes passed to the driver.',
      },
      volumeHandle: {
        type: 'string',
        description: 'Unique volume name returned by the CSI driver.',
      },
    },
    type: 'object',
    required: ['driver', 'volumeHandle'],
  },
  'io.k8s.api.core.v1.CSIVolumeSource': {
    description: 'An inline volume handled by a CSI driver.',
    properties: {
      driver: {
        type: 'string',
        description: 'Name of the driver.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      nodePublishSecretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Secret passed to NodePublishVolume.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      volumeAttributes: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Attributes passed to the driver.',
      },
    },
    type: 'object',
    required: ['driver'],
  },
  'io.k8s.api.core.v1.Capabilities': {
    description: 'Linux capabilities to add or drop.',
    properties: {
      add: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Capabilities to add.',
        'x-kubernetes-list-type': 'atomic',
      },
      drop: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Capabilities to remove.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.CephFSPersistentVolumeSource': {
    description: 'Represents a CephFS volume.',
    properties: {
      monitors: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Ceph monitors.',
        'x-kubernetes-list-type': 'atomic',
      },
      path: {
        type: 'string',
        description: 'Root of the mount; defaults to /.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretFile: {
        type: 'string',
        description: 'Path to the key ring for the user.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      user: {
        type: 'string',
        description: 'RADOS user name.',
      },
    },
    type: 'object',
    required: ['monitors'],
  },
  'io.k8s.api.core.v1.CephFSVolumeSource': {
    description: 'Represents a CephFS volume.',
    properties: {
      monitors: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Ceph monitors.',
        'x-kubernetes-list-type': 'atomic',
      },
      path: {
        type: 'string',
        description: 'Root of the mount; defaults to /.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretFile: {
        type: 'string',
        description: 'Path to the key ring for the user.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      user: {
        type: 'string',
        description: 'RADOS user name.',
      },
    },
    type: 'object',
    required: ['monitors'],
  },
  'io.k8s.api.core.v1.CinderPersistentVolumeSource': {
    description: 'Represents a Cinder volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      volumeID: {
        type: 'string',
        description: 'Volume ID.',
      },
    },
    type: 'object',
    required: ['volumeID'],
  },
  'io.k8s.api.core.v1.CinderVolumeSource': {
    description: 'Represents a Cinder volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      volumeID: {
        type: 'string',
        description: 'Volume ID.',
      },
    },
    type: 'object',
    required: ['volumeID'],
  },
  'io.k8s.api.core.v1.ClusterTrustBundleProjection': {
    description: 'ClusterTrustBundle objects to project.',
    properties: {
      labelSelector: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
          },
        ],
        description: 'Label query over a set of resources.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
      path: {
        type: 'string',
        description: 'Relative path of the bundle file.',
      },
      signerName: {
        type: 'string',
        description: 'Select ClusterTrustBundles of this signer.',
      },
    },
    type: 'object',
    required: ['path'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.ConfigMap': {
    description: 'Configuration data for pods.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      binaryData: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Binary data, base64 encoded in JSON.',
      },
      data: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Configuration data; keys must be valid file names.',
      },
      immutable: {
        type: 'boolean',
        description: 'If true, the data cannot be updated.',
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
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'ConfigMap',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.ConfigMapEnvSource': {
    description: 'Selects a ConfigMap to populate environment variables.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ConfigMapKeySelector': {
    description: 'Selects a key of a ConfigMap.',
    properties: {
      key: {
        type: 'string',
        description: 'Key to select.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
    required: ['key'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.ConfigMapList': {
    description: 'List of ConfigMap objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap',
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
        group: '',
        kind: 'ConfigMapList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.ConfigMapNodeConfigSource': {
    description: 'A ConfigMap holding node configuration.',
    properties: {
      kubeletConfigKey: {
        type: 'string',
        description: 'Key of the referenced ConfigMap holding the KubeletConfiguration.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      namespace: {
        type: 'string',
        description: 'Namespace of the object.',
      },
      resourceVersion: {
        type: 'string',
        description: 'Opaque version of the object, used for concurrency control and watches.',
      },
      uid: {
        type: 'string',
        description: 'Unique identifier.',
      },
    },
    type: 'object',
    required: ['kubeletConfigKey', 'name', 'namespace'],
  },
  'io.k8s.api.core.v1.ConfigMapProjection': {
    description: 'ConfigMap data to project.',
    properties: {
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.KeyToPath',
            },
          ],
          default: {},
        },
        description: 'Keys to project and their paths.',
        'x-kubernetes-list-type': 'atomic',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ConfigMapVolumeSource': {
    description: 'A ConfigMap exposed as files.',
    properties: {
      defaultMode: {
        type: 'integer',
        format: 'int32',
        description: 'Default file mode bits for created files, octal or decimal.',
      },
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.KeyToPath',
            },
          ],
          default: {},
        },
        description: 'Keys to project and their paths; unlisted keys are omitted when set.',
        'x-kubernetes-list-type': 'atomic',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.Container': {
    description: 'A container to run in a pod.',
    properties: {
      args: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Arguments to the entrypoint.',
        'x-kubernetes-list-type': 'atomic',
      },
      command: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Entrypoint array; not run in a shell.',
        'x-kubernetes-list-type': 'atomic',
      },
      env: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.EnvVar',
            },
          ],
          default: {},
        },
        description: 'Environment variables to set in the container.',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      envFrom: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.EnvFromSource',
            },
          ],
          default: {},
        },
        description: 'Sources whose keys populate environment variables.',
        'x-kubernetes-list-type': 'atomic',
      },
      image: {
        type: 'string',
        description: 'Container image name.',
      },
      imagePullPolicy: {
        type: 'string',
        enum: ['Always', 'IfNotPresent', 'Never'],
        description: 'Image pull policy: Always, Never or IfNotPresent.',
      },
      lifecycle: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Lifecycle',
          },
        ],
        description: 'Actions the system runs in response to container lifecycle events.',
      },
      livenessProbe: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Probe',
          },
        ],
        description: 'Periodic probe of container liveness; failures restart the container.',
      },
      name: {
        type: 'string',
        description: 'Name of the container, unique within the pod.',
      },
      ports: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerPort',
            },
          ],
          default: {},
        },
        description: 'Network ports exposed by the container.',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      },
      readinessProbe: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Probe',
          },
        ],
        description: 'Periodic probe of container readiness; failures remove the pod from endpoints.',
      },
      resizePolicy: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerResizePolicy',
            },
          ],
          default: {},
        },
        description: 'Resize policy per resource of the container.',
        'x-kubernetes-list-type': 'atomic',
      },
      resources: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements',
          },
        ],
        default: {},
        description: 'Compute resource requirements.',
      },
      restartPolicy: {
        type: 'string',
        description: 'Restart policy of an init container; only Always (sidecar).',
      },
      securityContext: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecurityContext',
          },
        ],
        description: 'Security options.',
      },
      startupProbe: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Probe',
          },
        ],
        description: 'Probe that must succeed before other probes run.',
      },
      stdin: {
        type: 'boolean',
        description: 'Allocate a buffer for stdin.',
      },
      stdinOnce: {
        type: 'boolean',
        description: 'Close stdin after the first attach ends.',
      },
      terminationMessagePath: {
        type: 'string',
        description: 'File whose contents become the termination message.',
      },
      terminationMessagePolicy: {
        type: 'string',
        enum: ['FallbackToLogsOnError', 'File'],
        description: 'Source of the termination message: File or FallbackToLogsOnError.',
      },
      tty: {
        type: 'boolean',
        description: 'Allocate a TTY.',
      },
      volumeDevices: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeDevice',
            },
          ],
          default: {},
        },
        description: 'Block devices the container uses.',
        'x-kubernetes-patch-merge-key': 'devicePath',
        'x-kubernetes-patch-strategy': 'merge',
      },
      volumeMounts: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeMount',
            },
          ],
          default: {},
        },
        description: 'Volumes mounted into the container.',
        'x-kubernetes-patch-merge-key': 'mountPath',
        'x-kubernetes-patch-strategy': 'merge',
      },
      workingDir: {
        type: 'string',
        description: 'Container working directory.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.ContainerImage': {
    description: 'A container image present on the node.',
    properties: {
      names: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Names known for the image.',
        'x-kubernetes-list-type': 'atomic',
      },
      sizeBytes: {
        type: 'integer',
        format: 'int64',
        description: 'Size of the image in bytes.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ContainerPort': {
    description: 'A network port of a container.',
    properties: {
      containerPort: {
        type: 'integer',
        format: 'int32',
        description: 'Port number to expose on the pod IP address.',
      },
      hostIP: {
        type: 'string',
        description: 'Host IP to bind the external port to.',
      },
      hostPort: {
        type: 'integer',
        format: 'int32',
        description: 'Port number to expose on the host.',
      },
      name: {
        type: 'string',
        description: 'IANA_SVC_NAME name of the port, unique within the pod.',
      },
      protocol: {
        type: 'string',
        enum: ['SCTP', 'TCP', 'UDP'],
        description: 'Port protocol: TCP, UDP or SCTP.',
      },
    },
    type: 'object',
    required: ['containerPort'],
  },
  'io.k8s.api.core.v1.ContainerResizePolicy': {
    description: 'Resize policy for one resource of a container.',
    properties: {
      resourceName: {
        type: 'string',
        description: 'Name of the resource the policy applies to.',
      },
      restartPolicy: {
        type: 'string',
        description: 'Whether a resize restarts the container: NotRequired or RestartContainer.',
      },
    },
    type: 'object',
    required: ['resourceName', 'restartPolicy'],
  },
  'io.k8s.api.core.v1.ContainerState': {
    description: 'State of a container; only one member is set.',
    properties: {
      running: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerStateRunning',
          },
        ],
        description: 'Details of a running container.',
      },
      terminated: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerStateTerminated',
          },
        ],
        description: 'Details of a terminated container.',
      },
      waiting: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerStateWaiting',
          },
        ],
        description: 'Details of a waiting container.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ContainerStateRunning': {
    description: 'A running container.',
    properties: {
      startedAt: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the container started.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ContainerStateTerminated': {
    description: 'A terminated container.',
    properties: {
      containerID: {
        type: 'string',
        description: "Container ID in the format '<type>://<container_id>'.",
      },
      exitCode: {
        type: 'integer',
        format: 'int32',
        description: 'Exit status of the last termination.',
      },
      finishedAt: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the container last terminated.',
      },
      message: {
        type: 'string',
        description: 'Message about the termination.',
      },
      reason: {
        type: 'string',
        description: 'Short reason for the termination.',
      },
      signal: {
        type: 'integer',
        format: 'int32',
        description: 'Signal that terminated the container.',
      },
      startedAt: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the container started.',
      },
    },
    type: 'object',
    required: ['exitCode'],
  },
  'io.k8s.api.core.v1.ContainerStateWaiting': {
    description: 'A waiting container.',
    properties: {
      message: {
        type: 'string',
        description: 'Message about why the container is not running yet.',
      },
      reason: {
        type: 'string',
        description: 'Why the container is not running yet.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ContainerStatus': {
    description: 'Status of a container.',
    properties: {
      allocatedResources: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Compute resources the node allocated to this container.',
      },
      allocatedResourcesStatus: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceStatus',
            },
          ],
          default: {},
        },
        description: 'Health of resources allocated to this container.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      containerID: {
        type: 'string',
        description: "Container ID in the format '<type>://<container_id>'.",
      },
      image: {
        type: 'string',
        description: 'Image the container is running.',
      },
      imageID: {
        type: 'string',
        description: "Image ID of the container's image.",
      },
      lastState: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerState',
          },
        ],
        description: "Details of the container's last termination.",
      },
      name: {
        type: 'string',
        description: 'Name of the container.',
      },
      ready: {
        type: 'boolean',
        description: 'Whether the container passes its readiness check.',
      },
      resources: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements',
          },
        ],
        default: {},
        description: 'Compute resources configured for the running container.',
      },
      restartCount: {
        type: 'integer',
        format: 'int32',
        description: 'Number of times the container restarted.',
      },
      started: {
        type: 'boolean',
        description: 'Whether the container passed its startup probe.',
      },
      state: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerState',
          },
        ],
        description: 'Current state of the container.',
      },
      user: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerUser',
          },
        ],
        description: "Identity of the container's first process.",
      },
      volumeMounts: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeMountStatus',
            },
          ],
          default: {},
        },
        description: 'Volumes mounted into the container.',
        'x-kubernetes-patch-merge-key': 'mountPath',
        'x-kubernetes-patch-strategy': 'merge',
      },
    },
    type: 'object',
    required: ['image', 'imageID', 'name', 'ready', 'restartCount'],
  },
  'io.k8s.api.core.v1.ContainerUser': {
    description: "Identity of a container's first process.",
    properties: {
      linux: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LinuxContainerUser',
          },
        ],
        description: 'Linux identity of the first process.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.DaemonEndpoint': {
    description: 'A port on which a daemon listens.',
    properties: {
      Port: {
        type: 'integer',
        format: 'int32',
        description: 'Port number of the endpoint.',
      },
    },
    type: 'object',
    required: ['Port'],
  },
  'io.k8s.api.core.v1.DownwardAPIProjection': {
    description: 'Downward API data to project.',
    properties: {
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.DownwardAPIVolumeFile',
            },
          ],
          default: {},
        },
        description: 'Downward API files to create.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.DownwardAPIVolumeFile': {
    description: 'A file with pod information.',
    properties: {
      fieldRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectFieldSelector',
          },
        ],
        description: 'Selects a field of the pod.',
      },
      mode: {
        type: 'integer',
        format: 'int32',
        description: 'File mode bits, octal or decimal.',
      },
      path: {
        type: 'string',
        description: 'Relative path of the file to create.',
      },
      resourceFieldRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceFieldSelector',
          },
        ],
        description: 'Selects a resource of the container.',
      },
    },
    type: 'object',
    required: ['path'],
  },
  'io.k8s.api.core.v1.DownwardAPIVolumeSource': {
    description: 'Pod information exposed as files.',
    properties: {
      defaultMode: {
        type: 'integer',
        format: 'int32',
        description: 'Default file mode bits for created files, octal or decimal.',
      },
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.DownwardAPIVolumeFile',
            },
          ],
          default: {},
        },
        description: 'Downward API files to create.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.EmptyDirVolumeSource': {
    description: 'A temporary directory that lives as long as the pod.',
    properties: {
      medium: {
        type: 'string',
        description: 'Storage medium backing the directory; empty for the node default, or Memory.',
      },
      sizeLimit: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
          },
        ],
        description: 'Maximum amount of local storage the directory may use.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.EnvFromSource': {
    description: 'A source of environment variables.',
    properties: {
      configMapRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMapEnvSource',
          },
        ],
        description: 'The ConfigMap to select from.',
      },
      prefix: {
        type: 'string',
        description: 'Prefix added to each key.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretEnvSource',
          },
        ],
        description: 'The Secret to select from.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.EnvVar': {
    description: 'An environment variable.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the environment variable.',
      },
      value: {
        type: 'string',
        description: 'Literal value, with $(VAR) references expanded.',
      },
      valueFrom: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.EnvVarSource',
          },
        ],
        description: "Source of the variable's value.",
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.EnvVarSource': {
    description: "Source of an environment variable's value.",
    properties: {
      configMapKeyRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMapKeySelector',
          },
        ],
        description: 'Selects a key of a ConfigMap.',
      },
      fieldRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectFieldSelector',
          },
        ],
        description: 'Selects a field of the pod.',
      },
      resourceFieldRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceFieldSelector',
          },
        ],
        description: 'Selects a resource of the container.',
      },
      secretKeyRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretKeySelector',
          },
        ],
        description: 'Selects a key of a Secret.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.EphemeralContainer': {
    description: 'A debugging container added to a running pod.',
    properties: {
      args: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Arguments to the entrypoint.',
        'x-kubernetes-list-type': 'atomic',
      },
      command: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Entrypoint array; not run in a shell.',
        'x-kubernetes-list-type': 'atomic',
      },
      env: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.EnvVar',
            },
          ],
          default: {},
        },
        description: 'Environment variables to set in the container.',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      envFrom: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.EnvFromSource',
            },
          ],
          default: {},
        },
        description: 'Sources whose keys populate environment variables.',
        'x-kubernetes-list-type': 'atomic',
      },
      image: {
        type: 'string',
        description: 'Container image name.',
      },
      imagePullPolicy: {
        type: 'string',
        enum: ['Always', 'IfNotPresent', 'Never'],
        description: 'Image pull policy: Always, Never or IfNotPresent.',
      },
      lifecycle: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Lifecycle',
          },
        ],
        description: 'Actions the system runs in response to container lifecycle events.',
      },
      livenessProbe: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Probe',
          },
        ],
        description: 'Periodic probe of container liveness; failures restart the container.',
      },
      name: {
        type: 'string',
        description: 'Name of the ephemeral container, unique within the pod.',
      },
      ports: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerPort',
            },
          ],
          default: {},
        },
        description: 'Network ports exposed by the container.',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      },
      readinessProbe: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Probe',
          },
        ],
        description: 'Periodic probe of container readiness; failures remove the pod from endpoints.',
      },
      resizePolicy: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerResizePolicy',
            },
          ],
          default: {},
        },
        description: 'Resize policy per resource of the container.',
        'x-kubernetes-list-type': 'atomic',
      },
      resources: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements',
          },
        ],
        default: {},
        description: 'Compute resource requirements.',
      },
      restartPolicy: {
        type: 'string',
        description: 'Not allowed for ephemeral containers.',
      },
      securityContext: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecurityContext',
          },
        ],
        description: 'Security options.',
      },
      startupProbe: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Probe',
          },
        ],
        description: 'Probe that must succeed before other probes run.',
      },
      stdin: {
        type: 'boolean',
        description: 'Allocate a buffer for stdin.',
      },
      stdinOnce: {
        type: 'boolean',
        description: 'Close stdin after the first attach ends.',
      },
      targetContainerName: {
        type: 'string',
        description: 'Container whose namespaces the ephemeral container targets.',
      },
      terminationMessagePath: {
        type: 'string',
        description: 'File whose contents become the termination message.',
      },
      terminationMessagePolicy: {
        type: 'string',
        enum: ['FallbackToLogsOnError', 'File'],
        description: 'Source of the termination message: File or FallbackToLogsOnError.',
      },
      tty: {
        type: 'boolean',
        description: 'Allocate a TTY.',
      },
      volumeDevices: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeDevice',
            },
          ],
          default: {},
        },
        description: 'Block devices the container uses.',
        'x-kubernetes-patch-merge-key': 'devicePath',
        'x-kubernetes-patch-strategy': 'merge',
      },
      volumeMounts: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeMount',
            },
          ],
          default: {},
        },
        description: 'Volumes mounted into the container.',
        'x-kubernetes-patch-merge-key': 'mountPath',
        'x-kubernetes-patch-strategy': 'merge',
      },
      workingDir: {
        type: 'string',
        description: 'Container working directory.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.EphemeralVolumeSource': {
    description: 'A volume provisioned for the pod by a storage driver.',
    properties: {
      volumeClaimTemplate: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimTemplate',
          },
        ],
        description: 'Template of the PersistentVolumeClaim created for the volume.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.Event': {
    description: 'A report of an event somewhere in the cluster.',
    properties: {
      action: {
        type: 'string',
        description: 'What action was taken or failed.',
      },
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      count: {
        type: 'integer',
        format: 'int32',
        description: 'Number of times the event occurred.',
      },
      eventTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
          },
        ],
        description: 'Time the event was first observed, with microseconds.',
      },
      firstTimestamp: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the event was first recorded.',
      },
      involvedObject: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectReference',
          },
        ],
        default: {},
        description: 'The object this event is about.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      lastTimestamp: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the most recent occurrence was recorded.',
      },
      message: {
        type: 'string',
        description: 'Human readable description of the event.',
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
      reason: {
        type: 'string',
        description: 'Short machine readable reason for the transition.',
      },
      related: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectReference',
          },
        ],
        description: 'Secondary object the event is about.',
      },
      reportingComponent: {
        type: 'string',
        description: 'Controller that emitted the event.',
      },
      reportingInstance: {
        type: 'string',
        description: 'Instance of the controller that emitted the event.',
      },
      series: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.EventSeries',
          },
        ],
        description: 'Data about the series this event belongs to.',
      },
      source: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.EventSource',
          },
        ],
        default: {},
        description: 'Component reporting the event.',
      },
      type: {
        type: 'string',
        description: 'Event type: Normal or Warning.',
      },
    },
    type: 'object',
    required: ['involvedObject', 'metadata'],
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'Event',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.EventList': {
    description: 'List of Event objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.Event',
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
        group: '',
        kind: 'EventList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.EventSeries': {
    description: 'Data about a series of events.',
    properties: {
      count: {
        type: 'integer',
        format: 'int32',
        description: 'Number of occurrences in this series up to the last heartbeat.',
      },
      lastObservedTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
          },
        ],
        description: 'Time of the last occurrence in the series.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.EventSource': {
    description: 'Source of an event.',
    properties: {
      component: {
        type: 'string',
        description: 'Component that generated the event.',
      },
      host: {
        type: 'string',
        description: 'Node name on which the event was generated.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ExecAction': {
    description: 'Runs a command in the container.',
    properties: {
      command: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Command line to execute inside the container; not run in a shell.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.FCVolumeSource': {
    description: 'Represents a FC volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      lun: {
        type: 'integer',
        format: 'int32',
        description: 'Logical unit number.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      targetWWNs: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Fibre Channel target worldwide names.',
        'x-kubernetes-list-type': 'atomic',
      },
      wwids: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Fibre Channel worldwide IDs.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.FlexPersistentVolumeSource': {
    description: 'Represents a Flex volume.',
    properties: {
      driver: {
        type: 'string',
        description: 'Name of the driver.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      options: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Options for the resolver.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
    },
    type: 'object',
    required: ['driver'],
  },
  'io.k8s.api.core.v1.FlexVolumeSource': {
    description: 'Represents a Flex volume.',
    properties: {
      driver: {
        type: 'string',
        description: 'Name of the driver.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      options: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Options for the resolver.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
    },
    type: 'object',
    required: ['driver'],
  },
  'io.k8s.api.core.v1.FlockerVolumeSource': {
    description: 'Represents a Flocker volume.',
    properties: {
      datasetName: {
        type: 'string',
        description: 'Name of the Flocker dataset (deprecated).',
      },
      datasetUUID: {
        type: 'string',
        description: 'UUID of the Flocker dataset (deprecated).',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.GCEPersistentDiskVolumeSource': {
    description: 'Represents a GCEPersistentDisk volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      partition: {
        type: 'integer',
        format: 'int32',
        description: 'Partition number of the volume; 0 means the whole disk.',
      },
      pdName: {
        type: 'string',
        description: 'Name of the persistent disk in GCE.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
    },
    type: 'object',
    required: ['pdName'],
  },
  'io.k8s.api.core.v1.GRPCAction': {
    description: 'A gRPC health check.',
    properties: {
      port: {
        type: 'integer',
        format: 'int32',
        description: 'Port number or name.',
      },
      service: {
        type: 'string',
        description: 'Service name of the gRPC health check.',
      },
    },
    type: 'object',
    required: ['port'],
  },
  'io.k8s.api.core.v1.GitRepoVolumeSource': {
    description: 'A git repository checkout (deprecated).',
    properties: {
      directory: {
        type: 'string',
        description: 'Target directory name for the git checkout.',
      },
      repository: {
        type: 'string',
        description: 'Repository URL.',
      },
      revision: {
        type: 'string',
        description: 'Commit hash to check out.',
      },
    },
    type: 'object',
    required: ['repository'],
  },
  'io.k8s.api.core.v1.GlusterfsPersistentVolumeSource': {
    description: 'Represents a Glusterfs volume.',
    properties: {
      endpoints: {
        type: 'string',
        description: 'Endpoint name with the Glusterfs topology.',
      },
      endpointsNamespace: {
        type: 'string',
        description: 'Namespace of the Glusterfs endpoint.',
      },
      path: {
        type: 'string',
        description: 'Glusterfs volume path.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
    },
    type: 'object',
    required: ['endpoints', 'path'],
  },
  'io.k8s.api.core.v1.GlusterfsVolumeSource': {
    description: 'Represents a Glusterfs volume.',
    properties: {
      endpoints: {
        type: 'string',
        description: 'Endpoint name with the Glusterfs topology.',
      },
      path: {
        type: 'string',
        description: 'Glusterfs volume path.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
    },
    type: 'object',
    required: ['endpoints', 'path'],
  },
  'io.k8s.api.core.v1.HTTPGetAction': {
    description: 'An HTTP GET request.',
    properties: {
      host: {
        type: 'string',
        description: 'Host name to connect to; defaults to the pod IP.',
      },
      httpHeaders: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.HTTPHeader',
            },
          ],
          default: {},
        },
        description: 'Custom headers to set in the request.',
        'x-kubernetes-list-type': 'atomic',
      },
      path: {
        type: 'string',
        description: 'Path to access on the HTTP server.',
      },
      port: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString',
          },
        ],
        description: 'Port number or name.',
      },
      scheme: {
        type: 'string',
        enum: ['HTTP', 'HTTPS'],
        description: 'Scheme to connect with: HTTP or HTTPS.',
      },
    },
    type: 'object',
    required: ['port'],
  },
  'io.k8s.api.core.v1.HTTPHeader': {
    description: 'An HTTP header.',
    properties: {
      name: {
        type: 'string',
        description: 'Header field name.',
      },
      value: {
        type: 'string',
        description: 'Header field value.',
      },
    },
    type: 'object',
    required: ['name', 'value'],
  },
  'io.k8s.api.core.v1.HostAlias': {
    description: "An entry for the pod's hosts file.",
    properties: {
      hostnames: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Host names for the IP address.',
        'x-kubernetes-list-type': 'atomic',
      },
      ip: {
        type: 'string',
        description: 'IP address of the host file entry.',
      },
    },
    type: 'object',
    required: ['ip'],
  },
  'io.k8s.api.core.v1.HostIP': {
    description: "An IP address of the pod's host.",
    properties: {
      ip: {
        type: 'string',
        description: 'IP address.',
      },
    },
    type: 'object',
    required: ['ip'],
  },
  'io.k8s.api.core.v1.HostPathVolumeSource': {
    description: 'A file or directory on the host.',
    properties: {
      path: {
        type: 'string',
        description: 'Path of the directory or file on the host.',
      },
      type: {
        type: 'string',
        enum: [
          '',
          'BlockDevice',
          'CharDevice',
          'Directory',
          'DirectoryOrCreate',
          'File',
          'FileOrCreate',
          'Socket',
        ],
        description: 'Expected type of the host path; empty skips checks.',
      },
    },
    type: 'object',
    required: ['path'],
  },
  'io.k8s.api.core.v1.ISCSIPersistentVolumeSource': {
    description: 'Represents a ISCSI volume.',
    properties: {
      chapAuthDiscovery: {
        type: 'boolean',
        description: 'Whether iSCSI discovery CHAP authentication is used.',
      },
      chapAuthSession: {
        type: 'boolean',
        description: 'Whether iSCSI session CHAP authentication is used.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      initiatorName: {
        type: 'string',
        description: 'Custom iSCSI initiator name.',
      },
      iqn: {
        type: 'string',
        description: 'iSCSI qualified name of the target.',
      },
      iscsiInterface: {
        type: 'string',
        description: 'iSCSI interface name that uses an iSCSI transport.',
      },
      lun: {
        type: 'integer',
        format: 'int32',
        description: 'Logical unit number.',
      },
      portals: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Additional iSCSI target portals.',
        'x-kubernetes-list-type': 'atomic',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      targetPortal: {
        type: 'string',
        description: 'iSCSI target portal.',
      },
    },
    type: 'object',
    required: ['iqn', 'lun', 'targetPortal'],
  },
  'io.k8s.api.core.v1.ISCSIVolumeSource': {
    description: 'Represents a ISCSI volume.',
    properties: {
      chapAuthDiscovery: {
        type: 'boolean',
        description: 'Whether iSCSI discovery CHAP authentication is used.',
      },
      chapAuthSession: {
        type: 'boolean',
        description: 'Whether iSCSI session CHAP authentication is used.',
      },
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      initiatorName: {
        type: 'string',
        description: 'Custom iSCSI initiator name.',
      },
      iqn: {
        type: 'string',
        description: 'iSCSI qualified name of the target.',
      },
      iscsiInterface: {
        type: 'string',
        description: 'iSCSI interface name that uses an iSCSI transport.',
      },
      lun: {
        type: 'integer',
        format: 'int32',
        description: 'Logical unit number.',
      },
      portals: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Additional iSCSI target portals.',
        'x-kubernetes-list-type': 'atomic',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      targetPortal: {
        type: 'string',
        description: 'iSCSI target portal.',
      },
    },
    type: 'object',
    required: ['iqn', 'lun', 'targetPortal'],
  },
  'io.k8s.api.core.v1.ImageVolumeSource': {
    description: 'An OCI image or artifact mounted as a volume.',
    properties: {
      pullPolicy: {
        type: 'string',
        enum: ['Always', 'IfNotPresent', 'Never'],
        description: 'Image pull policy: Always, Never or IfNotPresent.',
      },
      reference: {
        type: 'string',
        description: 'Image or artifact reference to mount.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.KeyToPath': {
    description: 'Maps a key to a path in a volume.',
    properties: {
      key: {
        type: 'string',
        description: 'Key to project.',
      },
      mode: {
        type: 'integer',
        format: 'int32',
        description: 'File mode bits, octal or decimal.',
      },
      path: {
        type: 'string',
        description: 'Relative path of the file to map the key to.',
      },
    },
    type: 'object',
    required: ['key', 'path'],
  },
  'io.k8s.api.core.v1.Lifecycle': {
    description: 'Actions taken on container lifecycle events.',
    properties: {
      postStart: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LifecycleHandler',
          },
        ],
        description: 'Handler called right after the container is created.',
      },
      preStop: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LifecycleHandler',
          },
        ],
        description: 'Handler called before the container is terminated.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.LifecycleHandler': {
    description: 'An action run on a lifecycle event.',
    properties: {
      exec: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ExecAction',
          },
        ],
        description: 'Run a command inside the container.',
      },
      httpGet: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.HTTPGetAction',
          },
        ],
        description: 'Perform an HTTP GET request.',
      },
      sleep: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SleepAction',
          },
        ],
        description: 'Sleep for a duration.',
      },
      tcpSocket: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.TCPSocketAction',
          },
        ],
        description: 'Open a TCP connection.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.LinuxContainerUser': {
    description: "Linux identity of a container's first process.",
    properties: {
      gid: {
        type: 'integer',
        format: 'int64',
        description: 'Primary group ID of the first process.',
      },
      supplementalGroups: {
        type: 'array',
        items: {
          type: 'integer',
          format: 'int64',
          default: 0,
        },
        description: 'Additional groups for the first process.',
        'x-kubernetes-list-type': 'atomic',
      },
      uid: {
        type: 'integer',
        format: 'int64',
        description: 'Unique identifier.',
      },
    },
    type: 'object',
    required: ['gid', 'uid'],
  },
  'io.k8s.api.core.v1.LocalObjectReference': {
    description: 'References an object by name in the same namespace.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the referent.',
      },
    },
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.LocalVolumeSource': {
    description: 'A local disk, partition or directory on a node.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      path: {
        type: 'string',
        description: 'Full path of the volume on the node.',
      },
    },
    type: 'object',
    required: ['path'],
  },
  'io.k8s.api.core.v1.ModifyVolumeStatus': {
    description: 'Status of a ControllerModifyVolume operation.',
    properties: {
      status: {
        type: 'string',
        enum: ['InProgress', 'Infeasible', 'Pending'],
        description: 'Status of the modification: Pending, InProgress or Infeasible.',
      },
      targetVolumeAttributesClassName: {
        type: 'string',
        description: 'Name of the VolumeAttributesClass being applied.',
      },
    },
    type: 'object',
    required: ['status'],
  },
  'io.k8s.api.core.v1.NFSVolumeSource': {
    description: 'An NFS export.',
    properties: {
      path: {
        type: 'string',
        description: 'Path exported by the NFS server.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      server: {
        type: 'string',
        description: 'Server host name or IP address.',
      },
    },
    type: 'object',
    required: ['path', 'server'],
  },
  'io.k8s.api.core.v1.Namespace': {
    description: 'Namespace provides a scope for names.',
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
            $ref: '#/components/schemas/io.k8s.api.core.v1.NamespaceSpec',
          },
        ],
        default: {},
        description: 'Desired state of the object.',
      },
      status: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NamespaceStatus',
          },
        ],
        default: {},
        description: 'Most recently observed status.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'Namespace',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.NamespaceCondition': {
    description: 'A condition of a namespace.',
    properties: {
      lastTransitionTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition changed status.',
      },
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable reason.',
      },
      status: {
        type: 'string',
        description: 'True, False or Unknown.',
      },
      type: {
        type: 'string',
        description: 'Type of the condition.',
      },
    },
    type: 'object',
    required: ['status', 'type'],
  },
  'io.k8s.api.core.v1.NamespaceList': {
    description: 'List of Namespace objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.Namespace',
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
        group: '',
        kind: 'NamespaceList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.NamespaceSpec': {
    description: 'Attributes of a namespace.',
    properties: {
      finalizers: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Finalizers that must be empty before the namespace is removed.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NamespaceStatus': {
    description: 'Observed state of a namespace.',
    properties: {
      conditions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NamespaceCondition',
            },
          ],
          default: {},
        },
        description: 'Current observed conditions.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
      phase: {
        type: 'string',
        enum: ['Active', 'Terminating'],
        description: 'Current lifecycle phase.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.Node': {
    description: 'A worker node.',
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
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSpec',
          },
        ],
        default: {},
        description: 'Desired behaviour of the node.',
      },
      status: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeStatus',
          },
        ],
        default: {},
        description: 'Most recently observed status.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'Node',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.NodeAddress': {
    description: 'An address of a node.',
    properties: {
      address: {
        type: 'string',
        description: 'The node address itself.',
      },
      type: {
        type: 'string',
        description: 'Address type: Hostname, ExternalIP, InternalIP, ExternalDNS or InternalDNS.',
      },
    },
    type: 'object',
    required: ['address', 'type'],
  },
  'io.k8s.api.core.v1.NodeAffinity': {
    description: 'Node affinity rules.',
    properties: {
      preferredDuringSchedulingIgnoredDuringExecution: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PreferredSchedulingTerm',
            },
          ],
          default: {},
        },
        description: 'Preferred scheduling terms, weighted.',
        'x-kubernetes-list-type': 'atomic',
      },
      requiredDuringSchedulingIgnoredDuringExecution: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSelector',
          },
        ],
        description: 'Required scheduling terms.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeCondition': {
    description: 'A condition of a node.',
    properties: {
      lastHeartbeatTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition was reported.',
      },
      lastTransitionTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition changed status.',
      },
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable reason.',
      },
      status: {
        type: 'string',
        description: 'True, False or Unknown.',
      },
      type: {
        type: 'string',
        description: 'Type of the condition, such as Ready or DiskPressure.',
      },
    },
    type: 'object',
    required: ['status', 'type'],
  },
  'io.k8s.api.core.v1.NodeConfigSource': {
    description: 'Source of node configuration (deprecated dynamic kubelet config).',
    properties: {
      configMap: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMapNodeConfigSource',
          },
        ],
        description: 'ConfigMap holding the node configuration.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeConfigStatus': {
    description: "Status of the node's dynamic configuration.",
    properties: {
      active: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeConfigSource',
          },
        ],
        description: 'Whether this is the active node configuration.',
      },
      assigned: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeConfigSource',
          },
        ],
        description: 'The config source the node will use.',
      },
      error: {
        type: 'string',
        description: 'Error message of the last health check or operation.',
      },
      lastKnownGood: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeConfigSource',
          },
        ],
        description: 'The last config source known to work.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeDaemonEndpoints': {
    description: 'Ports of daemons running on a node.',
    properties: {
      kubeletEndpoint: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.DaemonEndpoint',
          },
        ],
        default: {},
        description: 'Endpoint on which the kubelet listens.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeFeatures': {
    description: 'Features the node supports.',
    properties: {
      supplementalGroupsPolicy: {
        type: 'boolean',
        description: 'Whether the node supports supplementalGroupsPolicy.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeList': {
    description: 'List of Node objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.Node',
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
        group: '',
        kind: 'NodeList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.NodeRuntimeHandler': {
    description: 'A runtime handler on the node.',
    properties: {
      features: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeRuntimeHandlerFeatures',
          },
        ],
        description: 'Features the runtime handler supports.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeRuntimeHandlerFeatures': {
    description: 'Features of a runtime handler.',
    properties: {
      recursiveReadOnlyMounts: {
        type: 'boolean',
        description: 'Whether the runtime handler supports recursive read-only mounts.',
      },
      userNamespaces: {
        type: 'boolean',
        description: 'Whether the runtime handler supports user namespaces.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeSelector': {
    description: 'Node selector terms, ORed.',
    properties: {
      nodeSelectorTerms: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSelectorTerm',
            },
          ],
          default: {},
        },
        description: 'Node selector terms, ORed.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
    required: ['nodeSelectorTerms'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.NodeSelectorRequirement': {
    description: 'A requirement on a node label or field.',
    properties: {
      key: {
        type: 'string',
        description: 'Label key the selector applies to.',
      },
      operator: {
        type: 'string',
        enum: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'],
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
  'io.k8s.api.core.v1.NodeSelectorTerm': {
    description: 'Node requirements, ANDed.',
    properties: {
      matchExpressions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSelectorRequirement',
            },
          ],
          default: {},
        },
        description: 'Node label requirements.',
        'x-kubernetes-list-type': 'atomic',
      },
      matchFields: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSelectorRequirement',
            },
          ],
          default: {},
        },
        description: 'Node field requirements.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.NodeSpec': {
    description: 'Attributes a node is created with.',
    properties: {
      configSource: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeConfigSource',
          },
        ],
        description: 'Dynamic kubelet configuration source (deprecated).',
      },
      externalID: {
        type: 'string',
        description: 'Deprecated; not used.',
      },
      podCIDR: {
        type: 'string',
        description: 'Pod IP range assigned to the node.',
      },
      podCIDRs: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Pod IP ranges assigned to the node.',
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      providerID: {
        type: 'string',
        description: 'Node ID in the cloud provider.',
      },
      taints: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.Taint',
            },
          ],
          default: {},
        },
        description: 'Taints on the node.',
        'x-kubernetes-list-type': 'atomic',
      },
      unschedulable: {
        type: 'boolean',
        description: 'Whether new pods may be scheduled on the node.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeStatus': {
    description: 'Most recently observed state of a node.',
    properties: {
      addresses: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NodeAddress',
            },
          ],
          default: {},
        },
        description: 'Addresses at which the node can be reached.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
      allocatable: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Resources of the node available for scheduling.',
      },
      capacity: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Total capacity of the resources.',
      },
      conditions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NodeCondition',
            },
          ],
          default: {},
        },
        description: 'Current observed conditions.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
      config: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeConfigStatus',
          },
        ],
        description: 'The config source the node reports it is using.',
      },
      daemonEndpoints: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeDaemonEndpoints',
          },
        ],
        default: {},
        description: 'Endpoints of daemons running on the node.',
      },
      features: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeFeatures',
          },
        ],
        description: "Features the node's runtime supports.",
      },
      images: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerImage',
            },
          ],
          default: {},
        },
        description: 'Container images on the node.',
        'x-kubernetes-list-type': 'atomic',
      },
      nodeInfo: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSystemInfo',
          },
        ],
        default: {},
        description: 'General information about the node.',
      },
      phase: {
        type: 'string',
        enum: ['Pending', 'Running', 'Terminated'],
        description: 'Current lifecycle phase.',
      },
      runtimeHandlers: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.NodeRuntimeHandler',
            },
          ],
          default: {},
        },
        description: 'Runtime handlers available on the node.',
        'x-kubernetes-list-type': 'atomic',
      },
      volumesAttached: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.AttachedVolume',
            },
          ],
          default: {},
        },
        description: 'Volumes attached to the node.',
        'x-kubernetes-list-type': 'atomic',
      },
      volumesInUse: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Volumes in use on the node.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.NodeSystemInfo': {
    description: 'Identifiers and versions reported by a node.',
    properties: {
      architecture: {
        type: 'string',
        description: 'Architecture reported by the node.',
      },
      bootID: {
        type: 'string',
        description: 'Boot ID reported by the node.',
      },
      containerRuntimeVersion: {
        type: 'string',
        description: 'Container runtime version reported by the node.',
      },
      kernelVersion: {
        type: 'string',
        description: 'Kernel version reported by the node.',
      },
      kubeProxyVersion: {
        type: 'string',
        description: 'Deprecated; not reliable.',
      },
      kubeletVersion: {
        type: 'string',
        description: 'Kubelet version reported by the node.',
      },
      machineID: {
        type: 'string',
        description: 'Machine ID reported by the node.',
      },
      operatingSystem: {
        type: 'string',
        description: 'Operating system reported by the node.',
      },
      osImage: {
        type: 'string',
        description: 'OS image reported by the node.',
      },
      systemUUID: {
        type: 'string',
        description: 'System UUID reported by the node.',
      },
    },
    type: 'object',
    required: [
      'architecture',
      'bootID',
      'containerRuntimeVersion',
      'kernelVersion',
      'kubeProxyVersion',
      'kubeletVersion',
      'machineID',
      'operatingSystem',
      'osImage',
      'systemUUID',
    ],
  },
  'io.k8s.api.core.v1.ObjectFieldSelector': {
    description: 'Selects a field of an object.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      fieldPath: {
        type: 'string',
        description: 'Path of the field to select, relative to the apiVersion.',
      },
    },
    type: 'object',
    required: ['fieldPath'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.ObjectReference': {
    description: 'References any object.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      fieldPath: {
        type: 'string',
        description: 'Path within the referent, such as spec.containers{name}.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      namespace: {
        type: 'string',
        description: 'Namespace of the object.',
      },
      resourceVersion: {
        type: 'string',
        description: 'Opaque version of the object, used for concurrency control and watches.',
      },
      uid: {
        type: 'string',
        description: 'UID of the referent.',
      },
    },
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.PersistentVolume': {
    description: 'A piece of storage in the cluster.',
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
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeSpec',
          },
        ],
        default: {},
        description: 'Attributes of the volume.',
      },
      status: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeStatus',
          },
        ],
        default: {},
        description: 'Most recently observed status.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'PersistentVolume',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaim': {
    description: "A user's request for and claim to a persistent volume.",
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
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimSpec',
          },
        ],
        default: {},
        description: 'Desired characteristics of the volume requested by the claim.',
      },
      status: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimStatus',
          },
        ],
        default: {},
        description: 'Most recently observed status.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'PersistentVolumeClaim',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimCondition': {
    description: 'A condition of a persistent volume claim.',
    properties: {
      lastProbeTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition was probed.',
      },
      lastTransitionTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition changed status.',
      },
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable reason.',
      },
      status: {
        type: 'string',
        description: 'True, False or Unknown.',
      },
      type: {
        type: 'string',
        description: 'Type of the condition, such as Resizing.',
      },
    },
    type: 'object',
    required: ['status', 'type'],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimList': {
    description: 'List of PersistentVolumeClaim objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaim',
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
        group: '',
        kind: 'PersistentVolumeClaimList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': {
    description: 'Desired characteristics of a volume.',
    properties: {
      accessModes: {
        type: 'array',
        items: {
          type: 'string',
          enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'],
        },
        description:
          'Access modes the volume supports or the claim requests (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod).',
        'x-kubernetes-list-type': 'atomic',
      },
      dataSource: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.TypedLocalObjectReference',
          },
        ],
        description: 'Existing VolumeSnapshot or PersistentVolumeClaim to populate the new volume from.',
      },
      dataSourceRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.TypedObjectReference',
          },
        ],
        description: 'Object to populate the volume from; may be any populator-supported type.',
      },
      resources: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeResourceRequirements',
          },
        ],
        default: {},
        description: 'Minimum storage the volume should have.',
      },
      selector: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
          },
        ],
        description: 'Label query over volumes to consider for binding.',
      },
      storageClassName: {
        type: 'string',
        description: 'Name of the StorageClass.',
      },
      volumeAttributesClassName: {
        type: 'string',
        description: 'VolumeAttributesClass used by the volume or claim.',
      },
      volumeMode: {
        type: 'string',
        enum: ['Block', 'Filesystem'],
        description: 'Whether the volume is formatted with a filesystem (Filesystem) or used raw (Block).',
      },
      volumeName: {
        type: 'string',
        description: 'Name of the volume.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': {
    description: 'Status of a persistent volume claim.',
    properties: {
      accessModes: {
        type: 'array',
        items: {
          type: 'string',
          enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'],
        },
        description: 'Access modes the bound volume actually provides.',
        'x-kubernetes-list-type': 'atomic',
      },
      allocatedResourceStatuses: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Status of resize operations per resource of the claim.',
        'x-kubernetes-map-type': 'granular',
      },
      allocatedResources: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Resources allocated to the claim, tracked by the resize controller.',
      },
      capacity: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Actual capacity of the bound volume.',
      },
      conditions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimCondition',
            },
          ],
          default: {},
        },
        description: 'Current observed conditions.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
      currentVolumeAttributesClassName: {
        type: 'string',
        description: 'VolumeAttributesClass the claim currently uses.',
      },
      modifyVolumeStatus: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ModifyVolumeStatus',
          },
        ],
        description: 'Status of a VolumeAttributesClass modification in progress.',
      },
      phase: {
        type: 'string',
        enum: ['Bound', 'Lost', 'Pending'],
        description: 'Current lifecycle phase.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimTemplate': {
    description: 'Template for the claim of an ephemeral volume.',
    properties: {
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
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimSpec',
          },
        ],
        default: {},
        description: 'Specification of the claim; copied unchanged into the created claim.',
      },
    },
    type: 'object',
    required: ['spec'],
  },
  'io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource': {
    description: "References a PersistentVolumeClaim in the pod's namespace.",
    properties: {
      claimName: {
        type: 'string',
        description: "Name of a PersistentVolumeClaim in the pod's namespace.",
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
    },
    type: 'object',
    required: ['claimName'],
  },
  'io.k8s.api.core.v1.PersistentVolumeList': {
    description: 'List of PersistentVolume objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolume',
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
        group: '',
        kind: 'PersistentVolumeList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.PersistentVolumeSpec': {
    description: 'Attributes of a persistent volume.',
    properties: {
      accessModes: {
        type: 'array',
        items: {
          type: 'string',
          enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'],
        },
        description:
          'Access modes the volume supports or the claim requests (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod).',
        'x-kubernetes-list-type': 'atomic',
      },
      awsElasticBlockStore: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource',
          },
        ],
        description: 'AWS EBS disk (deprecated in-tree type).',
      },
      azureDisk: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AzureDiskVolumeSource',
          },
        ],
        description: 'Azure data disk (deprecated in-tree type).',
      },
      azureFile: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AzureFilePersistentVolumeSource',
          },
        ],
        description: 'Azure file share (deprecated in-tree type).',
      },
      capacity: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Capacity of the volume.',
      },
      cephfs: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.CephFSPersistentVolumeSource',
          },
        ],
        description: 'CephFS mount on the host.',
      },
      cinder: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.CinderPersistentVolumeSource',
          },
        ],
        description: 'OpenStack Cinder volume (deprecated in-tree type).',
      },
      claimRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectReference',
          },
        ],
        description: 'The claim bound to this volume.',
      },
      csi: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.CSIPersistentVolumeSource',
          },
        ],
        description: 'Volume handled by an external CSI driver.',
      },
      fc: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.FCVolumeSource',
          },
        ],
        description: 'Fibre Channel disk attached to the host.',
      },
      flexVolume: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.FlexPersistentVolumeSource',
          },
        ],
        description: 'Volume provisioned through an exec-based FlexVolume plugin.',
      },
      flocker: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.FlockerVolumeSource',
          },
        ],
        description: 'Flocker dataset (deprecated).',
      },
      gcePersistentDisk: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.GCEPersistentDiskVolumeSource',
          },
        ],
        description: 'GCE persistent disk (deprecated in-tree type).',
      },
      glusterfs: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.GlusterfsPersistentVolumeSource',
          },
        ],
        description: 'Glusterfs mount on the host (deprecated).',
      },
      hostPath: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.HostPathVolumeSource',
          },
        ],
        description: 'Directory on the host, for single-node testing only.',
      },
      iscsi: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ISCSIPersistentVolumeSource',
          },
        ],
        description: 'iSCSI disk attached to the host.',
      },
      local: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalVolumeSource',
          },
        ],
        description: 'Local storage device on a node.',
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
      nfs: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NFSVolumeSource',
          },
        ],
        description: 'NFS export.',
      },
      nodeAffinity: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeNodeAffinity',
          },
        ],
        description: 'Constrains the nodes the volume can be accessed from.',
      },
      persistentVolumeReclaimPolicy: {
        type: 'string',
        enum: ['Delete', 'Recycle', 'Retain'],
        description: 'What happens to the volume when released: Retain, Delete or Recycle.',
      },
      photonPersistentDisk: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource',
          },
        ],
        description: 'Photon Controller persistent disk (deprecated).',
      },
      portworxVolume: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PortworxVolumeSource',
          },
        ],
        description: 'Portworx volume (deprecated).',
      },
      quobyte: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.QuobyteVolumeSource',
          },
        ],
        description: 'Quobyte mount (deprecated).',
      },
      rbd: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.RBDPersistentVolumeSource',
          },
        ],
        description: 'Rados block device (deprecated).',
      },
      scaleIO: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ScaleIOPersistentVolumeSource',
          },
        ],
        description: 'ScaleIO volume (deprecated).',
      },
      storageClassName: {
        type: 'string',
        description: 'Name of the StorageClass.',
      },
      storageos: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.StorageOSPersistentVolumeSource',
          },
        ],
        description: 'StorageOS volume (deprecated).',
      },
      volumeAttributesClassName: {
        type: 'string',
        description: 'VolumeAttributesClass used by the volume or claim.',
      },
      volumeMode: {
        type: 'string',
        enum: ['Block', 'Filesystem'],
        description: 'Whether the volume is formatted with a filesystem (Filesystem) or used raw (Block).',
      },
      vsphereVolume: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource',
          },
        ],
        description: 'vSphere volume (deprecated).',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PersistentVolumeStatus': {
    description: 'Status of a persistent volume.',
    properties: {
      lastPhaseTransitionTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the volume last changed phase.',
      },
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      phase: {
        type: 'string',
        enum: ['Available', 'Bound', 'Failed', 'Pending', 'Released'],
        description: 'Current lifecycle phase.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable reason.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource': {
    description: 'Represents a PhotonPersistentDisk volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      pdID: {
        type: 'string',
        description: 'Persistent disk ID in Photon Controller.',
      },
    },
    type: 'object',
    required: ['pdID'],
  },
  'io.k8s.api.core.v1.Pod': {
    description: 'A collection of containers that run together on a host.',
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
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec',
          },
        ],
        default: {},
        description: 'Desired behaviour of the pod.',
      },
      status: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodStatus',
          },
        ],
        default: {},
        description: 'Most recently observed status.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'Pod',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.PodAffinity': {
    description: 'Inter-pod affinity rules.',
    properties: {
      preferredDuringSchedulingIgnoredDuringExecution: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.WeightedPodAffinityTerm',
            },
          ],
          default: {},
        },
        description: 'Preferred scheduling terms, weighted.',
        'x-kubernetes-list-type': 'atomic',
      },
      requiredDuringSchedulingIgnoredDuringExecution: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodAffinityTerm',
            },
          ],
          default: {},
        },
        description: 'Required scheduling terms.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PodAffinityTerm': {
    description:
      'A set of pods in a topology domain that this pod should (or should not) be co-located with.',
    properties: {
      labelSelector: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
          },
        ],
        description: 'Selects the pods this term applies to.',
      },
      matchLabelKeys: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Pod label keys whose values are added to the label selector.',
        'x-kubernetes-list-type': 'atomic',
      },
      mismatchLabelKeys: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Pod label keys whose values are excluded through the label selector.',
        'x-kubernetes-list-type': 'atomic',
      },
      namespaceSelector: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
          },
        ],
        description: 'Label query over namespaces the term applies to.',
      },
      namespaces: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Namespaces the term applies to.',
        'x-kubernetes-list-type': 'atomic',
      },
      topologyKey: {
        type: 'string',
        description: 'Node label key that defines a topology domain.',
      },
    },
    type: 'object',
    required: ['topologyKey'],
  },
  'io.k8s.api.core.v1.PodAntiAffinity': {
    description: 'Inter-pod anti-affinity rules.',
    properties: {
      preferredDuringSchedulingIgnoredDuringExecution: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.WeightedPodAffinityTerm',
            },
          ],
          default: {},
        },
        description: 'Preferred scheduling terms, weighted.',
        'x-kubernetes-list-type': 'atomic',
      },
      requiredDuringSchedulingIgnoredDuringExecution: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodAffinityTerm',
            },
          ],
          default: {},
        },
        description: 'Required scheduling terms.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PodCondition': {
    description: 'A condition of a pod.',
    properties: {
      lastProbeTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition was probed.',
      },
      lastTransitionTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'Last time the condition changed status.',
      },
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable reason.',
      },
      status: {
        type: 'string',
        description: 'True, False or Unknown.',
      },
      type: {
        type: 'string',
        description: 'Type of the condition, such as Ready or PodScheduled.',
      },
    },
    type: 'object',
    required: ['status', 'type'],
  },
  'io.k8s.api.core.v1.PodDNSConfig': {
    description: 'DNS parameters of a pod.',
    properties: {
      nameservers: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'DNS name server IP addresses.',
        'x-kubernetes-list-type': 'atomic',
      },
      options: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodDNSConfigOption',
            },
          ],
          default: {},
        },
        description: 'Options for the resolver.',
        'x-kubernetes-list-type': 'atomic',
      },
      searches: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'DNS search domains.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PodDNSConfigOption': {
    description: 'A resolver option.',
    properties: {
      name: {
        type: 'string',
        description: 'Resolver option name.',
      },
      value: {
        type: 'string',
        description: 'Resolver option value.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PodIP': {
    description: 'An IP address of a pod.',
    properties: {
      ip: {
        type: 'string',
        description: 'IP address.',
      },
    },
    type: 'object',
    required: ['ip'],
  },
  'io.k8s.api.core.v1.PodList': {
    description: 'List of Pod objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.Pod',
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
        group: '',
        kind: 'PodList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.PodOS': {
    description: 'Operating system of a pod.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.PodReadinessGate': {
    description: 'An extra condition for pod readiness.',
    properties: {
      conditionType: {
        type: 'string',
        description: 'Pod condition type to include in readiness.',
      },
    },
    type: 'object',
    required: ['conditionType'],
  },
  'io.k8s.api.core.v1.PodResourceClaim': {
    description: 'A ResourceClaim used by a pod.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      resourceClaimName: {
        type: 'string',
        description: 'Name of an existing ResourceClaim.',
      },
      resourceClaimTemplateName: {
        type: 'string',
        description: 'Name of a ResourceClaimTemplate to create a claim from.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.PodResourceClaimStatus': {
    description: "The generated name of a pod's resource claim.",
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      resourceClaimName: {
        type: 'string',
        description: 'Name of an existing ResourceClaim.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.PodSchedulingGate': {
    description: 'A gate that blocks scheduling of a pod.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.PodSecurityContext': {
    description: 'Security attributes at pod level.',
    properties: {
      appArmorProfile: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AppArmorProfile',
          },
        ],
        description: 'AppArmor options.',
      },
      fsGroup: {
        type: 'integer',
        format: 'int64',
        description: 'Supplemental group applied to all containers and owning volume files.',
      },
      fsGroupChangePolicy: {
        type: 'string',
        enum: ['Always', 'OnRootMismatch'],
        description: 'How ownership and permissions of a volume are changed: OnRootMismatch or Always.',
      },
      runAsGroup: {
        type: 'integer',
        format: 'int64',
        description: 'GID to run the entrypoint as.',
      },
      runAsNonRoot: {
        type: 'boolean',
        description: 'Require the container to run as a non-root user.',
      },
      runAsUser: {
        type: 'integer',
        format: 'int64',
        description: 'UID to run the entrypoint as.',
      },
      seLinuxChangePolicy: {
        type: 'string',
        description: 'How SELinux labels are applied to volumes: Recursive or MountOption.',
      },
      seLinuxOptions: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SELinuxOptions',
          },
        ],
        description: 'SELinux context applied to the container.',
      },
      seccompProfile: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SeccompProfile',
          },
        ],
        description: 'Seccomp options.',
      },
      supplementalGroups: {
        type: 'array',
        items: {
          type: 'integer',
          format: 'int64',
          default: 0,
        },
        description: 'Additional groups for the first process.',
        'x-kubernetes-list-type': 'atomic',
      },
      supplementalGroupsPolicy: {
        type: 'string',
        enum: ['Merge', 'Strict'],
        description: 'How supplemental groups are computed: Merge or Strict.',
      },
      sysctls: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.Sysctl',
            },
          ],
          default: {},
        },
        description: 'Namespaced sysctls for the pod.',
        'x-kubernetes-list-type': 'atomic',
      },
      windowsOptions: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.WindowsSecurityContextOptions',
          },
        ],
        description: 'Windows-specific settings.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PodSpec': {
    description: 'Desired behaviour of a pod.',
    properties: {
      activeDeadlineSeconds: {
        type: 'integer',
        format: 'int64',
        description:
          'Seconds the pod may be active on a node, relative to its start time, before the system actively fails it.',
      },
      affinity: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Affinity',
          },
        ],
        description: 'Scheduling constraints of the pod.',
      },
      automountServiceAccountToken: {
        type: 'boolean',
        description: 'Whether a service account token is mounted automatically.',
      },
      containers: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.Container',
            },
          ],
          default: {},
        },
        description: 'Containers of the pod.',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      dnsConfig: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodDNSConfig',
          },
        ],
        description: "DNS parameters of the pod, merged with the policy's configuration.",
      },
      dnsPolicy: {
        type: 'string',
        enum: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
        description: 'DNS policy: ClusterFirstWithHostNet, ClusterFirst, Default or None.',
      },
      enableServiceLinks: {
        type: 'boolean',
        description: 'Whether service information is injected as environment variables.',
      },
      ephemeralContainers: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.EphemeralContainer',
            },
          ],
          default: {},
        },
        description: 'Ephemeral containers run in the pod for debugging.',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      hostAliases: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.HostAlias',
            },
          ],
          default: {},
        },
        description: "Extra entries for the pod's hosts file.",
        'x-kubernetes-patch-merge-key': 'ip',
        'x-kubernetes-patch-strategy': 'merge',
      },
      hostIPC: {
        type: 'boolean',
        description: "Use the host's IPC namespace.",
      },
      hostNetwork: {
        type: 'boolean',
        description: "Use the host's network namespace.",
      },
      hostPID: {
        type: 'boolean',
        description: "Use the host's PID namespace.",
      },
      hostUsers: {
        type: 'boolean',
        description: "Whether the pod uses the host's user namespace.",
      },
      hostname: {
        type: 'string',
        description: 'Hostname of the pod; defaults to a system value.',
      },
      imagePullSecrets: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
            },
          ],
          default: {},
        },
        description: "Secrets in the pod's namespace used to pull images.",
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      initContainers: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.Container',
            },
          ],
          default: {},
        },
        description: 'Containers run in order before the app containers start.',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      nodeName: {
        type: 'string',
        description: 'Node the pod is scheduled onto.',
      },
      nodeSelector: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Labels a node must have for the pod to fit.',
        'x-kubernetes-map-type': 'atomic',
      },
      os: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodOS',
          },
        ],
        description: "Operating system of the pod's containers.",
      },
      overhead: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Resource overhead of running the pod on its runtime class.',
      },
      preemptionPolicy: {
        type: 'string',
        enum: ['Never', 'PreemptLowerPriority'],
        description: 'Policy for preempting lower-priority pods: Never or PreemptLowerPriority.',
      },
      priority: {
        type: 'integer',
        format: 'int32',
        description: 'Scheduling priority of the pod.',
      },
      priorityClassName: {
        type: 'string',
        description: "Name of the pod's PriorityClass.",
      },
      readinessGates: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodReadinessGate',
            },
          ],
          default: {},
        },
        description: 'Extra conditions evaluated for pod readiness.',
        'x-kubernetes-list-type': 'atomic',
      },
      resourceClaims: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodResourceClaim',
            },
          ],
          default: {},
        },
        description: 'ResourceClaims to allocate before the pod starts.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
      resources: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements',
          },
        ],
        default: {},
        description: 'Compute resources for the whole pod.',
      },
      restartPolicy: {
        type: 'string',
        enum: ['Always', 'Never', 'OnFailure'],
        description: "Restart policy of the pod's containers: Always, OnFailure or Never.",
      },
      runtimeClassName: {
        type: 'string',
        description: 'RuntimeClass used to run the pod.',
      },
      schedulerName: {
        type: 'string',
        description: 'Scheduler that schedules the pod.',
      },
      schedulingGates: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodSchedulingGate',
            },
          ],
          default: {},
        },
        description: 'Gates that must be removed before the pod is scheduled.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      securityContext: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodSecurityContext',
          },
        ],
        description: 'Pod-level security attributes and common container settings.',
      },
      serviceAccount: {
        type: 'string',
        description: 'Deprecated alias of serviceAccountName.',
      },
      serviceAccountName: {
        type: 'string',
        description: 'ServiceAccount used to run the pod.',
      },
      setHostnameAsFQDN: {
        type: 'boolean',
        description: "Use the pod's FQDN as its hostname.",
      },
      shareProcessNamespace: {
        type: 'boolean',
        description: 'Share one process namespace between all containers of the pod.',
      },
      subdomain: {
        type: 'string',
        description: "Subdomain of the pod's fully qualified host name.",
      },
      terminationGracePeriodSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Seconds the pod has to terminate gracefully.',
      },
      tolerations: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.Toleration',
            },
          ],
          default: {},
        },
        description: 'Tolerations of the pod.',
        'x-kubernetes-list-type': 'atomic',
      },
      topologySpreadConstraints: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.TopologySpreadConstraint',
            },
          ],
          default: {},
        },
        description: 'How the pods spread across topology domains.',
        'x-kubernetes-list-map-keys': ['topologyKey', 'whenUnsatisfiable'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'topologyKey',
        'x-kubernetes-patch-strategy': 'merge',
      },
      volumes: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.Volume',
            },
          ],
          default: {},
        },
        description: "Volumes the pod's containers can mount.",
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
    },
    type: 'object',
    required: ['containers'],
  },
  'io.k8s.api.core.v1.PodStatus': {
    description: 'Most recently observed state of a pod.',
    properties: {
      conditions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodCondition',
            },
          ],
          default: {},
        },
        description: 'Current observed conditions.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
      containerStatuses: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerStatus',
            },
          ],
          default: {},
        },
        description: 'Statuses of the regular containers.',
        'x-kubernetes-list-type': 'atomic',
      },
      ephemeralContainerStatuses: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerStatus',
            },
          ],
          default: {},
        },
        description: 'Statuses of the ephemeral containers.',
        'x-kubernetes-list-type': 'atomic',
      },
      hostIP: {
        type: 'string',
        description: 'IP address of the host the pod is assigned to.',
      },
      hostIPs: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.HostIP',
            },
          ],
          default: {},
        },
        description: 'IP addresses allocated to the host.',
        'x-kubernetes-list-type': 'atomic',
        'x-kubernetes-patch-merge-key': 'ip',
        'x-kubernetes-patch-strategy': 'merge',
      },
      initContainerStatuses: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerStatus',
            },
          ],
          default: {},
        },
        description: 'Statuses of the init containers.',
        'x-kubernetes-list-type': 'atomic',
      },
      message: {
        type: 'string',
        description: 'Human readable message.',
      },
      nominatedNodeName: {
        type: 'string',
        description: 'Node on which preemption made room for this pod.',
      },
      phase: {
        type: 'string',
        enum: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'],
        description: 'Current lifecycle phase.',
      },
      podIP: {
        type: 'string',
        description: 'Primary IP address allocated to the pod.',
      },
      podIPs: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodIP',
            },
          ],
          default: {},
        },
        description: 'IP addresses allocated to the pod.',
        'x-kubernetes-list-map-keys': ['ip'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'ip',
        'x-kubernetes-patch-strategy': 'merge',
      },
      qosClass: {
        type: 'string',
        enum: ['BestEffort', 'Burstable', 'Guaranteed'],
        description: 'QoS class of the pod: Guaranteed, Burstable or BestEffort.',
      },
      reason: {
        type: 'string',
        description: 'Machine readable reason.',
      },
      resize: {
        type: 'string',
        description: 'Status of an in-place resize of the pod (deprecated).',
      },
      resourceClaimStatuses: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.PodResourceClaimStatus',
            },
          ],
          default: {},
        },
        description: "Generated names of the pod's resource claims.",
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
      startTime: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the kubelet acknowledged the pod.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.PortworxVolumeSource': {
    description: 'Represents a Portworx volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      volumeID: {
        type: 'string',
        description: 'Volume ID.',
      },
    },
    type: 'object',
    required: ['volumeID'],
  },
  'io.k8s.api.core.v1.PreferredSchedulingTerm': {
    description: 'A node selector term with a weight.',
    properties: {
      preference: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSelectorTerm',
          },
        ],
        default: {},
        description: 'Node selector term for this weight.',
      },
      weight: {
        type: 'integer',
        format: 'int32',
        description: 'Weight in the range 1-100.',
      },
    },
    type: 'object',
    required: ['preference', 'weight'],
  },
  'io.k8s.api.core.v1.Probe': {
    description: 'A health check of a container.',
    properties: {
      exec: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ExecAction',
          },
        ],
        description: 'Run a command inside the container.',
      },
      failureThreshold: {
        type: 'integer',
        format: 'int32',
        description: 'Consecutive failures after which the probe fails.',
      },
      grpc: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.GRPCAction',
          },
        ],
        description: 'Run a gRPC health check.',
      },
      httpGet: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.HTTPGetAction',
          },
        ],
        description: 'Perform an HTTP GET request.',
      },
      initialDelaySeconds: {
        type: 'integer',
        format: 'int32',
        description: 'Seconds after container start before probes begin.',
      },
      periodSeconds: {
        type: 'integer',
        format: 'int32',
        description: 'How often, in seconds, the probe runs.',
      },
      successThreshold: {
        type: 'integer',
        format: 'int32',
        description: 'Consecutive successes after which the probe succeeds.',
      },
      tcpSocket: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.TCPSocketAction',
          },
        ],
        description: 'Open a TCP connection.',
      },
      terminationGracePeriodSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Grace period used when the probe fails; overrides the pod value.',
      },
      timeoutSeconds: {
        type: 'integer',
        format: 'int32',
        description: 'Seconds after which the probe times out.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ProjectedVolumeSource': {
    description: 'Several sources projected into one directory.',
    properties: {
      defaultMode: {
        type: 'integer',
        format: 'int32',
        description: 'Default file mode bits for created files, octal or decimal.',
      },
      sources: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.VolumeProjection',
            },
          ],
          default: {},
        },
        description: 'Volume projections.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.QuobyteVolumeSource': {
    description: 'Represents a Quobyte volume.',
    properties: {
      group: {
        type: 'string',
        description: 'API group.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      registry: {
        type: 'string',
        description: 'Registry of the image.',
      },
      tenant: {
        type: 'string',
        description: 'Owner tenant of the Quobyte volume.',
      },
      user: {
        type: 'string',
        description: 'User to map volume access to.',
      },
      volume: {
        type: 'string',
        description: 'Volume name.',
      },
    },
    type: 'object',
    required: ['registry', 'volume'],
  },
  'io.k8s.api.core.v1.RBDPersistentVolumeSource': {
    description: 'Represents a RBD volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      image: {
        type: 'string',
        description: 'Container image name.',
      },
      keyring: {
        type: 'string',
        description: 'Path to the key ring for the user.',
      },
      monitors: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Ceph monitors.',
        'x-kubernetes-list-type': 'atomic',
      },
      pool: {
        type: 'string',
        description: 'Rados pool name.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      user: {
        type: 'string',
        description: 'RADOS user name.',
      },
    },
    type: 'object',
    required: ['image', 'monitors'],
  },
  'io.k8s.api.core.v1.RBDVolumeSource': {
    description: 'Represents a RBD volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      image: {
        type: 'string',
        description: 'Container image name.',
      },
      keyring: {
        type: 'string',
        description: 'Path to the key ring for the user.',
      },
      monitors: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Ceph monitors.',
        'x-kubernetes-list-type': 'atomic',
      },
      pool: {
        type: 'string',
        description: 'Rados pool name.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      user: {
        type: 'string',
        description: 'RADOS user name.',
      },
    },
    type: 'object',
    required: ['image', 'monitors'],
  },
  'io.k8s.api.core.v1.ResourceClaim': {
    description: 'A reference to a resource claim entry of the pod.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      request: {
        type: 'string',
        description: 'Name of a request within the claim; empty means the whole claim.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.ResourceFieldSelector': {
    description: 'Selects a resource of a container.',
    properties: {
      containerName: {
        type: 'string',
        description: 'Container name; required for volumes, optional for env vars.',
      },
      divisor: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
          },
        ],
        description: 'Output format of the exposed resource; defaults to 1.',
      },
      resource: {
        type: 'string',
        description: 'Resource to select.',
      },
    },
    type: 'object',
    required: ['resource'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.ResourceHealth': {
    description: 'Health of one allocated resource.',
    properties: {
      health: {
        type: 'string',
        description: 'Health of the resource: Healthy, Unhealthy or Unknown.',
      },
      resourceID: {
        type: 'string',
        description: 'Unique ID of the resource within its pool.',
      },
    },
    type: 'object',
    required: ['resourceID'],
  },
  'io.k8s.api.core.v1.ResourceRequirements': {
    description: 'Compute resource requirements.',
    properties: {
      claims: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceClaim',
            },
          ],
          default: {},
        },
        description: 'Names of resource claims, from spec.resourceClaims, that this container uses.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
      },
      limits: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Maximum amounts of compute resources allowed.',
      },
      requests: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Minimum amounts of compute resources required.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ResourceStatus': {
    description: 'Health of resources allocated to a container.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      resources: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceHealth',
            },
          ],
          default: {},
        },
        description: 'Health of each allocated resource.',
        'x-kubernetes-list-map-keys': ['resourceID'],
        'x-kubernetes-list-type': 'map',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.SELinuxOptions': {
    description: 'SELinux labels.',
    properties: {
      level: {
        type: 'string',
        description: 'SELinux level label.',
      },
      role: {
        type: 'string',
        description: 'SELinux role label.',
      },
      type: {
        type: 'string',
        description: 'SELinux type label.',
      },
      user: {
        type: 'string',
        description: 'SELinux user label.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ScaleIOPersistentVolumeSource': {
    description: 'Represents a ScaleIO volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      gateway: {
        type: 'string',
        description: 'Host address of the ScaleIO API gateway.',
      },
      protectionDomain: {
        type: 'string',
        description: 'ScaleIO protection domain.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      sslEnabled: {
        type: 'boolean',
        description: 'Whether SSL is used to talk to the gateway.',
      },
      storageMode: {
        type: 'string',
        description: 'Storage mode: ThickProvisioned or ThinProvisioned.',
      },
      storagePool: {
        type: 'string',
        description: 'ScaleIO storage pool.',
      },
      system: {
        type: 'string',
        description: 'Name of the system.',
      },
      volumeName: {
        type: 'string',
        description: 'Name of the volume.',
      },
    },
    type: 'object',
    required: ['gateway', 'secretRef', 'system'],
  },
  'io.k8s.api.core.v1.ScaleIOVolumeSource': {
    description: 'Represents a ScaleIO volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      gateway: {
        type: 'string',
        description: 'Host address of the ScaleIO API gateway.',
      },
      protectionDomain: {
        type: 'string',
        description: 'ScaleIO protection domain.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      sslEnabled: {
        type: 'boolean',
        description: 'Whether SSL is used to talk to the gateway.',
      },
      storageMode: {
        type: 'string',
        description: 'Storage mode: ThickProvisioned or ThinProvisioned.',
      },
      storagePool: {
        type: 'string',
        description: 'ScaleIO storage pool.',
      },
      system: {
        type: 'string',
        description: 'Name of the system.',
      },
      volumeName: {
        type: 'string',
        description: 'Name of the volume.',
      },
    },
    type: 'object',
    required: ['gateway', 'secretRef', 'system'],
  },
  'io.k8s.api.core.v1.SeccompProfile': {
    description: 'A seccomp profile.',
    properties: {
      localhostProfile: {
        type: 'string',
        description: "Profile file on the node, relative to the kubelet's configured profile location.",
      },
      type: {
        type: 'string',
        enum: ['Localhost', 'RuntimeDefault', 'Unconfined'],
        description: 'Kind of seccomp profile: Localhost, RuntimeDefault or Unconfined.',
      },
    },
    type: 'object',
    required: ['type'],
  },
  'io.k8s.api.core.v1.Secret': {
    description: 'Sensitive data.',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'Versioned schema of this object representation.',
      },
      data: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Secret data, base64 encoded in JSON.',
      },
      immutable: {
        type: 'boolean',
        description: 'If true, the data cannot be updated.',
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
      stringData: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          default: '',
        },
        description: 'Write-only plain-text secret data, merged into data.',
      },
      type: {
        type: 'string',
        description: 'Type used to validate and handle the secret data.',
      },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': [
      {
        group: '',
        kind: 'Secret',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.SecretEnvSource': {
    description: 'Selects a Secret to populate environment variables.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.SecretKeySelector': {
    description: 'Selects a key of a Secret.',
    properties: {
      key: {
        type: 'string',
        description: 'Key to select.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
    required: ['key'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.SecretList': {
    description: 'List of Secret objects.',
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
              $ref: '#/components/schemas/io.k8s.api.core.v1.Secret',
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
        group: '',
        kind: 'SecretList',
        version: 'v1',
      },
    ],
  },
  'io.k8s.api.core.v1.SecretProjection': {
    description: 'Secret data to project.',
    properties: {
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.KeyToPath',
            },
          ],
          default: {},
        },
        description: 'Keys to project and their paths.',
        'x-kubernetes-list-type': 'atomic',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.SecretReference': {
    description: 'References a Secret by name and namespace.',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      namespace: {
        type: 'string',
        description: 'Namespace of the object.',
      },
    },
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.SecretVolumeSource': {
    description: 'A Secret exposed as files.',
    properties: {
      defaultMode: {
        type: 'integer',
        format: 'int32',
        description: 'Default file mode bits for created files, octal or decimal.',
      },
      items: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.KeyToPath',
            },
          ],
          default: {},
        },
        description: 'Keys to project and their paths; unlisted keys are omitted when set.',
        'x-kubernetes-list-type': 'atomic',
      },
      optional: {
        type: 'boolean',
        description: 'Whether the referenced object or key may be missing.',
      },
      secretName: {
        type: 'string',
        description: 'Name of the secret.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.SecurityContext': {
    description: 'Security attributes of a container.',
    properties: {
      allowPrivilegeEscalation: {
        type: 'boolean',
        description: 'Whether a process may gain more privileges than its parent process (no_new_privs).',
      },
      appArmorProfile: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AppArmorProfile',
          },
        ],
        description: 'AppArmor options.',
      },
      capabilities: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.Capabilities',
          },
        ],
        description: 'Capabilities to add or drop.',
      },
      privileged: {
        type: 'boolean',
        description: 'Run the container privileged.',
      },
      procMount: {
        type: 'string',
        enum: ['Default', 'Unmasked'],
        description: 'Type of /proc mount: Default or Unmasked.',
      },
      readOnlyRootFilesystem: {
        type: 'boolean',
        description: "Mount the container's root filesystem read-only.",
      },
      runAsGroup: {
        type: 'integer',
        format: 'int64',
        description: 'GID to run the entrypoint as.',
      },
      runAsNonRoot: {
        type: 'boolean',
        description: 'Require the container to run as a non-root user.',
      },
      runAsUser: {
        type: 'integer',
        format: 'int64',
        description: 'UID to run the entrypoint as.',
      },
      seLinuxOptions: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SELinuxOptions',
          },
        ],
        description: 'SELinux context applied to the container.',
      },
      seccompProfile: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SeccompProfile',
          },
        ],
        description: 'Seccomp options.',
      },
      windowsOptions: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.WindowsSecurityContextOptions',
          },
        ],
        description: 'Windows-specific settings.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.ServiceAccountTokenProjection': {
    description: 'A service account token to project.',
    properties: {
      audience: {
        type: 'string',
        description: 'Intended audience of the token.',
      },
      expirationSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'Requested lifetime of the token in seconds.',
      },
      path: {
        type: 'string',
        description: 'Relative path of the token file.',
      },
    },
    type: 'object',
    required: ['path'],
  },
  'io.k8s.api.core.v1.SleepAction': {
    description: 'Sleeps for a duration.',
    properties: {
      seconds: {
        type: 'integer',
        format: 'int64',
        description: 'Seconds to sleep.',
      },
    },
    type: 'object',
    required: ['seconds'],
  },
  'io.k8s.api.core.v1.StorageOSPersistentVolumeSource': {
    description: 'Represents a StorageOS volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      volumeName: {
        type: 'string',
        description: 'Name of the volume.',
      },
      volumeNamespace: {
        type: 'string',
        description: 'StorageOS namespace of the volume.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.StorageOSVolumeSource': {
    description: 'Represents a StorageOS volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      secretRef: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.LocalObjectReference',
          },
        ],
        description: 'Reference to a secret with authentication data.',
      },
      volumeName: {
        type: 'string',
        description: 'Name of the volume.',
      },
      volumeNamespace: {
        type: 'string',
        description: 'StorageOS namespace of the volume.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.Sysctl': {
    description: 'A kernel parameter to set.',
    properties: {
      name: {
        type: 'string',
        description: 'Sysctl property name.',
      },
      value: {
        type: 'string',
        description: 'Sysctl property value.',
      },
    },
    type: 'object',
    required: ['name', 'value'],
  },
  'io.k8s.api.core.v1.TCPSocketAction': {
    description: 'Opens a TCP socket.',
    properties: {
      host: {
        type: 'string',
        description: 'Host name to connect to; defaults to the pod IP.',
      },
      port: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString',
          },
        ],
        description: 'Port number or name.',
      },
    },
    type: 'object',
    required: ['port'],
  },
  'io.k8s.api.core.v1.Taint': {
    description: 'Marks a node so that pods without a matching toleration are repelled.',
    properties: {
      effect: {
        type: 'string',
        enum: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
        description: 'Taint effect: NoSchedule, PreferNoSchedule or NoExecute.',
      },
      key: {
        type: 'string',
        description: 'Taint key applied to the node.',
      },
      timeAdded: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
          },
        ],
        description: 'When the taint was added.',
      },
      value: {
        type: 'string',
        description: 'Taint value.',
      },
    },
    type: 'object',
    required: ['effect', 'key'],
  },
  'io.k8s.api.core.v1.Toleration': {
    description: 'Lets a pod schedule onto nodes with a matching taint.',
    properties: {
      effect: {
        type: 'string',
        enum: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
        description: 'Taint effect to match; empty matches all effects.',
      },
      key: {
        type: 'string',
        description: 'Taint key the toleration applies to; empty matches all keys.',
      },
      operator: {
        type: 'string',
        enum: ['Equal', 'Exists'],
        description: 'Exists or Equal; Equal by default.',
      },
      tolerationSeconds: {
        type: 'integer',
        format: 'int64',
        description: 'How long the pod tolerates a NoExecute taint.',
      },
      value: {
        type: 'string',
        description: 'Value the toleration matches.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.TopologySelectorLabelRequirement': {
    description: 'A topology label requirement.',
    properties: {
      key: {
        type: 'string',
        description: 'Label key the selector applies to.',
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
    required: ['key', 'values'],
  },
  'io.k8s.api.core.v1.TopologySelectorTerm': {
    description: 'A topology term; its requirements are ANDed.',
    properties: {
      matchLabelExpressions: {
        type: 'array',
        items: {
          allOf: [
            {
              $ref: '#/components/schemas/io.k8s.api.core.v1.TopologySelectorLabelRequirement',
            },
          ],
          default: {},
        },
        description: 'Label requirements of the topology term.',
        'x-kubernetes-list-type': 'atomic',
      },
    },
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.TopologySpreadConstraint': {
    description: 'How to spread matching pods across a topology.',
    properties: {
      labelSelector: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
          },
        ],
        description: 'Selects the pods counted when computing the spread.',
      },
      matchLabelKeys: {
        type: 'array',
        items: {
          type: 'string',
          default: '',
        },
        description: 'Pod label keys whose values are added to the label selector.',
        'x-kubernetes-list-type': 'atomic',
      },
      maxSkew: {
        type: 'integer',
        format: 'int32',
        description: 'Maximum allowed difference in matching pod counts between topology domains.',
      },
      minDomains: {
        type: 'integer',
        format: 'int32',
        description: 'Minimum number of eligible topology domains.',
      },
      nodeAffinityPolicy: {
        type: 'string',
        enum: ['Honor', 'Ignore'],
        description:
          'Whether nodeAffinity and nodeSelector are honored when computing skew: Honor or Ignore.',
      },
      nodeTaintsPolicy: {
        type: 'string',
        enum: ['Honor', 'Ignore'],
        description: 'Whether node taints are considered when computing skew: Honor or Ignore.',
      },
      topologyKey: {
        type: 'string',
        description: 'Node label key that defines a topology domain.',
      },
      whenUnsatisfiable: {
        type: 'string',
        enum: ['DoNotSchedule', 'ScheduleAnyway'],
        description: 'What to do if the constraint cannot be met: DoNotSchedule or ScheduleAnyway.',
      },
    },
    type: 'object',
    required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
  },
  'io.k8s.api.core.v1.TypedLocalObjectReference': {
    description: 'References an object in the same namespace.',
    properties: {
      apiGroup: {
        type: 'string',
        description: 'API group of the referenced object; empty for the core group.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
    },
    type: 'object',
    required: ['name'],
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.TypedObjectReference': {
    description: 'References an object by group, kind, name and namespace.',
    properties: {
      apiGroup: {
        type: 'string',
        description: 'API group of the referenced object; empty for the core group.',
      },
      kind: {
        type: 'string',
        description: 'REST resource this object represents, in CamelCase.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      namespace: {
        type: 'string',
        description: 'Namespace of the object.',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.Volume': {
    description: 'A named volume in a pod.',
    properties: {
      awsElasticBlockStore: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource',
          },
        ],
        description: 'AWS EBS disk (deprecated in-tree type).',
      },
      azureDisk: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AzureDiskVolumeSource',
          },
        ],
        description: 'Azure data disk (deprecated in-tree type).',
      },
      azureFile: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.AzureFileVolumeSource',
          },
        ],
        description: 'Azure file share (deprecated in-tree type).',
      },
      cephfs: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.CephFSVolumeSource',
          },
        ],
        description: 'CephFS mount on the host.',
      },
      cinder: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.CinderVolumeSource',
          },
        ],
        description: 'OpenStack Cinder volume (deprecated in-tree type).',
      },
      configMap: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMapVolumeSource',
          },
        ],
        description: 'ConfigMap whose keys populate this volume.',
      },
      csi: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.CSIVolumeSource',
          },
        ],
        description: 'Volume handled by an external CSI driver.',
      },
      downwardAPI: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.DownwardAPIVolumeSource',
          },
        ],
        description: 'Downward API information exposed as files.',
      },
      emptyDir: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.EmptyDirVolumeSource',
          },
        ],
        description: 'Temporary directory that lives as long as the pod.',
      },
      ephemeral: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.EphemeralVolumeSource',
          },
        ],
        description: 'Volume provisioned for this pod by a storage driver and deleted with it.',
      },
      fc: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.FCVolumeSource',
          },
        ],
        description: 'Fibre Channel disk attached to the host.',
      },
      flexVolume: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.FlexVolumeSource',
          },
        ],
        description: 'Volume provisioned through an exec-based FlexVolume plugin.',
      },
      flocker: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.FlockerVolumeSource',
          },
        ],
        description: 'Flocker dataset (deprecated).',
      },
      gcePersistentDisk: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.GCEPersistentDiskVolumeSource',
          },
        ],
        description: 'GCE persistent disk (deprecated in-tree type).',
      },
      gitRepo: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.GitRepoVolumeSource',
          },
        ],
        description: 'Git repository checked out at a revision (deprecated).',
      },
      glusterfs: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.GlusterfsVolumeSource',
          },
        ],
        description: 'Glusterfs mount on the host (deprecated).',
      },
      hostPath: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.HostPathVolumeSource',
          },
        ],
        description: 'Existing file or directory on the host.',
      },
      image: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ImageVolumeSource',
          },
        ],
        description: 'Container image name.',
      },
      iscsi: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ISCSIVolumeSource',
          },
        ],
        description: 'iSCSI disk attached to the host.',
      },
      name: {
        type: 'string',
        description: 'Name of the volume, unique within the pod.',
      },
      nfs: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NFSVolumeSource',
          },
        ],
        description: 'NFS export.',
      },
      persistentVolumeClaim: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource',
          },
        ],
        description: "PersistentVolumeClaim in the pod's namespace.",
      },
      photonPersistentDisk: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource',
          },
        ],
        description: 'Photon Controller persistent disk (deprecated).',
      },
      portworxVolume: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PortworxVolumeSource',
          },
        ],
        description: 'Portworx volume (deprecated).',
      },
      projected: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ProjectedVolumeSource',
          },
        ],
        description: 'Projection of several sources into one directory.',
      },
      quobyte: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.QuobyteVolumeSource',
          },
        ],
        description: 'Quobyte mount (deprecated).',
      },
      rbd: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.RBDVolumeSource',
          },
        ],
        description: 'Rados block device (deprecated).',
      },
      scaleIO: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ScaleIOVolumeSource',
          },
        ],
        description: 'ScaleIO volume (deprecated).',
      },
      secret: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretVolumeSource',
          },
        ],
        description: 'Secret whose keys populate this volume.',
      },
      storageos: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.StorageOSVolumeSource',
          },
        ],
        description: 'StorageOS volume (deprecated).',
      },
      vsphereVolume: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource',
          },
        ],
        description: 'vSphere volume (deprecated).',
      },
    },
    type: 'object',
    required: ['name'],
  },
  'io.k8s.api.core.v1.VolumeDevice': {
    description: 'Maps a raw block device into a container.',
    properties: {
      devicePath: {
        type: 'string',
        description: 'Path of the device inside the container.',
      },
      name: {
        type: 'string',
        description: 'Name of the PersistentVolumeClaim volume in the pod.',
      },
    },
    type: 'object',
    required: ['devicePath', 'name'],
  },
  'io.k8s.api.core.v1.VolumeMount': {
    description: 'Mounts a volume into a container.',
    properties: {
      mountPath: {
        type: 'string',
        description: 'Path in the container at which the volume is mounted.',
      },
      mountPropagation: {
        type: 'string',
        enum: ['Bidirectional', 'HostToContainer', 'None'],
        description: 'How mounts propagate between host and container.',
      },
      name: {
        type: 'string',
        description: 'Name of the volume to mount.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      recursiveReadOnly: {
        type: 'string',
        description:
          'Whether read-only mounts are made recursively read-only: Disabled, IfPossible or Enabled.',
      },
      subPath: {
        type: 'string',
        description: 'Path within the volume to mount instead of its root.',
      },
      subPathExpr: {
        type: 'string',
        description: 'Like subPath, with $(VAR) environment expansion.',
      },
    },
    type: 'object',
    required: ['mountPath', 'name'],
  },
  'io.k8s.api.core.v1.VolumeMountStatus': {
    description: 'Status of a volume mount.',
    properties: {
      mountPath: {
        type: 'string',
        description: 'Path in the container at which the volume is mounted.',
      },
      name: {
        type: 'string',
        description: 'Name of the object.',
      },
      readOnly: {
        type: 'boolean',
        description: 'Mount read-only.',
      },
      recursiveReadOnly: {
        type: 'string',
        description: 'Recursive read-only mode in effect.',
      },
    },
    type: 'object',
    required: ['mountPath', 'name'],
  },
  'io.k8s.api.core.v1.VolumeNodeAffinity': {
    description: 'Nodes a volume can be accessed from.',
    properties: {
      required: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.NodeSelector',
          },
        ],
        description: 'Nodes the volume can be accessed from.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.VolumeProjection': {
    description: 'One projected source; only one member may be set.',
    properties: {
      clusterTrustBundle: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ClusterTrustBundleProjection',
          },
        ],
        description: 'ClusterTrustBundle objects to project as a file.',
      },
      configMap: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMapProjection',
          },
        ],
        description: 'ConfigMap data to project.',
      },
      downwardAPI: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.DownwardAPIProjection',
          },
        ],
        description: 'Downward API data to project.',
      },
      secret: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.SecretProjection',
          },
        ],
        description: 'Secret data to project.',
      },
      serviceAccountToken: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.ServiceAccountTokenProjection',
          },
        ],
        description: 'Service account token to project.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.VolumeResourceRequirements': {
    description: 'Storage resource requirements of a claim.',
    properties: {
      limits: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Maximum amounts of compute resources allowed.',
      },
      requests: {
        type: 'object',
        additionalProperties: {
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
        },
        description: 'Minimum storage the volume should have.',
      },
    },
    type: 'object',
  },
  'io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource': {
    description: 'Represents a VsphereVirtualDisk volume.',
    properties: {
      fsType: {
        type: 'string',
        description: 'Filesystem type to mount, such as ext4 or xfs.',
      },
      storagePolicyID: {
        type: 'string',
        description: 'Storage Policy Based Management profile ID.',
      },
      storagePolicyName: {
        type: 'string',
        description: 'Storage Policy Based Management profile name.',
      },
      volumePath: {
        type: 'string',
        description: 'Path identifying the vSphere volume.',
      },
    },
    type: 'object',
    required: ['volumePath'],
  },
  'io.k8s.api.core.v1.WeightedPodAffinityTerm': {
    description: 'A pod affinity term with a weight.',
    properties: {
      podAffinityTerm: {
        allOf: [
          {
            $ref: '#/components/schemas/io.k8s.api.core.v1.PodAffinityTerm',
          },
        ],
        default: {},
        description: 'The pod affinity term for this weight.',
      },
      weight: {
        type: 'integer',
        format: 'int32',
        description: 'Weight in the range 1-100.',
      },
    },
    type: 'object',
    required: ['podAffinityTerm', 'weight'],
  },
  'io.k8s.api.core.v1.WindowsSecurityContextOptions': {
    description: 'Windows-specific security options.',
    properties: {
      gmsaCredentialSpec: {
        type: 'string',
        description: 'Inline GMSA credential spec.',
      },
      gmsaCredentialSpecName: {
        type: 'string',
        description: 'Name of the GMSA credential spec.',
      },
      hostProcess: {
        type: 'boolean',
        description: 'Whether the container runs as a Windows HostProcess container.',
      },
      runAsUserName: {
        type: 'string',
        description: 'Windows user name to run the entrypoint as.',
      },
    },
    type: 'object',
  },
};
