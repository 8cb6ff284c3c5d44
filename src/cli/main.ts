// The kvol command line: `kvol up`, `kvol server`, `kvol version`.
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { Quantity } from '../api/index.ts';
import { version as apiVersion } from '../apiserver/index.ts';
import { configureLogging } from '../component/index.ts';
import { HostPathDriverName } from '../csi/index.ts';
import { runAgent } from './agent.ts';
import { parseCsiEndpoints } from './csiendpoints.ts';
import { runCsiHostPath } from './csihostpath.ts';
import { type AgentTuning, CliError, runUntilSignal, up } from './up.ts';

export const kvolVersion = '0.1.0';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

function verbosity(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

/** A Go-style duration (`500ms`, `10s`, `1m30s`) in milliseconds. */
function duration(v: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(v); m !== null; m = re.exec(v)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    end = re.lastIndex;
  }
  if (v === '' || end !== v.length)
    throw new InvalidArgumentError('must be a duration such as 500ms, 10s or 1m');
  return Math.round(total);
}

/** Collects a repeatable CSI endpoint flag, refusing anything but a unix socket. */
function collectEndpoint(v: string, previous: string[]): string[] {
  try {
    parseCsiEndpoints([v]);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  return [...previous, v];
}

/** A Kubernetes quantity (`10Gi`, `500M`) in bytes. */
function bytesQuantity(v: string): number {
  const q = Quantity.tryParse(v);
  if (q === undefined || q.sign() < 0)
    throw new InvalidArgumentError('must be a quantity such as 10Gi or 500Mi');
  const n = Number(q.value());
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('is too large');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

/** A CSI endpoint: `unix:///path/csi.sock` (or `unix:/path`, or an absolute path). */
function csiEndpoint(v: string): string {
  const path = v.startsWith('unix://') ? v.slice(7) : v.startsWith('unix:') ? v.slice(5) : v;
  if (v.includes('://') && !v.startsWith('unix://')) {
    throw new InvalidArgumentError('only unix sockets are supported: unix:///path/csi.sock');
  }
  if (!path.startsWith('/'))
    throw new InvalidArgumentError('must be an absolute socket path: unix:///path/csi.sock');
  return `unix://${path}`;
}

function csiDriverName(v: string): string {
  if (!/^[a-zA-Z][A-Za-z0-9-._]{0,61}[a-zA-Z]$/.test(v)) {
    throw new InvalidArgumentError(
      'must be at most 63 characters, start and end with a letter, and use letters, digits, - . _',
    );
  }
  return v;
}

// The node agent flags shared by `kvol up` and `kvol agent`.
const volumePluginDirOption = () =>
  new Option(
    '--volume-plugin-dir <dir>',
    'FlexVolume drivers (<vendor>~<driver>/<driver>); default <kubelet root dir>/volume-plugins',
  );
const flexCallTimeoutOption = () =>
  new Option('--flex-volume-call-timeout <duration>', 'timeout of each FlexVolume driver call')
    .argParser(duration)
    .hideHelp();
const evictionPeriodOption = () =>
  new Option('--eviction-monitoring-period <duration>', 'how often emptyDir sizeLimits are checked')
    .argParser(duration)
    .hideHelp();

function agentTuning(o: {
  volumePluginDir?: string | undefined;
  flexVolumeCallTimeout?: number | undefined;
  evictionMonitoringPeriod?: number | undefined;
}): AgentTuning {
  return {
    ...(o.volumePluginDir === undefined ? {} : { volumePluginDir: resolve(o.volumePluginDir) }),
    ...(o.flexVolumeCallTimeout === undefined ? {} : { flexVolumeCallTimeoutMs: o.flexVolumeCallTimeout }),
    ...(o.evictionMonitoringPeriod === undefined
      ? {}
      : { evictionMonitoringPeriodMs: o.evictionMonitoringPeriod }),
  };
}

const defaultDataDir = process.env['KVOL_DATA_DIR'] ?? join(homedir(), '.kvol');

export function buildCli(): Command {
  const program = new Command()
    .name('kvol')
    .description('The Kubernetes storage stack, running on its own.')
    .version(kvolVersion, '--version', 'print the kvol version')
    .option('-v, --v <level>', 'log verbosity', verbosity, 0)
    .option('--logging-format <format>', 'text or json', 'text')
    .hook('preAction', (cmd) => {
      const o = cmd.opts();
      configureLogging({ verbosity: o.v, format: o.loggingFormat === 'json' ? 'json' : 'text' });
    });

  program
    .command('up')
    .description('start kvol on this machine on the embedded SQLite store (foreground; Ctrl-C stops it)')
    .option('--data-dir <dir>', 'where kvol keeps its store, certificates and kubeconfig', defaultDataDir)
    .option('--port <port>', 'HTTPS port of the API server (0 picks a free one)', port, 6443)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--node-name <name>', "name of this machine's Node", hostname().toLowerCase())
    .addOption(volumePluginDirOption())
    .addOption(flexCallTimeoutOption())
    .addOption(evictionPeriodOption())
    .option('--no-csi-hostpath', 'do not run the bundled CSI driver hostpath.csi.kvol.io')
    .action(async (o) => {
      const running = await up({
        dataDir: o.dataDir,
        port: o.port,
        host: o.host,
        nodeName: o.nodeName,
        agent: agentTuning(o),
        csiHostPath: o.csiHostpath,
      });
      await runUntilSignal(running);
    });

  program
    .command('server')
    .description('run the API server, the storage controllers and the scheduler against a store URL')
    .option('--data-dir <dir>', 'where certificates and the kubeconfig are kept', defaultDataDir)
    .option('--store <url>', 'store URL: sqlite:///path/kvol.db or memory://')
    .option('--port <port>', 'HTTPS port of the API server (0 picks a free one)', port, 6443)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--csi-controller-endpoint <endpoint>',
      "a CSI driver's controller socket (unix:///path.sock) for the built-in provisioner, attacher, resizer and snapshotter; repeatable",
      collectEndpoint,
      [] as string[],
    )
    .action(async (o) => {
      const running = await up({
        dataDir: o.dataDir,
        port: o.port,
        host: o.host,
        ...(o.store !== undefined ? { store: o.store } : {}),
        csiControllerEndpoints: o.csiControllerEndpoint,
      });
      await runUntilSignal(running);
    });

  program
    .command('agent')
    .description('run the node agent for this machine against a kvol API server (foreground)')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (as `kvol up` writes it)')
    .option('--server <url>', 'API server URL, e.g. https://10.0.0.1:6443')
    .option('--token <token>', 'bearer token for --server')
    .option('--certificate-authority <file>', 'CA certificate (PEM) for --server')
    .option('--node-name <name>', 'name of this Node', hostname().toLowerCase())
    .option('--root-dir <dir>', 'the kubelet root directory', '/var/lib/kubelet')
    .addOption(volumePluginDirOption())
    .addOption(flexCallTimeoutOption())
    .addOption(evictionPeriodOption())
    .action(async (o) => {
      await runAgent({
        nodeName: o.nodeName,
        rootDir: o.rootDir,
        agent: agentTuning(o),
        ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
        ...(o.server !== undefined ? { server: o.server } : {}),
        ...(o.token !== undefined ? { token: o.token } : {}),
        ...(o.certificateAuthority !== undefined ? { caFile: o.certificateAuthority } : {}),
      });
    });

  program
    .command('csi-hostpath')
    .description('run the bundled CSI driver hostpath.csi.kvol.io on a unix socket (foreground)')
    .requiredOption('--endpoint <endpoint>', 'CSI endpoint to serve, unix:///path/csi.sock', csiEndpoint)
    .option('--node-id <id>', 'node ID the driver reports (NodeGetInfo, topology)', hostname().toLowerCase())
    .option(
      '--state-dir <dir>',
      'where volumes, snapshots and state.json are kept',
      join(defaultDataDir, 'csi-hostpath'),
    )
    .option('--driver-name <name>', 'CSI driver name', csiDriverName, HostPathDriverName)
    .option('--max-volumes-per-node <n>', 'NodeGetInfo max_volumes_per_node (0: no limit)', nonNegativeInt, 0)
    .option(
      '--capacity <quantity>',
      'total capacity of all volumes, e.g. 100Gi (default: free space of the state dir)',
      bytesQuantity,
    )
    .option('--max-volume-size <quantity>', 'largest volume, e.g. 10Gi', bytesQuantity)
    .option('--enable-attach', 'advertise PUBLISH_UNPUBLISH_VOLUME (ControllerPublish/Unpublish)', false)
    .option(
      '--enable-get-snapshot',
      'advertise GET_SNAPSHOT (CSI spec 1.12, alpha) and serve GetSnapshot',
      false,
    )
    .option(
      '--registration-dir <dir>',
      'the kubelet plugins_registry directory: register there like node-driver-registrar',
    )
    .option('--exit-with-parent', 'stop when stdin is closed (used by kvol up)', false)
    .action(async (o) => {
      await runCsiHostPath({
        endpoint: o.endpoint,
        nodeId: o.nodeId,
        stateDir: resolve(o.stateDir),
        driverName: o.driverName,
        maxVolumesPerNode: o.maxVolumesPerNode,
        ...(o.capacity === undefined ? {} : { capacityBytes: o.capacity }),
        ...(o.maxVolumeSize === undefined ? {} : { maxVolumeSizeBytes: o.maxVolumeSize }),
        enableAttach: o.enableAttach,
        enableGetSnapshot: o.enableGetSnapshot,
        ...(o.registrationDir === undefined ? {} : { registrationDir: resolve(o.registrationDir) }),
        exitWithParent: o.exitWithParent,
      });
    });

  program
    .command('version')
    .description('print the kvol version and the Kubernetes API version it serves')
    .action(() => {
      process.stdout.write(`kvol ${kvolVersion} (serves Kubernetes API ${apiVersion.gitVersion})\n`);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`kvol: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`kvol: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bin/kvol.js')) {
  const code = await main(process.argv);
  // Everything was closed in order; exit even if a library left a handle open.
  process.exit(code);
}
