// Watches the ConfigMaps and Secrets the node's pods mount (upstream's watch-based configmap/secret
// managers, reduced to change notification), and the PersistentVolumeClaims and PersistentVolumes
// behind their PVC volumes: one single-object watch (fieldSelector metadata.name) per referenced
// object, shared by every pod that references it and stopped when the last one goes. A change (or
// creation, or deletion) of an object calls `onChange` with the UIDs of the pods using it, so the
// volume manager processes them again at once — remounting configMap/secret content, noticing a
// claim that became bound or a volume that grew (node expansion) — instead of waiting for a
// periodic sync. The PV of a claim is known only once the populator resolved it (addRef).
import type { KubeObject, Pod, ResourceType } from '../../api/index.ts';
import { Resources } from '../../api/index.ts';
import { type Client, SharedIndexInformer } from '../../client/index.ts';
import type { Clock } from '../../component/index.ts';
import { getPodVolumeNames } from './podvolumes.ts';

export interface Ref {
  rt: ResourceType;
  namespace: string;
  name: string;
}

/**
 * The configMaps and secrets the pod's used volumes read (directly or through projected sources), and
 * the claims of its PVC and generic ephemeral volumes.
 */
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
    add(Resources.persistentvolumeclaims, v.persistentVolumeClaim?.claimName);
    if (v.persistentVolumeClaim === undefined && v.ephemeral !== undefined) {
      add(Resources.persistentvolumeclaims, `${pod.metadata.name ?? ''}-${v.name}`);
    }
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

/** A PersistentVolume as a reference (cluster-scoped: empty namespace). */
export function persistentVolumeRef(name: string): Ref {
  return { rt: Resources.persistentvolumes, namespace: '', name };
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
  readonly #podRefs = new Map<string, Set<string>>();
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
    this.#podRefs.set(uid, new Set());
    for (const r of referencedObjects(pod)) this.addRef(uid, r);
  }

  /** Adds one more object the tracked pod depends on (the PV its claim is bound to). */
  addRef(uid: string, r: Ref): void {
    const keys = this.#podRefs.get(uid);
    const k = refKey(r);
    if (keys === undefined || keys.has(k)) return;
    keys.add(k);
    let w = this.#watched.get(k);
    if (w === undefined) {
      w = { informer: this.#newInformer(r), pods: new Set() };
      this.#watched.set(k, w);
      if (this.#signal !== undefined && !this.#signal.aborted) w.informer.start(this.#signal);
    }
    w.pods.add(uid);
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
    const informer = new SharedIndexInformer<KubeObject>(
      this.#o.client.resource(r.rt, r.rt.namespaced ? r.namespace : undefined),
      {
        fieldSelector: `metadata.name=${r.name}`,
        ...(this.#o.clock === undefined ? {} : { clock: this.#o.clock }),
        name: k,
      },
    );
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
