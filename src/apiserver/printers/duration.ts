// Human-readable durations and ages exactly as k8s.io/apimachinery/pkg/util/duration prints them,
// plus the `translateTimestampSince` convention of the upstream printers (`<unknown>` for a zero time).

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** Go's `int(d / unit)`: integer division truncating toward zero. */
const per = (ms: number, unit: number): number => Math.trunc(ms / unit);

/**
 * duration.HumanDuration: about two or three significant figures (`45s`, `3m20s`, `95m`, `5h3m`,
 * `30h`, `3d4h`, `120d`, `2y30d`, `9y`). Up to one second in the future counts as `0s`; further in
 * the future is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  const seconds = per(ms, second);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = per(ms, minute);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = per(ms, hour);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${per(hours, 24)}d` : `${per(hours, 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${per(hours, 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = per(hours, 24) % 365;
    const years = per(hours, 24 * 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${per(hours, 24 * 365)}y`;
}

/** duration.ShortHumanDuration: one unit only (`45s`, `12m`, `5h`, `3d`, `2y`). */
export function shortHumanDuration(ms: number): string {
  const seconds = per(ms, second);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = per(ms, minute);
  if (minutes < 60) return `${minutes}m`;
  const hours = per(ms, hour);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${per(hours, 24)}d`;
  return `${per(hours, 24 * 365)}y`;
}

/**
 * Parses an RFC 3339 timestamp as metav1.Time / MicroTime carry it. Absent, empty or unparsable
 * values are the zero time (undefined), which is what a Go client decodes them to.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** translateTimestampSince of the upstream printers: the age of `value` at `now`. */
export function ageSince(value: unknown, now: number): string {
  const t = parseTime(value);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}
