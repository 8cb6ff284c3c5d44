// Tests of the bundled driver as kvol up's child process: it creates the CSIDriver object, the child
// registers in plugins_registry, a killed child is restarted, and stop() ends it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CSIDriver, Resources } from '../api/index.ts';
import { InProcessClient } from '../client/index.ts';
import { FakeObjectStore } from '../client/testing/index.ts';
import { HostPathDriverName } from '../csi/index.ts';
import { dialRegistration } from '../kubelet/index.ts';
import { csiHostPathPaths, hostPathCSIDriver, startCsiHostPathChild } from './csichild.ts';
import { registrationSocketPath } from './csihostpath.ts';

async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kvol up runs the bundled CSI driver', () => {
  const root = mkdtempSync(join(tmpdir(), 'kvol-csichild-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the CSIDriver, registers the child, restarts it when killed and stops it', async () => {
    const client = new InProcessClient(new FakeObjectStore());
    const child = startCsiHostPathChild({ dataDir: root, nodeName: 'node-x', client, initialBackoffMs: 50 });
    const regSock = registrationSocketPath(csiHostPathPaths(root).registrationDir, HostPathDriverName);
    let firstPid: number | undefined;
    try {
      await until('the registration socket', () => existsSync(regSock));
      const drv = await client.resource<CSIDriver>(Resources.csidrivers).get(HostPathDriverName);
      assert.deepEqual(drv.spec, hostPathCSIDriver().spec);
      firstPid = child.pid();
      assert.ok(firstPid !== undefined);
      process.kill(firstPid, 'SIGKILL');
      await until('a new child', () => child.pid() !== undefined && child.pid() !== firstPid);
      // The killed child left its socket behind; the new one answers on a fresh one.
      await until('the new child to answer GetInfo', async () => {
        try {
          const reg = await dialRegistration(regSock, 1000);
          try {
            return (await reg.getInfo(1000)).name === HostPathDriverName;
          } finally {
            reg.close();
          }
        } catch {
          return false;
        }
      });
    } finally {
      const last = child.pid();
      await child.stop();
      if (last !== undefined) assert.equal(alive(last), false);
    }
    assert.equal(child.pid(), undefined);
    assert.equal(existsSync(regSock), false);
  });
});
