// The assume cache (k8s.io/component-helpers/storage/volume/assumecache): an informer's objects, plus
// in-memory "assumed" versions the scheduler writes in Reserve so that later scheduling cycles see a PV
// as taken (claimRef set) or a claim as provisioning (selected-node) before the API writes happen.
// An informer object replaces the assumed one only when its resourceVersion is newer; restore() drops
// an assumption.
//
// Concurrency: fed by informer handlers on the event loop; reads and assumptions happen between awaits.
import type { KubeObject } from '../api/index.ts';
import { metaNamespaceKey, type SharedIndexInformer } from '../client/index.ts';

function version(obj: KubeObject): bigint {
  const rv = obj.metadata.resourceVersion ?? '';
  return /^\d+$/.test(rv) ? BigInt(rv) : -1n;
}

export class AssumeCacheError extends Error {
  override readonly name = 'AssumeCacheError';
  readonly key: string;

  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

export function isAssumeCacheError(err: unknown): err is AssumeCacheError {
  return err instanceof AssumeCacheError;
}

interface Entry<T> {
  /** The latest object the informer delivered. */
  api: T;
  /** What readers see: the assumed object, or `api`. */
  latest: T;
}

export class AssumeCache<T extends KubeObject> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #kind: string;

  constructor(informer: SharedIndexInformer<T>, kind: string) {
    this.#kind = kind;
    informer.addEventHandler({
      onAdd: (obj) => this.#update(obj),
      onUpdate: (_old, obj) => this.#update(obj),
      onDelete: (obj) => {
        this.#entries.delete(metaNamespaceKey(obj));
      },
    });
  }

  #update(obj: T): void {
    const key = metaNamespaceKey(obj);
    const e = this.#entries.get(key);
    if (e !== undefined && version(obj) <= version(e.latest)) {
      // Keep the assumed object, but remember the API's view.
      e.api = obj;
      return;
    }
    this.#entries.set(key, { api: obj, latest: obj });
  }

  /** The assumed object if any, else the informer's. */
  get(key: string): T | undefined {
    return this.#entries.get(key)?.latest;
  }

  /** The informer's object, ignoring assumptions. */
  getAPI(key: string): T | undefined {
    return this.#entries.get(key)?.api;
  }

  list(filter?: (obj: T) => boolean): T[] {
    const out: T[] = [];
    for (const e of this.#entries.values()) if (filter === undefined || filter(e.latest)) out.push(e.latest);
    return out;
  }

  /** Replaces what readers see until the informer brings a newer version or restore() is called. */
  assume(obj: T): void {
    const key = metaNamespaceKey(obj);
    const e = this.#entries.get(key);
    if (e === undefined) throw new AssumeCacheError(key, `${this.#kind} ${JSON.stringify(key)} not found`);
    const newV = version(obj);
    const storedV = version(e.latest);
    if (newV < storedV) {
      throw new AssumeCacheError(
        key,
        `${this.#kind} ${JSON.stringify(key)} is out of sync (stored: ${storedV}, assume: ${newV})`,
      );
    }
    e.latest = obj;
  }

  /** Drops the assumption for the key. */
  restore(key: string): void {
    const e = this.#entries.get(key);
    if (e !== undefined) e.latest = e.api;
  }
}
