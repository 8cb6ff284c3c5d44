// The desired-state-of-world populator (upstream pkg/kubelet/volumemanager/populator): adds the volumes
// of the pods bound to this node to the DSW, resolving PVC -> PV through the API, and removes pods that
// are gone or terminated once their containers have stopped. A processed pod is not processed again
// until reprocessPod() (called on every pod sync and when a ConfigMap or Secret the pod uses changes),
// which also marks its configMap/secret/downwardAPI/projected volumes for remount. For a writable
// PVC-backed volume it records the PV's capacity and the claim's expansion state in the DSW (upstream
// checkVolumeFSResize), so the reconciler can grow a mounted volume; a change of the claim or the PV
// reaches it through reprocessPod (the volume manager watches both).
//
// Event-driven: the volume manager runs populate() when pods change, when a pod is marked for
// reprocessing, and on a slow safety-net timer; passes never overlap. A pass looks only at the pods
// named since the last one (podChanged, reprocessPod); the first pass and one after requestFullPass()
// (the safety-net timer, plugin changes, a pod change without a UID) look at every pod.
import {
  deepCopy,
  isStatusError,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  Resources,
  type Volume,
} from '../../../api/index.ts';
import type { Client } from '../../../client/index.ts';
import { logger } from '../../../component/index.ts';
import {
  claimNodeExpansionPending,
  type Spec,
  specFromPersistentVolume,
  specFromVolume,
  type UniquePodName,
} from '../../../volume/index.ts';
import type { ActualStateOfWorld } from '../cache/asw.ts';
import type { DesiredStateOfWorld } from '../cache/dsw.ts';
import { getPodVolumeNames, uniquePodName } from '../podvolumes.ts';

const log = logger('volumemanager/populator');

/** The pods bound to this node, as the agent knows them (upstream PodManager). */
export interface PodManager {
  getPods(): Pod[];
  getPodByUID(uid: string): Pod | undefined;
}

/** What the pod lifecycle says about a pod (upstream PodStateProvider). */
export interface PodStateProvider {
  /** True once the pod is being deleted, is terminal, or is gone: it gets no new mounts. */
  shouldPodContainersBeTerminating(uid: string): boolean;
  /** True once the pod is terminating (or gone) and none of its containers runs: its volumes may go. */
  shouldPodRuntimeBeRemoved(uid: string): boolean;
}

export interface PopulatorOptions {
  client: Client;
  dsw: DesiredStateOfWorld;
  asw: ActualStateOfWorld;
  podManager: PodManager;
  podStateProvider: PodStateProvider;
  /** Called for each PVC-backed volume resolved to its PV (the volume manager watches both). */
  onClaimResolved?: (podUID: string, namespace: string, claimName: string, pvName: string) => void;
}

