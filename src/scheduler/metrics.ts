// The scheduler's metrics, upstream names and labels: the VolumeBinding ones
// (pkg/scheduler/framework/plugins/volumebinding/metrics) and scheduler_schedule_attempts_total.
import { Counter, getOrCreate, metricsRegistry } from '../component/index.ts';

/** Operation label values of scheduler_volume_scheduling_stage_error_total. */
export const VolumeStage = { predicate: 'predicate', assume: 'assume', bind: 'bind' } as const;
/** Operation label values of scheduler_volume_binder_cache_requests_total. */
export const BinderCacheOp = { add: 'add', delete: 'delete' } as const;
/** Result label values of scheduler_schedule_attempts_total. */
export const AttemptResult = {
  scheduled: 'scheduled',
  unschedulable: 'unschedulable',
  error: 'error',
} as const;

export function schedulerMetrics(): {
  binderCacheRequests: Counter<'operation'>;
  stageErrors: Counter<'operation'>;
  attempts: Counter<'result' | 'profile'>;
} {
  return {
    binderCacheRequests: getOrCreate(
      'scheduler_volume_binder_cache_requests_total',
      () =>
        new Counter({
          name: 'scheduler_volume_binder_cache_requests_total',
          help: 'Total number for request volume binding cache',
          labelNames: ['operation'],
          registers: [metricsRegistry],
        }),
    ),
    stageErrors: getOrCreate(
      'scheduler_volume_scheduling_stage_error_total',
      () =>
        new Counter({
          name: 'scheduler_volume_scheduling_stage_error_total',
          help: 'Volume scheduling stage error count',
          labelNames: ['operation'],
          registers: [metricsRegistry],
        }),
    ),
    attempts: getOrCreate(
      'scheduler_schedule_attempts_total',
      () =>
        new Counter({
          name: 'scheduler_schedule_attempts_total',
          help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
          labelNames: ['result', 'profile'],
          registers: [metricsRegistry],
        }),
    ),
  };
}
