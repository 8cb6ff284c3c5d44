// Field sets as structured-merge-diff's fieldpath.Set: the fields a manager owns, stored in
// managedFields as FieldsV1 JSON. A path is a list of serialized path elements: `f:<field>` for an
// object field or map key, `k:{"name":"c"}` for a list item found by its keys, `v:<json>` for a
// member of a set list, `i:<n>` for a list item by position. `.` in FieldsV1 marks a node that is a
// member itself as well as the parent of members.

export type PathElement = string;
export type FieldSetPath = readonly PathElement[];

function rank(pe: PathElement): number {
  switch (pe[0]) {
    case 'f':
      return 0;
    case 'k':
      return 1;
    case 'v':
      return 2;
    default:
      return 3;
  }
}

/** fieldpath.PathElement ordering: fields, then keyed items, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static of(paths: Iterable<FieldSetPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldSetPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const pe = path[i]!;
      let child = node.children.get(pe);
      if (child === undefined) {
        child = new FieldSet();
        node.children.set(pe, child);
      }
      node = child;
    }
    node.members.add(path[path.length - 1]!);
  }

  /** True when `path` itself is a member. */
  has(path: FieldSetPath): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node !== undefined; i++) node = node.children.get(path[i]!);
    return node?.members.has(path[path.length - 1]!) ?? false;
  }

  /** The subset below `pe` (fieldpath.Set.WithPrefix). */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(pe);
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every member path, in structured-merge-diff's iteration order (members, then children). */
  paths(): FieldSetPath[] {
    const out: FieldSetPath[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]): void => {
      for (const m of [...s.members].sort(comparePathElements)) out.push([...prefix, m]);
      for (const pe of [...s.children.keys()].sort(comparePathElements))
        walk(s.children.get(pe)!, [...prefix, pe]);
    };
    walk(this, []);
    return out;
  }

  /** A copy that shares nothing with this set. */
  copy(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [pe, c] of this.children) if (!c.isEmpty()) out.children.set(pe, c.copy());
    return out;
  }

  // The set operations below work on the trees directly (no path lists, no sorting); their results
  // hold no empty subtrees, as sets built from paths do.

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    out.#merge(other);
    return out;
  }

  #merge(other: FieldSet): void {
    for (const m of other.members) this.members.add(m);
    for (const [pe, oc] of other.children) {
      if (oc.isEmpty()) continue;
      const mine = this.children.get(pe);
      if (mine === undefined) this.children.set(pe, oc.copy());
      else mine.#merge(oc);
    }
  }

  /** Members of this set that are not members of `other` (exact paths). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      const sub = oc === undefined ? c.copy() : c.difference(oc);
      if (!sub.isEmpty()) out.children.set(pe, sub);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      if (oc === undefined) continue;
      const sub = c.intersection(oc);
      if (!sub.isEmpty()) out.children.set(pe, sub);
    }
    return out;
  }

  /** Members neither in `other` nor below a member of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      // Everything below a member of `other` goes; below a node `other` lacks, everything stays.
      if (other.members.has(pe)) continue;
      const oc = other.children.get(pe);
      const sub = oc === undefined ? c.copy() : c.recursiveDifference(oc);
      if (!sub.isEmpty()) out.children.set(pe, sub);
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    const a = this.paths();
    const b = other.paths();
    return a.length === b.length && a.every((p) => other.has(p)) && b.every((p) => this.has(p));
  }

  /** The FieldsV1 JSON object (`{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`), keys in upstream order. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = new Set<PathElement>([...this.members, ...this.children.keys()]);
    for (const pe of [...keys].sort(comparePathElements)) {
      const child = this.children.get(pe);
      const isMember = this.members.has(pe);
      if (child === undefined || child.isEmpty()) {
        if (isMember) out[pe] = {};
        continue;
      }
      const inner = child.toFieldsV1();
      out[pe] = isMember ? { '.': {}, ...inner } : inner;
    }
    return out;
  }

  static fromFieldsV1(json: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: unknown, prefix: PathElement[]): void => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      for (const [pe, child] of Object.entries(node as Record<string, unknown>)) {
        if (pe === '.') {
          s.insert(prefix);
          continue;
        }
        const path = [...prefix, pe];
        const entries =
          typeof child === 'object' && child !== null && !Array.isArray(child) ? Object.keys(child) : [];
        if (entries.length === 0) s.insert(path);
        else walk(child, path);
      }
    };
    walk(json, []);
    return s;
  }
}

/** value.ToString of structured-merge-diff for a decoded JSON value. */
function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${k}=${valueToString(o[k])}`)
    .join(',')}}`;
}

/** A path as upstream prints it in conflicts: `.spec.containers[name="c"].image`, `.metadata.finalizers[="x"]`. */
export function pathToString(path: FieldSetPath): string {
  let s = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        s += `.${body}`;
        break;
      case 'k': {
        const keys = JSON.parse(body) as Record<string, unknown>;
        s += `[${Object.keys(keys)
          .map((k) => `${k}=${valueToString(keys[k])}`)
          .join(',')}]`;
        break;
      }
      case 'v':
        s += `[=${valueToString(JSON.parse(body))}]`;
        break;
      default:
        s += `[${body}]`;
    }
  }
  return s;
}
