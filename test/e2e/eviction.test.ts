// emptyDir sizeLimit on disk: the node agent in `kvol up` measures disk-backed emptyDir volumes every
// eviction monitoring period and evicts a pod whose volume holds more than its sizeLimit, as the
// kubelet's eviction manager does — a Warning `Evicted` event, the pod Failed with reason Evicted and
// upstream's message, its containers stopped and its volumes torn down. A pod under its limit stays.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, Kvol } from './harness.ts';

const nodeName = 'kvol-eviction-node';

function pod(name: string, limit: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${nodeName}
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
  volumes:
  - name: scratch
    emptyDir:
      sizeLimit: ${limit}
`;
}

interface EventItem {
  reason: string;
  message: string;
  type: string;
  source?: { component?: string };
}

describe('emptyDir sizeLimit eviction in kvol up', { timeout: 300_000 }, () => {
  const kvol = new Kvol();
  before(async () => {
    await kvol.start(['--node-name', nodeName, '--eviction-monitoring-period', '500ms']);
    await kvol.ok(['wait', `node/${nodeName}`, '--for=condition=Ready', '--timeout=60s']);
  });
  after(async () => {
    await kvol.stop();
  });

  const scratchDir = async (name: string): Promise<{ podDir: string; volume: string }> => {
    const uid = await kvol.ok(['get', 'pod', name, '-o', 'jsonpath={.metadata.uid}']);
    const podDir = join(kvol.dataDir, 'kubelet', 'pods', uid);
    return { podDir, volume: join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'scratch') };
  };

  it('evicts a pod whose emptyDir holds more than its sizeLimit and leaves a pod under its limit alone', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: `${pod('hog', '1Mi')}---\n${pod('modest', '16Mi')}` });
    await kvol.ok(['wait', 'pod/hog', 'pod/modest', '--for=condition=Ready', '--timeout=60s']);
    const hog = await scratchDir('hog');
    const modest = await scratchDir('modest');
    writeFileSync(join(hog.volume, 'blob'), randomBytes(2 * 1024 * 1024));
    writeFileSync(join(modest.volume, 'blob'), randomBytes(2 * 1024 * 1024));

    await kvol.ok(['wait', 'pod/hog', '--for=jsonpath={.status.phase}=Failed', '--timeout=60s']);
    const status = JSON.parse(await kvol.ok(['get', 'pod', 'hog', '-o', 'jsonpath={.status}'])) as {
      reason?: string;
      message?: string;
      containerStatuses?: { state?: { terminated?: { exitCode: number } } }[];
      conditions?: { type: string; status: string }[];
    };
    const message = 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ';
    assert.equal(status.reason, 'Evicted');
    assert.equal(status.message, message);
    assert.equal(
      status.containerStatuses?.[0]?.state?.terminated?.exitCode,
      137,
      'the container was stopped',
    );
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.status, 'False');

    const events = (
      JSON.parse(
        await kvol.ok(['get', 'events', '--field-selector', 'involvedObject.name=hog', '-o', 'json']),
      ) as { items: EventItem[] }
    ).items;
    const evicted = events.filter((e) => e.reason === 'Evicted');
    assert.equal(evicted.length, 1, JSON.stringify(events));
    assert.equal(evicted[0]?.type, 'Warning');
    assert.equal(evicted[0]?.message, message);
    assert.equal(evicted[0]?.source?.component, 'kubelet');

    // Its volumes are torn down and the pod directory removed; the pod object stays (Failed).
    await eventually(() => !existsSync(hog.podDir), 30_000, 'the evicted pod directory to be removed');
    assert.equal(await kvol.ok(['get', 'pod', 'hog', '-o', 'jsonpath={.status.phase}']), 'Failed');

    // The other pod was measured too (2 MiB under 16Mi) and still runs.
    assert.equal(await kvol.ok(['get', 'pod', 'modest', '-o', 'jsonpath={.status.phase}']), 'Running');
    assert.ok(existsSync(join(modest.volume, 'blob')));
    await kvol.ok(['delete', 'pod', 'hog', 'modest', '--timeout=60s']);
  });
});
