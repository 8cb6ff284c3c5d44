// kubectl against `kvol up`: the commands a Kubernetes user runs on storage objects, with upstream's
// output. One kvol process serves the whole file; each test works on its own objects.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, Kvol } from './harness.ts';

const sc = (name: string, extra = ''): string => `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
provisioner: kubernetes.io/host-path
allowVolumeExpansion: true
${extra}`;

const pv = (name: string, size = '1Gi'): string => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
spec:
  capacity:
    storage: ${size}
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /tmp/${name}
  storageClassName: spare
`;

const pvc = (name: string, size = '1Gi', labels = 'app: demo'): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  resources:
    requests:
      storage: ${size}
`;

const cm = (name: string, extraMeta = ''): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${extraMeta}data:
  key: value
`;

describe('kubectl against kvol up', { timeout: 600_000 }, () => {
  const kvol = new Kvol();

  before(async () => {
    await kvol.start();
  });

  after(async () => {
    await kvol.stop();
  });

  it('reports version minor 32 and lists the storage resources in api-resources', async () => {
    const v = await kvol.ok(['version', '-o', 'json']);
    const parsed = JSON.parse(v) as { serverVersion: { major: string; minor: string } };
    assert.equal(parsed.serverVersion.major, '1');
    assert.equal(parsed.serverVersion.minor, '32');
    const out = await kvol.ok(['api-resources']);
    assert.match(out, /persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim/);
    assert.match(out, /storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass/);
    assert.match(out, /volumesnapshots\s+vs\s+snapshot\.storage\.k8s\.io\/v1\s+true\s+VolumeSnapshot/);
    assert.match(out, /leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/);
  });

  it('applies a claim, re-applies a change as configured and an unchanged file as unchanged', async () => {
    assert.match(
      await kvol.ok(['apply', '-f', '-'], { input: pvc('applied') }),
      /persistentvolumeclaim\/applied created/,
    );
    assert.match(
      await kvol.ok(['apply', '-f', '-'], { input: pvc('applied', '1Gi', 'app: demo2') }),
      /persistentvolumeclaim\/applied configured/,
    );
    assert.match(
      await kvol.ok(['apply', '-f', '-'], { input: pvc('applied', '1Gi', 'app: demo2') }),
      /persistentvolumeclaim\/applied unchanged/,
    );
    assert.equal(await kvol.ok(['get', 'pvc', 'applied', '-o', 'jsonpath={.metadata.labels.app}']), 'demo2');
  });

  it('creates objects with validation on and refuses a second create with AlreadyExists', async () => {
    assert.match(
      await kvol.ok(['create', '-f', '-'], { input: pv('created-pv') }),
      /persistentvolume\/created-pv created/,
    );
    const again = await kvol.kubectl(['create', '-f', '-'], { input: pv('created-pv') });
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /Error from server \(AlreadyExists\).*persistentvolumes "created-pv" already exists/,
    );
  });

  it('prints upstream columns for pv, pvc, sc, volumeattachments, csidrivers, csinodes and pods', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: `${sc('fast')}---\n${pvc('columns')}` });
    const pvcs = await kvol.ok(['get', 'pvc', 'columns']);
    assert.match(
      pvcs,
      /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\n/,
    );
    assert.match(pvcs, /columns\s+Pending\s+manual\s+<unset>\s+\d+s/);
    const pvs = await kvol.ok(['get', 'pv', 'created-pv']);
    assert.match(
      pvs,
      /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\n/,
    );
    assert.match(pvs, /created-pv\s+1Gi\s+RWO\s+Retain\s+(Pending|Available)\s+spare\s+<unset>/);
    const scs = await kvol.ok(['get', 'sc', 'fast']);
    assert.match(
      scs,
      /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n/,
    );
    assert.match(scs, /fast\s+kubernetes\.io\/host-path\s+Delete\s+Immediate\s+true/);
    // A driver no kvol component serves, so the VolumeAttachment stays as written.
    await kvol.ok(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: columns.csi.example.com
spec:
  attachRequired: false
  podInfoOnMount: true
---
apiVersion: storage.k8s.io/v1
kind: CSINode
metadata:
  name: node-1
spec:
  drivers:
  - name: columns.csi.example.com
    nodeID: node-1
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata:
  name: va-1
spec:
  attacher: columns.csi.example.com
  nodeName: node-1
  source:
    persistentVolumeName: created-pv
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: columns
`,
    });
    const all = await kvol.ok(['get', 'volumeattachments,csidrivers,csinodes,pods']);
    assert.match(
      all,
      /NAME\s+ATTACHER\s+PV\s+NODE\s+ATTACHED\s+AGE\n.*va-1\s+columns\.csi\.example\.com\s+created-pv\s+node-1\s+false/,
    );
    assert.match(
      all,
      /NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE\n.*columns\.csi\.example\.com\s+false\s+true\s+false\s+<unset>\s+false\s+Persistent/,
    );
    assert.match(all, /NAME\s+DRIVERS\s+AGE\n.*node-1\s+1\s/);
    assert.match(all, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n.*web\s+0\/1\s+Pending\s+0\s/);
  });

  it('prints objects as yaml, json, jsonpath and name', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('printed') });
    const y = await kvol.ok(['get', 'pvc', 'printed', '-o', 'yaml']);
    assert.match(y, /kind: PersistentVolumeClaim/);
    assert.match(y, /volumeMode: Filesystem/);
    assert.match(y, /- kubernetes\.io\/pvc-protection/);
    const j = JSON.parse(await kvol.ok(['get', 'pvc', 'printed', '-o', 'json'])) as {
      metadata: { uid: string; resourceVersion: string; creationTimestamp: string };
      status: { phase: string };
    };
    assert.match(j.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(j.metadata.resourceVersion, /^\d+$/);
    assert.match(j.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(j.status.phase, 'Pending');
    assert.equal(
      await kvol.ok(['get', 'pvc', 'printed', '-o', 'jsonpath={.spec.resources.requests.storage}']),
      '1Gi',
    );
    assert.match(
      await kvol.ok(['get', 'pvc', '-l', 'app=demo', '-o', 'name']),
      /persistentvolumeclaim\/printed/,
    );
    const list = await kvol.ok(['get', 'pvc', '-o', 'yaml']);
    assert.match(list, /^apiVersion: v1\nitems:/);
    assert.match(list, /kind: List/);
  });

  it('watches with get -w and prints later changes', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: cm('watched') });
    const w = kvol.spawnKubectl(['get', 'configmaps', '-w']);
    try {
      await eventually(() => /watched\s+1\s/.test(w.output()), 20_000, 'initial list');
      await kvol.ok(['apply', '-f', '-'], { input: cm('watched-later') });
      await eventually(
        () => /watched-later\s+1\s/.test(w.output()),
        20_000,
        'watch event for the new ConfigMap',
      );
    } finally {
      await w.stop();
    }
  });

  it('describes a claim with its events', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('described') });
    const uid = await kvol.ok(['get', 'pvc', 'described', '-o', 'jsonpath={.metadata.uid}']);
    await kvol.ok(['create', '-f', '-'], {
      input: `apiVersion: v1
kind: Event
metadata:
  name: described.1
involvedObject:
  kind: PersistentVolumeClaim
  namespace: default
  name: described
  uid: ${uid}
  apiVersion: v1
reason: FailedBinding
message: no persistent volumes available for this claim and no storage class is set
type: Warning
source:
  component: persistentvolume-controller
count: 3
firstTimestamp: "2026-01-01T00:00:00Z"
lastTimestamp: "2026-01-01T00:00:00Z"
`,
    });
    const out = await kvol.ok(['describe', 'pvc', 'described']);
    assert.match(out, /Name:\s+described/);
    assert.match(out, /Status:\s+Pending/);
    assert.match(out, /Finalizers:\s+\[kubernetes\.io\/pvc-protection\]/);
    assert.match(
      out,
      /Warning\s+FailedBinding\s+.*\(x3 over .*\)\s+persistentvolume-controller\s+no persistent volumes available/,
    );
  });

  it('labels, annotates and patches with strategic, merge and json patches', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('patched') });
    assert.match(
      await kvol.ok(['label', 'pvc', 'patched', 'tier=gold']),
      /persistentvolumeclaim\/patched labeled/,
    );
    assert.match(
      await kvol.ok(['annotate', 'pvc', 'patched', 'note=hi']),
      /persistentvolumeclaim\/patched annotated/,
    );
    assert.match(
      await kvol.ok(['patch', 'pvc', 'patched', '-p', '{"metadata":{"labels":{"a":"1"}}}']),
      /persistentvolumeclaim\/patched patched/,
    );
    assert.match(
      await kvol.ok(['patch', 'pvc', 'patched', '-p', '{"metadata":{"labels":{"a":"1"}}}']),
      /persistentvolumeclaim\/patched patched \(no change\)/,
    );
    await kvol.ok(['patch', 'pvc', 'patched', '--type=merge', '-p', '{"metadata":{"labels":{"b":"2"}}}']);
    await kvol.ok([
      'patch',
      'pvc',
      'patched',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/metadata/labels/c","value":"3"}]',
    ]);
    const labels = JSON.parse(
      await kvol.ok(['get', 'pvc', 'patched', '-o', 'jsonpath={.metadata.labels}']),
    ) as Record<string, string>;
    assert.deepEqual(labels, { app: 'demo', tier: 'gold', a: '1', b: '2', c: '3' });
    const failed = await kvol.kubectl([
      'patch',
      'pvc',
      'patched',
      '--type=json',
      '-p',
      '[{"op":"test","path":"/metadata/name","value":"x"}]',
    ]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Error from server|The request is invalid/);
  });

  it('edits a claim with a non-interactive EDITOR', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('edited') });
    const editor = join(kvol.dataDir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/app: demo/app: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    assert.match(
      await kvol.ok(['edit', 'pvc', 'edited'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }),
      /persistentvolumeclaim\/edited edited/,
    );
    assert.equal(await kvol.ok(['get', 'pvc', 'edited', '-o', 'jsonpath={.metadata.labels.app}']), 'edited');
  });

  it('replaces an object and refuses a stale replace with Conflict', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: cm('replaced') });
    const current = await kvol.ok(['get', 'cm', 'replaced', '-o', 'yaml']);
    const changed = current.replace('key: value', 'key: other');
    assert.match(await kvol.ok(['replace', '-f', '-'], { input: changed }), /configmap\/replaced replaced/);
    const stale = await kvol.kubectl(['replace', '-f', '-'], { input: changed });
    assert.equal(stale.code, 1);
    assert.match(
      stale.stderr,
      /Conflict.*the object has been modified; please apply your changes to the latest version and try again/,
    );
  });

  it('deletes an object held by a finalizer only once the finalizer is removed', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: cm('held', '  finalizers:\n  - example.com/hold\n') });
    const del = kvol.spawnKubectl(['delete', 'cm', 'held', '--timeout=60s']);
    try {
      await eventually(
        async () =>
          (await kvol.ok(['get', 'cm', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}'])) !== '',
        20_000,
        'deletionTimestamp',
      );
      assert.equal(del.proc.exitCode, null, 'kubectl delete must still be waiting');
      await kvol.ok([
        'patch',
        'cm',
        'held',
        '--type=json',
        '-p',
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ]);
      await eventually(() => del.proc.exitCode !== null, 20_000, 'kubectl delete to return');
      assert.equal(del.proc.exitCode, 0);
      assert.match(del.output(), /configmap "held" deleted/);
      const gone = await kvol.kubectl(['get', 'cm', 'held']);
      assert.match(gone.stderr, /NotFound/);
    } finally {
      await del.stop();
    }
  });

  it('waits for a jsonpath condition', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: cm('waited') });
    const w = kvol.spawnKubectl(['wait', 'cm/waited', '--for=jsonpath={.data.key}=ready', '--timeout=60s']);
    try {
      await new Promise((r) => setTimeout(r, 300));
      await kvol.ok(['patch', 'cm', 'waited', '--type=merge', '-p', '{"data":{"key":"ready"}}']);
      await eventually(() => w.proc.exitCode !== null, 30_000, 'kubectl wait');
      assert.equal(w.proc.exitCode, 0, w.output());
      assert.match(w.output(), /configmap\/waited condition met/);
    } finally {
      await w.stop();
    }
  });

  it('applies server-side, creating and then updating with managedFields', async () => {
    assert.match(
      await kvol.ok(['apply', '--server-side', '-f', '-'], { input: cm('ssa') }),
      /configmap\/ssa serverside-applied/,
    );
    const changed = cm('ssa').replace('key: value', 'key: v2');
    assert.match(
      await kvol.ok(['apply', '--server-side', '-f', '-'], { input: changed }),
      /configmap\/ssa serverside-applied/,
    );
    const obj = JSON.parse(await kvol.ok(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields'])) as {
      data: Record<string, string>;
      metadata: { managedFields: { manager: string; operation: string }[] };
    };
    assert.equal(obj.data['key'], 'v2');
    assert.ok(obj.metadata.managedFields.some((m) => m.manager === 'kubectl' && m.operation === 'Apply'));
  });

  it('validates without storing anything on a server-side dry run', async () => {
    assert.match(
      await kvol.ok(['create', '--dry-run=server', '-f', '-'], { input: cm('dry') }),
      /configmap\/dry created \(server dry run\)/,
    );
    const r = await kvol.kubectl(['get', 'cm', 'dry']);
    assert.match(r.stderr, /configmaps "dry" not found/);
    const bad = await kvol.kubectl(['create', '--dry-run=server', '-f', '-'], { input: pvc('Bad_Name') });
    assert.match(bad.stderr, /metadata\.name: Invalid value: "Bad_Name"/);
  });

  it('pages through a list with --chunk-size', async () => {
    for (const n of ['chunk-a', 'chunk-b', 'chunk-c']) await kvol.ok(['apply', '-f', '-'], { input: cm(n) });
    const out = await kvol.ok(['get', 'cm', '--chunk-size=1', '-o', 'name']);
    for (const n of ['chunk-a', 'chunk-b', 'chunk-c']) assert.match(out, new RegExp(`configmap/${n}\n`));
  });

  it('explains pvc.spec from the OpenAPI schemas', async () => {
    const out = await kvol.ok(['explain', 'pvc.spec']);
    assert.match(out, /KIND:\s+PersistentVolumeClaim/);
    assert.match(out, /accessModes\s+<\[\]string>/);
    assert.match(out, /storageClassName\s+<string>/);
  });

  it('rejects an invalid claim with upstream field paths and stores nothing', async () => {
    const bad = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: invalid
spec:
  resources:
    requests:
      storage: 1Gi
`;
    const r = await kvol.kubectl(['create', '-f', '-'], { input: bad });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /The PersistentVolumeClaim "invalid" is invalid: spec\.accessModes: Required value: at least 1 access mode is required/,
    );
    const get = await kvol.kubectl(['get', 'pvc', 'invalid']);
    assert.match(get.stderr, /persistentvolumeclaims "invalid" not found/);
  });

  it('refuses unknown fields under strict validation', async () => {
    const r = await kvol.kubectl(['create', '-f', '-'], { input: `${cm('strict')}bogus: 1\n` });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "bogus"/);
    const warn = await kvol.kubectl(['create', '--validate=warn', '-f', '-'], {
      input: `${cm('warned')}bogus: 1\n`,
    });
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Warning: unknown field "bogus"/);
  });

  it('refuses to grow a claim whose class does not allow expansion', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('fixed') });
    const r = await kvol.kubectl([
      'patch',
      'pvc',
      'fixed',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is invalid|is forbidden/);
  });

  it('creates namespaces, configmaps and secrets with the kubectl create generators', async () => {
    assert.match(
      await kvol.ok(['create', 'configmap', 'gen-cm', '--from-literal=a=b']),
      /configmap\/gen-cm created/,
    );
    assert.equal(await kvol.ok(['get', 'cm', 'gen-cm', '-o', 'jsonpath={.data.a}']), 'b');
    assert.match(
      await kvol.ok(['create', 'secret', 'generic', 'gen-secret', '--from-literal=p=s3cret']),
      /secret\/gen-secret created/,
    );
    assert.equal(
      await kvol.ok(['get', 'secret', 'gen-secret', '-o', 'jsonpath={.data.p}']),
      Buffer.from('s3cret').toString('base64'),
    );
    const secrets = await kvol.ok(['get', 'secret', 'gen-secret']);
    assert.match(secrets, /NAME\s+TYPE\s+DATA\s+AGE\ngen-secret\s+Opaque\s+1\s/);
  });

  it('deletes an unused claim at once and a claim in use only after its pod is gone', async () => {
    await kvol.ok(['apply', '-f', '-'], { input: pvc('unused') });
    assert.match(
      await kvol.ok(['delete', 'pvc', 'unused', '--timeout=60s']),
      /persistentvolumeclaim "unused" deleted/,
    );
    await kvol.ok(['apply', '-f', '-'], {
      input: `${pvc('in-use')}---
apiVersion: v1
kind: Pod
metadata:
  name: holder
spec:
  nodeName: node-x
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: in-use
`,
    });
    const del = kvol.spawnKubectl(['delete', 'pvc', 'in-use', '--timeout=60s']);
    try {
      await eventually(
        async () =>
          (await kvol.ok(['get', 'pvc', 'in-use', '-o', 'jsonpath={.metadata.deletionTimestamp}'])) !== '',
        20_000,
        'deletionTimestamp on the claim',
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(del.proc.exitCode, null, 'kubectl delete waits while a pod uses the claim');
      assert.match(
        await kvol.ok(['delete', 'pod', 'holder', '--grace-period=0', '--force']),
        /pod "holder" force deleted/,
      );
      await eventually(() => del.proc.exitCode !== null, 30_000, 'kubectl delete pvc to return');
      assert.equal(del.proc.exitCode, 0, del.output());
    } finally {
      await del.stop();
    }
  });

  it('deletes a namespace together with what is inside it', async () => {
    assert.match(await kvol.ok(['create', 'namespace', 'scratch']), /namespace\/scratch created/);
    await kvol.ok(['apply', '-n', 'scratch', '-f', '-'], { input: cm('inside') });
    assert.match(
      await kvol.ok(['delete', 'namespace', 'scratch', '--timeout=60s']),
      /namespace "scratch" deleted/,
    );
    const r = await kvol.kubectl(['get', 'cm', 'inside', '-n', 'scratch']);
    assert.match(r.stderr, /not found/);
    const protectedNs = await kvol.kubectl(['delete', 'namespace', 'default']);
    assert.match(protectedNs.stderr, /namespaces "default" is forbidden: this namespace may not be deleted/);
  });
});
