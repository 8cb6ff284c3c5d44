// Event reasons of volume operations on pods (upstream pkg/kubelet/events/event.go).
export const FailedMountVolume = 'FailedMount';
export const SuccessfulMountVolume = 'SuccessfulMountVolume';
export const FailedUnmountVolume = 'FailedUnMount';
export const WarnAlreadyMountedVolume = 'AlreadyMountedVolume';
export const FailedAttachVolume = 'FailedAttachVolume';
export const SuccessfulAttachVolume = 'SuccessfulAttachVolume';
export const FailedMapVolume = 'FailedMapVolume';
