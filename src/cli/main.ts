// The kvol command line: `kvol up`, `kvol server`, `kvol version`.
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { version as apiVersion } from '../apiserver/index.ts';
import { configureLogging } from '../component/index.ts';
import { runAgent } from './agent.ts';
import { CliError, runUntilSignal, up } from './up.ts';

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
    .action(async (o) => {
      const running = await up({ dataDir: o.dataDir, port: o.port, host: o.host, nodeName: o.nodeName });
      await runUntilSignal(running);
    });

  program
    .command('server')
    .description('run the API server (and, later, the controllers) against a store URL')
    .option('--data-dir <dir>', 'where certificates and the kubeconfig are kept', defaultDataDir)
    .option('--store <url>', 'store URL: sqlite:///path/kvol.db or memory://')
    .option('--port <port>', 'HTTPS port of the API server (0 picks a free one)', port, 6443)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (o) => {
      const running = await up({
        dataDir: o.dataDir,
        port: o.port,
        host: o.host,
        ...(o.store !== undefined ? { store: o.store } : {}),
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
    .action(async (o) => {
      await runAgent({
        nodeName: o.nodeName,
        rootDir: o.rootDir,
        ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
        ...(o.server !== undefined ? { server: o.server } : {}),
        ...(o.token !== undefined ? { token: o.token } : {}),
        ...(o.certificateAuthority !== undefined ? { caFile: o.certificateAuthority } : {}),
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
