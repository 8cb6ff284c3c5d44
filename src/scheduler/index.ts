// The scheduler: pod placement with volume binding (WaitForFirstConsumer, topology, capacity, CSI
// volume limits). `kvol up` constructs one Scheduler and runs it.
export { BindingConflictError, DefaultPodBinder, isBindingConflictError, type PodBinder } from './binder.ts';
export * from './constants.ts';
export { Scheduler, type SchedulerOptions } from './scheduler.ts';
