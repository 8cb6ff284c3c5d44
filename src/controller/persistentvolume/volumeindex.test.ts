// The volume index must pick exactly the volume upstream's findBestMatchForClaim scan picks; checked on
// random volumes and claims (seeded, reproducible), across index updates and deletions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeAccessMode, PersistentVolumeClaim } from '../../api/index.ts';
import {
  accessModesAsString,
  allPossibleMatchingAccessModes,
  findBestMatchByScan,
  VolumeIndex,
} from './volumeindex.ts';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const modes: PersistentVolumeAccessMode[] = [
  'ReadWriteOnce',
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOncePod',
];
const sizes = ['500Mi', '1Gi', '1Gi', '2Gi', '1536Mi', '5G', '10Gi', '100Gi'];
const classes = ['', '', 'gold', 'silver'];
const claimNames = ['c0', 'c1', 'c2', 'c3'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function subset(r: () => number): PersistentVolumeAccessMode[] {
  return modes.filter(() => r() < 0.4);
}

function randomVolume(r: () => number, i: number): PersistentVolume {
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pv-${String(i).padStart(3, '0')}` },
    spec: {
      capacity: { storage: pick(r, sizes) },
      accessModes: subset(r),
      storageClassName: pick(r, classes),
    },
    status: {
      phase: r() < 0.75 ? 'Available' : pick(r, ['Pending', 'Bound', 'Released', 'Failed'] as const),
    },
  };
  if (r() < 0.2) pv.spec!.volumeMode = 'Block';
  else if (r() < 0.5) pv.spec!.volumeMode = 'Filesystem';
  if (r() < 0.3) pv.metadata.labels = { tier: pick(r, ['a', 'b']) };
  if (r() < 0.05) pv.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  if (r() < 0.1) pv.spec!.volumeAttributesClassName = 'fast';
  if (r() < 0.25) {
    const name = pick(r, claimNames);
    pv.spec!.claimRef = {
      kind: 'PersistentVolumeClaim',
      namespace: 'default',
      name,
      uid: r() < 0.5 ? '' : pick(r, [`uid-${name}`, 'other']),
    };
  }
  return pv;
}

function randomClaim(r: () => number): PersistentVolumeClaim {
  const name = pick(r, claimNames);
  const c: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { accessModes: subset(r), resources: { requests: { storage: pick(r, sizes) } } },
  };
  if (r() < 0.7) c.spec!.storageClassName = pick(r, classes);
  if (r() < 0.2) c.spec!.volumeMode = 'Block';
  if (r() < 0.2) c.spec!.selector = { matchLabels: { tier: pick(r, ['a', 'b']) } };
  if (r() < 0.1) c.spec!.volumeAttributesClassName = 'fast';
  return c;
}

describe('VolumeIndex', () => {
  it('picks the same volume as the brute-force scan on random volumes and claims', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const index = new VolumeIndex();
      let volumes = new Map<string, PersistentVolume>();
      for (let i = 0; i < 80; i++) {
        const pv = randomVolume(r, i);
        volumes.set(pv.metadata.name!, pv);
        index.set(pv);
      }
      for (let round = 0; round < 5; round++) {
        for (let q = 0; q < 40; q++) {
          const claim = randomClaim(r);
          const delayBinding = r() < 0.15;
          const vacEnabled = r() < 0.8;
          const want = findBestMatchByScan(claim, [...volumes.values()], { delayBinding, vacEnabled });
          const got = index.findBestMatchForClaim(claim, delayBinding, vacEnabled);
          assert.equal(
            got?.metadata.name,
            want?.metadata.name,
            `seed ${seed} round ${round}: claim ${JSON.stringify(claim.spec)} delay=${delayBinding} vac=${vacEnabled}`,
          );
        }
        // Mutate: replace some volumes (new phase, claimRef, size) and delete others.
        const next = new Map(volumes);
        for (const name of [...volumes.keys()]) {
          const x = r();
          if (x < 0.1) {
            next.delete(name);
            index.delete(name);
          } else if (x < 0.3) {
            const pv = randomVolume(r, Number(name.slice(3)));
            next.set(name, pv);
            index.set(pv);
          }
        }
        volumes = next;
        assert.equal(index.size, volumes.size);
      }
    }
  });

  it('prefers a volume with fewer extra access modes over a smaller one with more', () => {
    const index = new VolumeIndex();
    const mk = (name: string, size: string, m: PersistentVolumeAccessMode[]): PersistentVolume => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: { capacity: { storage: size }, accessModes: m, storageClassName: '' },
      status: { phase: 'Available' },
    });
    index.set(mk('small-many-modes', '1Gi', ['ReadWriteOnce', 'ReadOnlyMany']));
    index.set(mk('big-exact', '10Gi', ['ReadWriteOnce']));
    const claim: PersistentVolumeClaim = {
      metadata: { name: 'c', namespace: 'default', uid: 'u' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    assert.equal(index.findBestMatchForClaim(claim, false, true)?.metadata.name, 'big-exact');
  });

  it('orders access-mode sets by the number of modes', () => {
    const claim: PersistentVolumeClaim = {
      metadata: { name: 'c' },
      spec: { accessModes: ['ReadWriteOnce'] },
    };
    assert.deepEqual(allPossibleMatchingAccessModes(claim, ['RWO,ROX,RWX', 'ROX', 'RWO', 'RWO,ROX']), [
      'RWO',
      'RWO,ROX',
      'RWO,ROX,RWX',
    ]);
    assert.equal(accessModesAsString(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce']), 'RWO,RWX');
  });
});
