// Server-side Table printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the column
// sets and cell rules of kube-apiserver for every kind kvol serves, upstream's default table for
// any other kind, and the duration and quantity formatting they share.

import './core.ts';
import './storage.ts';
import './coordination.ts';
import './crd.ts';

export { accessModesAsString, betaStorageClassAnnotation, nodeRoles } from './core.ts';
export type { CustomResourceColumnDefinition } from './crd.ts';
export {
  crdPrinter,
  isUnsupportedJSONPathError,
  snapshotPrinterColumns,
  UnsupportedJSONPathError,
} from './crd.ts';
export { ageSince, humanDuration, shortHumanDuration } from './duration.ts';
export { canonicalQuantity } from './quantity.ts';
export {
  alphaIsDefaultVolumeAttributesClassAnnotation,
  betaIsDefaultStorageClassAnnotation,
  isDefaultStorageClass,
  isDefaultStorageClassAnnotation,
} from './storage.ts';
export type {
  IncludeObject,
  PartialObjectMetadata,
  PrintedRow,
  Printer,
  PrintOptions,
  Table,
  TableCell,
  TableColumnDefinition,
  TableRow,
  TableRowCondition,
} from './table.ts';
export { printedKinds, printerFor, printTable, registerPrinter } from './table.ts';
