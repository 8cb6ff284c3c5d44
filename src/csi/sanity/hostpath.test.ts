// Runs the CSI conformance suite (csi-sanity v5.3.1 mirror) against the bundled hostpath.csi.kvol.io
// driver over its unix socket, twice: mount volumes with attach enabled (so the ControllerPublish
// checks and the attach limit run), and raw block volumes without attach (loop devices; the node
// checks then run without ControllerPublish). Each run has its own driver and temp root; its after
// hook unmounts what is left there, detaches loop devices backed by files under it and removes it,
// even when checks failed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import {
  type HostPathDriverOptions,
  type RunningHostPathDriver,
  startHostPathDriver,
} from '../hostpath/index.ts';
import { defineSanitySuite, MiB, type SanityConfig } from './index.ts';

function cleanupRoot(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
  for (const line of execFileSync('losetup', ['-a'], { encoding: 'utf8' }).split('\n')) {
    const m = /^(\/dev\/[^:]+):.*\((.*)\)/.exec(line);
    if (m?.[1] !== undefined && m[2]?.startsWith(`${dir}/`) === true) {
      try {
        execFileSync('losetup', ['-d', m[1]]);
      } catch {
        // already gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Registers one suite run against its own driver instance in its own temp root, cleaned up in `after`.
 * The driver's state dir, socket, target and staging bases all live under that root.
 */
function sanityRun(
  title: string,
  driverOptions: Omit<HostPathDriverOptions, 'endpoint' | 'nodeId' | 'stateDir'>,
  suite: Omit<SanityConfig, 'start' | 'stop' | 'endpoint' | 'targetPath' | 'stagingPath'>,
): void {
  const root = mkdtempSync(join(tmpdir(), 'kvol-sanity-'));
  let driver: RunningHostPathDriver | undefined;
  after(async () => {
    await driver?.stop();
    cleanupRoot(root);
  });
  defineSanitySuite(
    {
      async start() {
        driver = await startHostPathDriver({
          endpoint: `unix://${join(root, 'csi.sock')}`,
          nodeId: 'sanity-node',
          stateDir: join(root, 'state'),
          ...driverOptions,
        });
        return driver.endpoint;
      },
      targetPath: join(root, 'target'),
      stagingPath: join(root, 'staging'),
      ...suite,
    },
    title,
  );
}

sanityRun(
  'CSI sanity against hostpath.csi.kvol.io (mount volumes, attach enabled)',
  { enableAttach: true, maxVolumesPerNode: 4, capacityBytes: 2048 * MiB },
  { testVolumeSize: 10 * MiB, testVolumeExpandSize: 20 * MiB, testNodeVolumeAttachLimit: true },
);

sanityRun(
  'CSI sanity against hostpath.csi.kvol.io (block volumes, no attach)',
  { capacityBytes: 2048 * MiB },
  { testVolumeAccessType: 'block', testVolumeSize: 10 * MiB, testVolumeExpandSize: 20 * MiB },
);
