// Event reasons of the persistentvolume controller (pkg/controller/volume/events/event.go), declared once.
export const FailedBinding = 'FailedBinding';
export const VolumeMismatch = 'VolumeMismatch';
export const VolumeFailedRecycle = 'VolumeFailedRecycle';
export const VolumeRecycled = 'VolumeRecycled';
export const RecyclerPod = 'RecyclerPod';
export const VolumeDelete = 'VolumeDelete';
export const VolumeFailedDelete = 'VolumeFailedDelete';
export const ExternalProvisioning = 'ExternalProvisioning';
export const ProvisioningFailed = 'ProvisioningFailed';
export const ProvisioningCleanupFailed = 'ProvisioningCleanupFailed';
export const ProvisioningSucceeded = 'ProvisioningSucceeded';
export const WaitForFirstConsumer = 'WaitForFirstConsumer';
export const WaitForPodScheduled = 'WaitForPodScheduled';
export const ClaimLost = 'ClaimLost';
export const ClaimMisbound = 'ClaimMisbound';
export const VolumeUnknownReclaimPolicy = 'VolumeUnknownReclaimPolicy';
