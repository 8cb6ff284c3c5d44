// The revisioned key-value store behind the apiserver: the Backend contract and its implementations.
// Importing this module registers the built-in backends by URL scheme, so `openBackend('memory://')` and
// `openBackend('sqlite:///abs/path/kvol.db')` work.
import { registerBackend } from './backend.ts';
import { openMemoryBackend } from './memory/memory.ts';
import { openSqliteBackend } from './sqlite/sqlite.ts';

export * from './backend.ts';
export { MemoryBackend, openMemoryBackend } from './memory/memory.ts';
export { isStoreClosed, StoreClosedError } from './shared.ts';
export {
  isStoreLocked,
  isStoreOpenError,
  openSqliteBackend,
  SQLITE_SCHEMA_VERSION,
  SqliteBackend,
  type SqliteBackendOptions,
  StoreLockedError,
  StoreOpenError,
  sqlitePathFromUrl,
} from './sqlite/sqlite.ts';

registerBackend('memory', (url) => openMemoryBackend(url));
registerBackend('sqlite', (url) => openSqliteBackend(url));
