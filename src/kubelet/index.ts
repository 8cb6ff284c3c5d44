// The node agent: registers the Node, renews its Lease, runs the volume manager and drives pod status.
export { NodeAgent, type NodeAgentOptions } from './agent.ts';
export * from './constants.ts';
export * from './csiregistration.ts';
export {
  defaultEvictionMonitoringPeriodMs,
  EvictedReason,
  emptyDirLimitMessage,
  isCriticalPod,
} from './eviction.ts';
export { type MachineInfo, readMachineInfo } from './nodestatus.ts';
export {
  dialRegistration,
  type PluginInfo,
  PluginType,
  type RegistrationClient,
  type RegistrationStatus,
  registrationHandlers,
  registrationService,
} from './pluginmanager/index.ts';
export { type ContainerRuntime, type ContainerState, NoopContainerRuntime } from './runtime.ts';
export { KubeletVolumeHost } from './volumehost.ts';
export * from './volumemanager/index.ts';
