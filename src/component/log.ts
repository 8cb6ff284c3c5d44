// Logging in klog's text shape (`I1121 12:00:00.000000 1 file] "msg" key="value"`) or JSON lines, on
// stderr, with -v gating. Small on purpose: structured key/values, no formatting in hot paths unless the
// level is enabled.

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  verbosity: number;
  format: LogFormat;
  write: (line: string) => void;
}

const options: LoggerOptions = {
  verbosity: 0,
  format: 'text',
  write: (line) => process.stderr.write(line),
};

export function configureLogging(opts: Partial<LoggerOptions>): void {
  Object.assign(options, opts);
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? 'undefined';
}

function header(sev: 'I' | 'W' | 'E', component: string): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${sev}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000 ${process.pid} ${component}]`
  );
}

function emit(
  sev: 'I' | 'W' | 'E',
  v: number,
  component: string,
  msg: string,
  kv: Record<string, unknown>,
): void {
  if (options.format === 'json') {
    const rec: Record<string, unknown> = { ts: Date.now() / 1000, v, logger: component, msg };
    for (const [k, val] of Object.entries(kv)) rec[k] = val instanceof Error ? val.message : val;
    if (sev === 'E') rec['err'] = rec['err'] ?? msg;
    options.write(`${JSON.stringify(rec)}\n`);
    return;
  }
  let line = `${header(sev, component)} ${JSON.stringify(msg)}`;
  for (const [k, val] of Object.entries(kv)) line += ` ${k}=${fmtValue(val)}`;
  options.write(`${line}\n`);
}

export interface Logger {
  info(msg: string, kv?: Record<string, unknown>): void;
  /** Logged only when -v is at least `level`. */
  v(level: number, msg: string, kv?: Record<string, unknown>): void;
  warn(msg: string, kv?: Record<string, unknown>): void;
  error(msg: string, err: unknown, kv?: Record<string, unknown>): void;
  enabled(level: number): boolean;
}

export function logger(component: string): Logger {
  return {
    info: (msg, kv = {}) => emit('I', 0, component, msg, kv),
    v: (level, msg, kv = {}) => {
      if (options.verbosity >= level) emit('I', level, component, msg, kv);
    },
    warn: (msg, kv = {}) => emit('W', 0, component, msg, kv),
    error: (msg, err, kv = {}) => emit('E', 0, component, msg, { ...kv, err }),
    enabled: (level) => options.verbosity >= level,
  };
}
