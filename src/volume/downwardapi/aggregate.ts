// Several errors reported as one (upstream apimachinery utilerrors.NewAggregate): one error reads as
// itself, several as `[a, b]` with repeated messages shown once.
export class AggregatedError extends Error {
  override readonly name = 'AggregatedError';
  readonly errors: readonly Error[];

  constructor(errors: readonly Error[]) {
    super(aggregateMessage(errors));
    this.errors = errors;
  }
}

export function isAggregatedError(err: unknown): err is AggregatedError {
  return err instanceof AggregatedError;
}

function aggregateMessage(errors: readonly Error[]): string {
  if (errors.length === 1) return errors[0]?.message ?? '';
  const seen = [...new Set(errors.map((e) => e.message))];
  return seen.length === 1 ? (seen[0] ?? '') : `[${seen.join(', ')}]`;
}
