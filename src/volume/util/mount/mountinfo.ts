// Parser for /proc/self/mountinfo (proc(5)): one mount per line,
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// id, parent id, major:minor, root, mount point, per-mount options, optional fields up to a lone `-`,
// filesystem type, source, superblock options. The kernel escapes space, tab, newline and backslash
// in paths as octal (`\040`), which is decoded here.
import type { MountPoint } from './types.ts';

/** One mountinfo line with everything the file says; usable wherever a MountPoint is expected. */
export interface MountInfo extends MountPoint {
  /** Per-mount options only (`ro`, `nosuid`, `relatime`, ...). */
  readonly mountOptions: readonly string[];
  /** Optional fields such as `shared:1`, `master:2`, `propagate_from:3`, `unbindable`. */
  readonly optionalFields: readonly string[];
  /** Superblock options (`rw`, `size=1024k`, `mode=755`, ...). */
  readonly superOptions: readonly string[];
}

export class MountInfoParseError extends Error {
  override readonly name = 'MountInfoParseError';
  readonly line: string;
  constructor(message: string, line: string) {
    super(message);
    this.line = line;
  }
}

export function isMountInfoParseError(err: unknown): err is MountInfoParseError {
  return err instanceof MountInfoParseError;
}

/** Decodes the kernel's octal escapes (`\040` → space, `\134` → backslash). */
export function unescapeOctal(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([0-3][0-7]{2})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

function splitOpts(s: string): string[] {
  return s === '' ? [] : s.split(',');
}

/** Parses one line; throws MountInfoParseError (upstream's messages) when it is malformed. */
export function parseMountInfoLine(line: string): MountInfo {
  const fields = line.split(' ');
  if (fields.length < 10) {
    throw new MountInfoParseError(
      `wrong number of fields (expected at least 10, got ${fields.length}): ${line}`,
      line,
    );
  }
  const sep = fields.indexOf('-', 6);
  if (sep < 0 || fields.length - sep - 1 < 3) {
    throw new MountInfoParseError(`found unexpected separator or too few fields after it: ${line}`, line);
  }
  const [idS, parentS, devS, root, mountPoint, mountOpts] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const id = Number(idS);
  const parentId = Number(parentS);
  // major:minor without a regular expression (this runs for every line of a table of thousands).
  const colon = devS.indexOf(':');
  const major = colon > 0 ? Number(devS.slice(0, colon)) : Number.NaN;
  const minor = colon > 0 && colon < devS.length - 1 ? Number(devS.slice(colon + 1)) : Number.NaN;
  if (
    !Number.isInteger(id) ||
    !Number.isInteger(parentId) ||
    !isDecimal(devS, 0, colon) ||
    !isDecimal(devS, colon + 1, devS.length)
  ) {
    throw new MountInfoParseError(`bad id or device number in mountinfo line: ${line}`, line);
  }
  const fstype = fields[sep + 1] ?? '';
  const source = fields[sep + 2] ?? '';
  // Superblock options never contain spaces, but be lenient with anything after them.
  const superOpts = fields.length === sep + 4 ? (fields[sep + 3] ?? '') : fields.slice(sep + 3).join(' ');
  const mountOptions = splitOpts(mountOpts);
  const superOptions = splitOpts(superOpts);
  // As /proc/mounts shows them: the per-mount flags, then the filesystem's own options.
  const opts = mountOptions.slice();
  for (const o of superOptions) if (o !== 'rw' && o !== 'ro') opts.push(o);
  return {
    id,
    parentId,
    major,
    minor,
    root: unescapeOctal(root),
    path: unescapeOctal(mountPoint),
    type: unescapeOctal(fstype),
    device: unescapeOctal(source),
    opts,
    mountOptions,
    optionalFields: sep === 6 ? [] : fields.slice(6, sep),
    superOptions,
  };
}

/** True when s[from, to) is one or more ASCII digits. */
function isDecimal(s: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parses the whole file; blank lines are skipped, a malformed line throws. */
export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    out.push(parseMountInfoLine(line));
  }
  return out;
}
