// The meta.k8s.io/v1 Table a kube-apiserver returns for `Accept: application/json;as=Table;…`:
// column definitions, one row per object, and the row object shaped by `includeObject`. Printers
// register here by kind; a kind without one gets upstream's default table (Name, Created At).
// Pure functions of their input and `now`; safe to call concurrently.

import type { KubeObject, ObjectMeta } from '../../api/index.ts';
import { allResources } from '../../api/index.ts';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: `string`, `integer`, `number`, `boolean` or `date`. */
  type: string;
  /** OpenAPI format; `name` marks the column that holds the object name. */
  format: string;
  description: string;
  /** 0 for the default view, 1 and up for `-o wide` only. */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** A cell is a string, a number, a boolean, or null (an empty cell, as CRD columns produce). */
export type TableCell = string | number | boolean | null;

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object?: KubeObject | PartialObjectMetadata;
}

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface PrintOptions {
  /** Wall-clock time in milliseconds that ages are measured against (injected, never read here). */
  now: number;
  includeObject: IncludeObject;
  /** TableOptions.noHeaders: leave out the column definitions (rows keep every cell). */
  noHeaders?: boolean;
}

export interface Table {
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** What a printer returns for one object: its cells and, for finished pods, row conditions. */
export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

/**
 * Prints one kind. `columns` lists every column, wide ones included: the apiserver always prints
 * wide and lets kubectl hide priority > 0 columns, so `print` returns a cell for each column.
 */
export interface Printer {
  readonly columns: readonly TableColumnDefinition[];
  print(obj: KubeObject, now: number): PrintedRow;
}

const printers = new Map<string, Printer>();

/** Registers the printer for a kind; a second registration for the same kind is a bug. */
export function registerPrinter(kind: string, printer: Printer): void {
  if (printers.has(kind)) throw new Error(`a table printer for kind ${kind} is already registered`);
  printers.set(kind, printer);
}

/** The printer for a kind, or the default one when the kind has none. */
export function printerFor(kind: string): Printer {
  return printers.get(kind) ?? defaultPrinter;
}

/** Kinds that have their own printer (for tests and discovery checks). */
export function printedKinds(): string[] {
  return [...printers.keys()].sort();
}

/** ObjectMeta's swagger descriptions, which upstream uses for the Name and Age columns. */
export const metaDescriptions = {
  name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
} as const;

/** Builds a column definition; upstream leaves `format` empty and `priority` 0 unless set. */
export function column(
  name: string,
  type: string,
  description: string,
  extra: { format?: string; priority?: number } = {},
): TableColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

export const nameColumn = (): TableColumnDefinition =>
  column('Name', 'string', metaDescriptions.name, { format: 'name' });
export const ageColumn = (): TableColumnDefinition =>
  column('Age', 'string', metaDescriptions.creationTimestamp);

/** rest.defaultTableConvertor: Name and the creation time in RFC 3339 (UTC). */
const defaultPrinter: Printer = {
  columns: [nameColumn(), column('Created At', 'date', metaDescriptions.creationTimestamp)],
  print(obj) {
    const ts = obj.metadata.creationTimestamp;
    const t = ts === undefined ? Number.NaN : Date.parse(ts);
    const created = Number.isNaN(t)
      ? '0001-01-01T00:00:00Z'
      : new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    return { cells: [obj.metadata.name ?? '', created] };
  },
};

const kindApiVersions = new Map(allResources.map((r) => [r.kind, r.apiVersion]));

function rowObject(kind: string, obj: KubeObject, include: IncludeObject): TableRow['object'] {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object': {
      // List items may come without TypeMeta; the apiserver converts each to its version first.
      const apiVersion = obj.apiVersion ?? kindApiVersions.get(kind);
      return {
        ...obj,
        kind: obj.kind ?? kind,
        ...(apiVersion === undefined ? {} : { apiVersion }),
      };
    }
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

/**
 * Converts objects of one kind to a Table, as the apiserver's TableConvertor does with
 * `GenerateOptions{Wide: true}`: every column is defined and every row has a cell for each.
 */
export function printTable(kind: string, objects: readonly KubeObject[], opts: PrintOptions): Table {
  const printer = printerFor(kind);
  const width = printer.columns.length;
  const rows = objects.map((obj): TableRow => {
    const printed = printer.print(obj, opts.now);
    if (printed.cells.length !== width) {
      throw new Error(
        `table printer for ${kind} produced ${printed.cells.length} cells for ${width} columns`,
      );
    }
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions !== undefined) row.conditions = printed.conditions;
    const object = rowObject(kind, obj, opts.includeObject);
    if (object !== undefined) row.object = object;
    return row;
  });
  return { columnDefinitions: opts.noHeaders === true ? [] : printer.columns.map((c) => ({ ...c })), rows };
}
