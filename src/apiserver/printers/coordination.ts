// Table printer for coordination.k8s.io Lease (pkg/printers/internalversion/printers.go).

import { ageSince } from './duration.ts';
import { obj, optStr } from './fields.ts';
import { ageColumn, column, nameColumn, registerPrinter } from './table.ts';

registerPrinter('Lease', {
  columns: [
    nameColumn(),
    column(
      'Holder',
      'string',
      'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
    ),
    ageColumn(),
  ],
  print: (lease, now) => ({
    cells: [
      lease.metadata.name ?? '',
      optStr(obj(lease.spec), 'holderIdentity') ?? '',
      ageSince(lease.metadata.creationTimestamp, now),
    ],
  }),
});
