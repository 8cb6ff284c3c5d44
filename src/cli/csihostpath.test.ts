// Tests of `kvol csi-hostpath` as a process: it registers through the kubelet plugin registration
// API like node-driver-registrar (this test plays the kubelet), serves CSI on its endpoint, and stops
// cleanly on SIGTERM or exits non-zero when the registration is refused.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CsiClient, HostPathDriverName } from '../csi/index.ts';
import { dialRegistration } from '../kubelet/index.ts';
import { registrationSocketPath } from './csihostpath.ts';

const kvolBin = resolve(import.meta.dirname, '../../bin/kvol.js');

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDriver(root: string, name: string): Proc {
  const child = spawn(
    process.execPath,
    [
      kvolBin,
      'csi-hostpath',
      '--endpoint',
      `unix://${join(root, name, 'csi.sock')}`,
      '--node-id',
      'node-a',
      '--state-dir',
      join(root, name, 'state'),
      '--registration-dir',
      join(root, name, 'plugins_registry'),
      '--exit-with-parent',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

async function waitFor(path: string, proc: Proc): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (existsSync(path)) return;
    if (proc.child.exitCode !== null) throw new Error(`driver exited early:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear:\n${proc.output()}`);
}

describe('kvol csi-hostpath', () => {
  let root: string;
  const procs: Proc[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'kvol-csihostpath-cli-'));
  });

  after(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('registers through plugins_registry like node-driver-registrar and stops on SIGTERM', async () => {
    const proc = startDriver(root, 'ok');
    procs.push(proc);
    const regSock = registrationSocketPath(join(root, 'ok', 'plugins_registry'), HostPathDriverName);
    await waitFor(regSock, proc);
    const reg = await dialRegistration(regSock, 10_000);
    try {
      const info = await reg.getInfo(10_000);
      assert.deepEqual(info, {
        type: 'CSIPlugin',
        name: HostPathDriverName,
        endpoint: join(root, 'ok', 'csi.sock'),
        supported_versions: ['1.0.0'],
      });
      await reg.notifyRegistrationStatus({ plugin_registered: true, error: '' }, 10_000);
    } finally {
      reg.close();
    }
    const csi = new CsiClient(`unix://${join(root, 'ok', 'csi.sock')}`, { defaultTimeoutMs: 10_000 });
    try {
      assert.equal((await csi.nodeGetInfo()).node_id, 'node-a');
    } finally {
      csi.close();
    }
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0, proc.output());
    assert.equal(existsSync(regSock), false);
    assert.equal(existsSync(join(root, 'ok', 'csi.sock')), false);
  });

  it('exits non-zero when the kubelet reports the registration failed', async () => {
    const proc = startDriver(root, 'refused');
    procs.push(proc);
    const regSock = registrationSocketPath(join(root, 'refused', 'plugins_registry'), HostPathDriverName);
    await waitFor(regSock, proc);
    const reg = await dialRegistration(regSock, 10_000);
    try {
      await reg.getInfo(10_000);
      await reg.notifyRegistrationStatus({ plugin_registered: false, error: 'unsupported version' }, 10_000);
    } finally {
      reg.close();
    }
    assert.notEqual(await proc.exited, 0);
    assert.match(proc.output(), /unsupported version/);
    assert.equal(existsSync(regSock), false);
  });

  it('stops when its parent closes stdin', async () => {
    const proc = startDriver(root, 'orphan');
    procs.push(proc);
    await waitFor(join(root, 'orphan', 'csi.sock'), proc);
    proc.child.stdin?.end();
    assert.equal(await proc.exited, 0, proc.output());
  });
});