/** The PV's `pv.beta.kubernetes.io/gid` annotation (upstream getPVVolumeGidAnnotationValue). */
export const volumeGidAnnotationKey = 'pv.beta.kubernetes.io/gid';

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class DesiredStateOfWorldPopulator {
  readonly #client: Client;
  readonly #dsw: DesiredStateOfWorld;
  readonly #asw: ActualStateOfWorld;
  readonly #pods: PodManager;
  readonly #state: PodStateProvider;
  readonly #onClaimResolved: PopulatorOptions['onClaimResolved'];
  /** Pods processed since their last reprocess request (value: processed at least once). */
  readonly #processed = new Map<UniquePodName, boolean>();
  readonly #failed = new Set<UniquePodName>();
  /** Pods to look at in the next pass. */
  readonly #dirty = new Set<UniquePodName>();
  /** The next pass looks at every pod. */
  #full = true;
  #hasAddedPods = false;

  constructor(opts: PopulatorOptions) {
    this.#client = opts.client;
    this.#dsw = opts.dsw;
    this.#asw = opts.asw;
    this.#pods = opts.podManager;
    this.#state = opts.podStateProvider;
    this.#onClaimResolved = opts.onClaimResolved;
  }

  /** True once a full pass over the pods ran (the reconciler unmounts nothing before that). */
  hasAddedPods(): boolean {
    return this.#hasAddedPods;
  }

  /** One pass: remove pods that are gone, then add new pods' volumes. */
  async populate(): Promise<void> {
    if (this.#full) {
      this.#full = false;
      this.#dirty.clear();
      this.#findAndRemoveDeletedPods();
      await this.#findAndAddNewPods();
    } else {
      const pods = [...this.#dirty];
      this.#dirty.clear();
      for (const podName of pods) this.#removeIfDeleted(podName);
      await this.#addIfNew(pods);
    }
    this.#hasAddedPods = true;
  }

  /** The pod was added, updated or deleted, or its containers stopped: look at it in the next pass. */
  podChanged(podName: UniquePodName): void {
    this.#dirty.add(podName);
  }

  /** The next pass looks at every pod. */
  requestFullPass(): void {
    this.#full = true;
  }

  /** Processes the pod again on the next pass (and marks its remount-requiring volumes). */
  reprocessPod(podName: UniquePodName): void {
    this.#processed.set(podName, false);
    this.#dirty.add(podName);
  }

  /** Pods whose last processing failed (a PVC not found or not bound, ...), to retry later. */
  failedPods(): UniquePodName[] {
    return [...this.#failed];
  }

  async #findAndAddNewPods(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const pod of this.#pods.getPods()) {
      const uid = uniquePodName(pod);
      if (this.#state.shouldPodContainersBeTerminating(uid)) continue;
      if (this.#processed.get(uid) === true) continue;
      work.push(this.processPodVolumes(pod));
    }
    await Promise.all(work);
  }

  /** #findAndAddNewPods for the named pods only. */
  async #addIfNew(podNames: readonly UniquePodName[]): Promise<void> {
    const work: Promise<void>[] = [];
    for (const uid of podNames) {
      const pod = this.#pods.getPodByUID(uid);
      if (pod === undefined || this.#state.shouldPodContainersBeTerminating(uid)) continue;
      if (this.#processed.get(uid) === true) continue;
      work.push(this.processPodVolumes(pod));
    }
    await Promise.all(work);
  }

  /** Adds every volume the pod's containers use; errors are recorded on the pod. */
  async processPodVolumes(pod: Pod): Promise<void> {
    const podName = uniquePodName(pod);
    const seen = this.#processed.has(podName);
    const { mounts, devices } = getPodVolumeNames(pod);
    const results = await Promise.all(
      (pod.spec?.volumes ?? [])
        .filter((v) => mounts.has(v.name) || devices.has(v.name))
        .map(async (podVolume) => {
          try {
            const { spec, gid, pvc } = await this.#createVolumeSpec(podVolume, pod, mounts, devices);
            const volumeName = this.#dsw.addPodToVolume(podName, pod, spec, podVolume.name, gid);
            if (pvc !== undefined) this.#checkVolumeFSResize(volumeName, spec, pvc);
            return true;
          } catch (err) {
            log.v(2, 'Error processing volume', {
              pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
              volumeName: podVolume.name,
              err: msg(err),
            });
            this.#dsw.addErrorToPod(podName, msg(err));
            return false;
          }
        }),
    );
    // The pod may have gone while its PVCs were fetched.
    if (
      this.#pods.getPodByUID(podName) === undefined ||
      this.#state.shouldPodContainersBeTerminating(podName)
    ) {
      return;
    }
    if (results.every((x) => x)) {
      this.#failed.delete(podName);
      this.#processed.set(podName, true);
      this.#asw.markRemountRequired(podName);
      this.#dsw.popPodErrors(podName);
      return;
    }
    this.#failed.add(podName);
    // Seen before: wait for the next reprocess request rather than retrying on every pass.
    if (seen) this.#processed.set(podName, true);
  }

  /** Records sizes for node expansion (upstream checkVolumeFSResize); read-only volumes never grow. */
  #checkVolumeFSResize(volumeName: string, spec: Spec, pvc: PersistentVolumeClaim): void {
    const pv = spec.persistentVolume;
    if (pv === undefined || spec.readOnly) return;
    const pvCap = pv.spec?.capacity?.storage;
    const claimCap = pvc.status?.capacity?.storage;
    this.#dsw.updatePersistentVolumeSize(volumeName, pvCap, claimCap, claimNodeExpansionPending(pvc));
    // After a restart the ASW knows no size yet.
    if (claimCap !== undefined) this.#asw.initializeClaimSize(volumeName, claimCap);
  }

  #findAndRemoveDeletedPods(): void {
    for (const v of this.#dsw.getVolumesToMount()) {
      if (!this.#state.shouldPodRuntimeBeRemoved(v.podName)) continue;
      log.v(4, 'Removing volume from desired state', { podUID: v.podName, volumeName: v.volumeName });
      this.#dsw.deletePodFromVolume(v.podName, v.volumeName);
      this.#processed.delete(v.podName);
    }
    const inDSW = this.#dsw.getPods();
    for (const podName of [...this.#processed.keys()]) {
      if (!inDSW.has(podName) && this.#pods.getPodByUID(podName) === undefined)
        this.#processed.delete(podName);
    }
    for (const podName of [...this.#processed.keys(), ...this.#failed]) {
      if (this.#pods.getPodByUID(podName) === undefined) {
        this.#dsw.popPodErrors(podName);
        this.#failed.delete(podName);
      }
    }
  }

  /** #findAndRemoveDeletedPods for one pod. */
  #removeIfDeleted(podName: UniquePodName): void {
    const volumes = this.#dsw.getVolumeNamesForPod(podName);
    if (volumes.length > 0 && this.#state.shouldPodRuntimeBeRemoved(podName)) {
      for (const volumeName of volumes) {
        log.v(4, 'Removing volume from desired state', { podUID: podName, volumeName });
        this.#dsw.deletePodFromVolume(podName, volumeName);
      }
      this.#processed.delete(podName);
    }
    const gone = this.#pods.getPodByUID(podName) === undefined;
    if (gone && !this.#dsw.hasPod(podName)) this.#processed.delete(podName);
    if (gone && (this.#processed.has(podName) || this.#failed.has(podName))) {
      this.#dsw.popPodErrors(podName);
      this.#failed.delete(podName);
    }
  }

  async #createVolumeSpec(
    podVolume: Volume,
    pod: Pod,
    mounts: Set<string>,
    devices: Set<string>,
  ): Promise<{ spec: Spec; gid: string; pvc?: PersistentVolumeClaim }> {
    const ns = pod.metadata.namespace ?? 'default';
    let claimName = podVolume.persistentVolumeClaim?.claimName;
    let readOnly = podVolume.persistentVolumeClaim?.readOnly ?? false;
    const ephemeral = claimName === undefined && podVolume.ephemeral !== undefined;
    if (ephemeral) {
      claimName = `${pod.metadata.name ?? ''}-${podVolume.name}`;
      readOnly = false;
    }
    if (claimName === undefined) {
      return { spec: specFromVolume(deepCopy(podVolume)), gid: '' };
    }
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await this.#getPVCExtractPV(ns, claimName);
    } catch (err) {
      throw new Error(`error processing PVC ${ns}/${claimName}: ${msg(err)}`);
    }
    if (
      ephemeral &&
      !pvc.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === pod.metadata.uid)
    ) {
      throw new Error(
        `PVC ${ns}/${claimName} was not created for pod ${ns}/${pod.metadata.name ?? ''} (pod is not owner)`,
      );
    }
    let spec: Spec;
    let gid: string;
    try {
      ({ spec, gid } = await this.#getPVSpec(pvc.spec?.volumeName ?? '', readOnly, pvc.metadata.uid ?? ''));
    } catch (err) {
      throw new Error(`error processing PVC ${ns}/${claimName}: ${msg(err)}`);
    }
    const pvName = spec.persistentVolume?.metadata.name;
    if (pvName !== undefined) this.#onClaimResolved?.(pod.metadata.uid ?? '', ns, claimName, pvName);
    const volumeMode = spec.persistentVolume?.spec?.volumeMode ?? 'Filesystem';
    if (mounts.has(podVolume.name) && volumeMode !== 'Filesystem') {
      throw new Error(
        `volume ${podVolume.name} has volumeMode ${volumeMode}, but is specified in volumeMounts`,
      );
    }
    if (devices.has(podVolume.name) && volumeMode !== 'Block') {
      throw new Error(
        `volume ${podVolume.name} has volumeMode ${volumeMode}, but is specified in volumeDevices`,
      );
    }
    return { spec, gid, pvc };
  }

  async #getPVCExtractPV(namespace: string, claimName: string): Promise<PersistentVolumeClaim> {
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await this.#client
        .resource<PersistentVolumeClaim>(Resources.persistentvolumeclaims, namespace)
        .get(claimName);
    } catch (err) {
      throw new Error(`failed to fetch PVC from API server: ${isStatusError(err) ? err.message : msg(err)}`);
    }
    if (pvc.metadata.deletionTimestamp !== undefined && pvc.metadata.deletionTimestamp !== null) {
      throw new Error('PVC is being deleted');
    }
    if (pvc.status?.phase !== 'Bound') throw new Error('PVC is not bound');
    return pvc;
  }

  async #getPVSpec(
    name: string,
    readOnly: boolean,
    expectedClaimUID: string,
  ): Promise<{ spec: Spec; gid: string }> {
    let pv: PersistentVolume;
    try {
      pv = await this.#client.resource<PersistentVolume>(Resources.persistentvolumes).get(name);
    } catch (err) {
      throw new Error(`failed to fetch PV ${name} from API server: ${msg(err)}`);
    }
    const ref = pv.spec?.claimRef;
    if (ref === undefined) {
      throw new Error(
        `found PV object ${name} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`,
      );
    }
    if (ref.uid !== expectedClaimUID) {
      throw new Error(
        `found PV object ${name} but its pv.Spec.ClaimRef.UID ${ref.uid ?? ''} does not point to claim.UID ${expectedClaimUID}`,
      );
    }
    return {
      spec: specFromPersistentVolume(pv, readOnly),
      gid: pv.metadata.annotations?.[volumeGidAnnotationKey] ?? '',
    };
  }
}
