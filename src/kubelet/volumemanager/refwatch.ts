// Watches the ConfigMaps and Secrets the node's pods mount (upstream's watch-based configmap/secret
// managers, reduced to change notification): one single-object watch (fieldSelector metadata.name) per
// referenced object, shared by every pod that references it and stopped when the last one goes. A
// change (or creation, or deletion) of an object calls `onChange` with the UIDs of the pods using it,
// so the volume manager remounts their volumes at once instead of waiting for a periodic sync.
import type { KubeObject, Pod, ResourceType } from '../../api/index.ts';
import { Resources } from '../../api/index.ts';
import { type Client, SharedIndexInformer } from '../../client/index.ts';
import type { Clock } from '../../component/index.ts';
import { getPodVolumeNames } from './podvolumes.ts';

interface Ref {
  rt: ResourceType;
  namespace: string;
  name: string;
}

/** The configMaps and secrets the pod's used volumes read (directly or through projected sources). */
export function referencedObjects(pod: Pod): Ref[] {
  const ns = pod.metadata.namespace ?? 'default';
  const { mounts, devices } = getPodVolumeNames(pod);
  const out: Ref[] = [];
  const add = (rt: ResourceType, name: string | undefined): void => {
    if (name !== undefined && name !== '') out.push({ rt, namespace: ns, name });
  };
  for (const v of pod.spec?.volumes ?? []) {
    if (!mounts.has(v.name) && !devices.has(v.name)) continue;
    add(Resources.configmaps, v.configMap?.name);
    add(Resources.secrets, v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add(Resources.configmaps, s.configMap?.name);
      add(Resources.secrets, s.secret?.name);
    }
  }
  return out;
}

function refKey(r: Ref): string {
  return `${r.rt.plural}/${r.namespace}/${r.name}`;
}

interface Watched {
  informer: SharedIndexInformer<KubeObject>;
  pods: Set<string>;
}

export interface ReferenceWatcherOptions {
  client: Client;
  clock?: Clock;
  onChange: (podUIDs: string[]) => void;
}

export class ReferenceWatcher {
  readonly #o: ReferenceWatcherOptions;
  readonly #watched = new Map<string, Watched>();
  readonly #podRefs = new Map<string, string[]>();
  #signal: AbortSignal | undefined;

  constructor(opts: ReferenceWatcherOptions) {
    this.#o = opts;
  }

  /** Starts the watches registered so far and those registered later, until the signal aborts. */
  start(signal: AbortSignal): void {
    this.#signal = signal;
    for (const w of this.#watched.values()) w.informer.start(signal);
    signal.addEventListener('abort', () => this.#stopAll(), { once: true });
  }

  /** Whether the pod is tracked. */
  has(podUID: string): boolean {
    return this.#podRefs.has(podUID);
  }

  /** Tracks the pod's references (pod volumes are immutable, so once per pod is enough). */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (this.#podRefs.has(uid)) return;
    const refs = referencedObjects(pod);
    const keys = [...new Set(refs.map(refKey))];
    this.#podRefs.set(uid, keys);
    for (const r of refs) {
      const k = refKey(r);
      let w = this.#watched.get(k);
      if (w === undefined) {
        w = { informer: this.#newInformer(r), pods: new Set() };
        this.#watched.set(k, w);
        if (this.#signal !== undefined && !this.#signal.aborted) w.informer.start(this.#signal);
      }
      w.pods.add(uid);
    }
  }

  removePod(uid: string): void {
    const keys = this.#podRefs.get(uid);
    if (keys === undefined) return;
    this.#podRefs.delete(uid);
    for (const k of keys) {
      const w = this.#watched.get(k);
      if (w === undefined) continue;
      w.pods.delete(uid);
      if (w.pods.size === 0) {
        w.informer.stop();
        this.#watched.delete(k);
      }
    }
  }

  /** The UIDs of tracked pods. */
  pods(): string[] {
    return [...this.#podRefs.keys()];
  }

  /** Number of objects watched. */
  get watchCount(): number {
    return this.#watched.size;
  }

  #newInformer(r: Ref): SharedIndexInformer<KubeObject> {
    const k = refKey(r);
    const informer = new SharedIndexInformer<KubeObject>(this.#o.client.resource(r.rt, r.namespace), {
      fieldSelector: `metadata.name=${r.name}`,
      ...(this.#o.clock === undefined ? {} : { clock: this.#o.clock }),
      name: k,
    });
    const notify = (): void => {
      const w = this.#watched.get(k);
      if (w !== undefined && w.pods.size > 0) this.#o.onChange([...w.pods]);
    };
    informer.addEventHandler({
      onAdd: (_obj, initial) => {
        if (!initial) notify();
      },
      onUpdate: (oldObj, newObj) => {
        if (oldObj.metadata.resourceVersion !== newObj.metadata.resourceVersion) notify();
      },
      onDelete: () => notify(),
    });
    return informer;
  }

  #stopAll(): void {
    for (const w of this.#watched.values()) w.informer.stop();
  }
}
