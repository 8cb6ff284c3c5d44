// Small readers for untyped object fields, so printers can walk `spec`/`status` of stored JSON
// without trusting its shape: a missing or mistyped field reads as Go's zero value.

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object at `path`, or an empty object. */
export function obj(v: unknown, ...path: string[]): Obj {
  let cur: unknown = v;
  for (const key of path) cur = isObj(cur) ? cur[key] : undefined;
  return isObj(cur) ? cur : {};
}

export const str = (o: Obj, key: string): string => {
  const v = o[key];
  return typeof v === 'string' ? v : '';
};

/** A string pointer: undefined when absent. */
export const optStr = (o: Obj, key: string): string | undefined => {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
};

export const num = (o: Obj, key: string): number => {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

/** A bool pointer: undefined when absent. */
export const optBool = (o: Obj, key: string): boolean | undefined => {
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
};

export const arr = (o: Obj, key: string): unknown[] => {
  const v = o[key];
  return Array.isArray(v) ? v : [];
};

/** Array elements that are objects. */
export const objs = (o: Obj, key: string): Obj[] => arr(o, key).filter(isObj);

export const strs = (o: Obj, key: string): string[] =>
  arr(o, key).filter((v): v is string => typeof v === 'string');
