// Table printers for storage.k8s.io kinds (pkg/printers/internalversion/printers.go):
// StorageClass, VolumeAttachment, CSIDriver, CSINode, CSIStorageCapacity, VolumeAttributesClass.

import type { KubeObject } from '../../api/index.ts';
import { ageSince } from './duration.ts';
import { isObj, obj, objs, optBool, optStr, str } from './fields.ts';
import { canonicalQuantity } from './quantity.ts';
import type { Printer } from './table.ts';
import { ageColumn, column, nameColumn, registerPrinter } from './table.ts';

export const isDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const betaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';
export const alphaIsDefaultVolumeAttributesClassAnnotation =
  'volumeattributesclass.alpha.kubernetes.io/is-default-class';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: number): string => ageSince(o.metadata.creationTimestamp, now);

/** storageutil.IsDefaultAnnotation: the GA or the beta annotation set to exactly "true". */
export function isDefaultStorageClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[isDefaultStorageClassAnnotation] === 'true' || a[betaIsDefaultStorageClassAnnotation] === 'true';
}

const storageClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    column(
      'ReclaimPolicy',
      'string',
      'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.',
    ),
    column(
      'VolumeBindingMode',
      'string',
      'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.',
    ),
    column(
      'AllowVolumeExpansion',
      'string',
      'allowVolumeExpansion shows whether the storage class allow volume expand.',
    ),
    ageColumn(),
  ],
  print(sc, now) {
    const o = sc as Record<string, unknown>;
    return {
      cells: [
        isDefaultStorageClass(sc) ? `${name(sc)} (default)` : name(sc),
        str(o, 'provisioner'),
        optStr(o, 'reclaimPolicy') ?? 'Delete',
        optStr(o, 'volumeBindingMode') ?? 'Immediate',
        optBool(o, 'allowVolumeExpansion') ?? false,
        age(sc, now),
      ],
    };
  },
};

const volumeAttachmentPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'Attacher',
      'string',
      'attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().',
      { format: 'name' },
    ),
    column('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    column('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    column(
      'Attached',
      'boolean',
      'attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.',
    ),
    ageColumn(),
  ],
  print(va, now) {
    const spec = obj(va.spec);
    return {
      cells: [
        name(va),
        str(spec, 'attacher'),
        str(obj(spec, 'source'), 'persistentVolumeName'),
        str(spec, 'nodeName'),
        optBool(obj(va.status), 'attached') ?? false,
        age(va, now),
      ],
    };
  },
};

const csiDriverPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'AttachRequired',
      'boolean',
      'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the volumeattachment status when the attach operation is complete. If the value is specified to false, the attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable.',
    ),
    column(
      'PodInfoOnMount',
      'boolean',
      'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.',
    ),
    column(
      'StorageCapacity',
      'boolean',
      'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.',
    ),
    column(
      'TokenRequests',
      'string',
      'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. The CSI driver should parse and validate the following VolumeContext: "csi.storage.k8s.io/serviceAccount.tokens": {\n  "<audience>": {\n    "token": <token>,\n    "expirationTimestamp": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, RequiresRepublish can be used to trigger NodePublishVolume periodically.',
    ),
    column(
      'RequiresRepublish',
      'boolean',
      'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. New mount points will not be seen by a running container.',
    ),
    column(
      'Modes',
      'string',
      'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is "Persistent", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is "Ephemeral". In this mode, volumes are defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a volume.\n\nFor more information about implementing this mode, see https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable.',
    ),
    ageColumn(),
  ],
  print(driver, now) {
    const spec = obj(driver.spec);
    const tokenRequests = Array.isArray(spec.tokenRequests)
      ? spec.tokenRequests.map((t) => (isObj(t) ? str(t, 'audience') : '')).join(',')
      : '<unset>';
    const modes = Array.isArray(spec.volumeLifecycleModes)
      ? spec.volumeLifecycleModes.filter((m): m is string => typeof m === 'string').join(',')
      : '';
    return {
      cells: [
        name(driver),
        optBool(spec, 'attachRequired') ?? true,
        optBool(spec, 'podInfoOnMount') ?? false,
        optBool(spec, 'storageCapacity') ?? false,
        tokenRequests,
        optBool(spec, 'requiresRepublish') ?? false,
        modes === '' ? '<none>' : modes,
        age(driver, now),
      ],
    };
  },
};

const csiNodePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'),
    ageColumn(),
  ],
  print: (node, now) => ({ cells: [name(node), objs(obj(node.spec), 'drivers').length, age(node, now)] }),
};

const csiStorageCapacityPrinter: Printer = {
  columns: [
    nameColumn(),
    column(
      'StorageClassName',
      'string',
      'storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.',
    ),
    column(
      'Capacity',
      'string',
      'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that information is currently unavailable.',
    ),
  ],
  print(cap) {
    const o = cap as Record<string, unknown>;
    const capacity =
      o.capacity === undefined || o.capacity === null ? '<unset>' : canonicalQuantity(o.capacity);
    return { cells: [name(cap), str(o, 'storageClassName'), capacity] };
  },
};

const volumeAttributesClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('DriverName', 'string', 'Name of the CSI driver This field is immutable.'),
    ageColumn(),
  ],
  print(vac, now) {
    const isDefault = vac.metadata.annotations?.[alphaIsDefaultVolumeAttributesClassAnnotation] === 'true';
    return {
      cells: [
        isDefault ? `${name(vac)} (default)` : name(vac),
        str(vac as Record<string, unknown>, 'driverName'),
        age(vac, now),
      ],
    };
  },
};

registerPrinter('StorageClass', storageClassPrinter);
registerPrinter('VolumeAttachment', volumeAttachmentPrinter);
registerPrinter('CSIDriver', csiDriverPrinter);
registerPrinter('CSINode', csiNodePrinter);
registerPrinter('CSIStorageCapacity', csiStorageCapacityPrinter);
registerPrinter('VolumeAttributesClass', volumeAttributesClassPrinter);
