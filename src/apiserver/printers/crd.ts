// Tables for custom resources the way apiextensions-apiserver builds them from a CRD's
// additionalPrinterColumns (registry/customresource/tableconvertor): a Name column, then one column
// per printer column whose cell is found by a simple JSONPath. A missing value is an empty (null)
// cell, never `<none>`. The external-snapshotter CRDs (snapshot.storage.k8s.io/v1) are registered here.

import type { KubeObject } from '../../api/index.ts';
import { humanDuration, parseTime } from './duration.ts';
import type { Printer, TableCell, TableColumnDefinition } from './table.ts';
import { column, nameColumn, registerPrinter } from './table.ts';

/** One entry of `spec.versions[].additionalPrinterColumns` in a CustomResourceDefinition. */
export interface CustomResourceColumnDefinition {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** Thrown when a printer column's JSONPath is not one we can evaluate. */
export class UnsupportedJSONPathError extends Error {
  readonly jsonPath: string;
  constructor(jsonPath: string) {
    super(`unrecognized column definition "${jsonPath}"`);
    this.name = 'UnsupportedJSONPathError';
    this.jsonPath = jsonPath;
  }
}

export const isUnsupportedJSONPathError = (err: unknown): err is UnsupportedJSONPathError =>
  err instanceof UnsupportedJSONPathError;

type Step = string | number;

/** Parses the simple JSONPaths CRDs allow: `.a.b`, `.a['b.c']`, `.a[0]`. */
export function parseSimpleJSONPath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (m === null) throw new UnsupportedJSONPathError(path);
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3] ?? m[4] ?? '');
    at = re.lastIndex;
  }
  if (steps.length === 0) throw new UnsupportedJSONPathError(path);
  return steps;
}

function lookup(value: unknown, steps: readonly Step[]): unknown {
  let cur = value;
  for (const step of steps) {
    if (typeof step === 'number') cur = Array.isArray(cur) ? cur[step] : undefined;
    else
      cur =
        typeof cur === 'object' && cur !== null && !Array.isArray(cur)
          ? (cur as Record<string, unknown>)[step]
          : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** How client-go's jsonpath prints one result: JSON for maps and lists, fmt.Print otherwise. */
function printResult(value: unknown): string {
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** cellForJSONValue of the CRD table convertor: a typed cell, or null when the type does not fit. */
function typedCell(type: string, value: unknown, now: number): TableCell {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      const t = parseTime(value);
      return t === undefined ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return null;
  }
}

/** Builds the table printer apiextensions-apiserver would use for these printer columns. */
export function crdPrinter(columns: readonly CustomResourceColumnDefinition[]): Printer {
  const paths = columns.map((c) => parseSimpleJSONPath(c.jsonPath));
  const defs: TableColumnDefinition[] = [
    nameColumn(),
    ...columns.map((c) =>
      column(
        c.name,
        c.type,
        c.description !== undefined && c.description !== ''
          ? c.description
          : `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
        { format: c.format ?? '', priority: c.priority ?? 0 },
      ),
    ),
  ];
  return {
    columns: defs,
    print(obj: KubeObject, now: number) {
      const cells: TableCell[] = [obj.metadata.name ?? ''];
      columns.forEach((c, i) => {
        const value = lookup(obj, paths[i] ?? []);
        if (value === undefined || value === null) cells.push(null);
        else if (c.type === 'string') cells.push(printResult(value));
        else cells.push(typedCell(c.type, value, now));
      });
      return { cells };
    },
  };
}

const ageCol: CustomResourceColumnDefinition = {
  jsonPath: '.metadata.creationTimestamp',
  name: 'Age',
  type: 'date',
};

/** additionalPrinterColumns of external-snapshotter's snapshot.storage.k8s.io/v1 CRDs. */
export const snapshotPrinterColumns = {
  VolumeSnapshot: [
    {
      name: 'ReadyToUse',
      type: 'boolean',
      jsonPath: '.status.readyToUse',
      description: 'Indicates if the snapshot is ready to be used to restore a volume.',
    },
    {
      name: 'SourcePVC',
      type: 'string',
      jsonPath: '.spec.source.persistentVolumeClaimName',
      description:
        'If a new snapshot needs to be created, this contains the name of the source PVC from which this snapshot was (or will be) created.',
    },
    {
      name: 'SourceSnapshotContent',
      type: 'string',
      jsonPath: '.spec.source.volumeSnapshotContentName',
      description:
        'If a snapshot already exists, this contains the name of the existing VolumeSnapshotContent object representing the existing snapshot.',
    },
    {
      name: 'RestoreSize',
      type: 'string',
      jsonPath: '.status.restoreSize',
      description: 'Represents the minimum size of volume required to rehydrate from this snapshot.',
    },
    {
      name: 'SnapshotClass',
      type: 'string',
      jsonPath: '.spec.volumeSnapshotClassName',
      description: 'The name of the VolumeSnapshotClass requested by the VolumeSnapshot.',
    },
    {
      name: 'SnapshotContent',
      type: 'string',
      jsonPath: '.status.boundVolumeSnapshotContentName',
      description:
        'Name of the VolumeSnapshotContent object to which the VolumeSnapshot object intends to bind to. Please note that verification of binding actually requires checking both VolumeSnapshot and VolumeSnapshotContent to ensure both are pointing at each other. Binding MUST be verified prior to usage of this object.',
    },
    {
      name: 'CreationTime',
      type: 'date',
      jsonPath: '.status.creationTime',
      description: 'Timestamp when the point-in-time snapshot was taken by the underlying storage system.',
    },
    ageCol,
  ],
  VolumeSnapshotContent: [
    {
      name: 'ReadyToUse',
      type: 'boolean',
      jsonPath: '.status.readyToUse',
      description: 'Indicates if the snapshot is ready to be used to restore a volume.',
    },
    {
      name: 'RestoreSize',
      type: 'integer',
      jsonPath: '.status.restoreSize',
      description: 'Represents the complete size of the snapshot in bytes',
    },
    {
      name: 'DeletionPolicy',
      type: 'string',
      jsonPath: '.spec.deletionPolicy',
      description:
        'Determines whether this VolumeSnapshotContent and its physical snapshot on the underlying storage system should be deleted when its bound VolumeSnapshot is deleted.',
    },
    {
      name: 'Driver',
      type: 'string',
      jsonPath: '.spec.driver',
      description:
        'Name of the CSI driver used to create the physical snapshot on the underlying storage system.',
    },
    {
      name: 'VolumeSnapshotClass',
      type: 'string',
      jsonPath: '.spec.volumeSnapshotClassName',
      description: 'Name of the VolumeSnapshotClass to which this snapshot belongs.',
    },
    {
      name: 'VolumeSnapshot',
      type: 'string',
      jsonPath: '.spec.volumeSnapshotRef.name',
      description: 'Name of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.',
    },
    {
      name: 'VolumeSnapshotNamespace',
      type: 'string',
      jsonPath: '.spec.volumeSnapshotRef.namespace',
      description:
        'Namespace of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.',
    },
    ageCol,
  ],
  VolumeSnapshotClass: [
    { name: 'Driver', type: 'string', jsonPath: '.driver' },
    {
      name: 'DeletionPolicy',
      type: 'string',
      jsonPath: '.deletionPolicy',
      description:
        'Determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted.',
    },
    ageCol,
  ],
} as const satisfies Record<string, readonly CustomResourceColumnDefinition[]>;

for (const [kind, columns] of Object.entries(snapshotPrinterColumns)) {
  registerPrinter(kind, crdPrinter(columns));
}
