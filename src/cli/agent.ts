// `kvol agent`: the node agent on its own, talking to a kvol API server over HTTPS (like a kubelet
// pointed at kube-apiserver). Runs in the foreground until SIGINT/SIGTERM.
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { HttpClient, type HttpClientConfig } from '../client/index.ts';
import { logger } from '../component/index.ts';
import { NodeAgent } from '../kubelet/index.ts';
import { probeInTreeVolumePlugins, RealMounter } from '../volume/index.ts';
import { type AgentTuning, CliError } from './up.ts';

const log = logger('kvol-agent');

export interface AgentOptions {
  readonly kubeconfig?: string;
  readonly server?: string;
  readonly token?: string;
  readonly caFile?: string;
  readonly nodeName: string;
  readonly rootDir: string;
  readonly agent?: AgentTuning;
}

function clientFor(o: AgentOptions): HttpClient {
  if (o.kubeconfig !== undefined) {
    try {
      return HttpClient.fromKubeconfig(o.kubeconfig, { fieldManager: 'kubelet' });
    } catch (err) {
      throw new CliError(`cannot use kubeconfig ${o.kubeconfig}: ${(err as Error).message}`);
    }
  }
  if (o.server === undefined) {
    throw new CliError(
      'say where the API server is: --kubeconfig PATH, or --server URL with --token and --certificate-authority',
    );
  }
  const cfg: HttpClientConfig = { server: o.server, fieldManager: 'kubelet' };
  if (o.token !== undefined) cfg.token = o.token;
  if (o.caFile !== undefined) {
    try {
      cfg.caData = readFileSync(o.caFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read --certificate-authority ${o.caFile}: ${(err as Error).message}`);
    }
  }
  return new HttpClient(cfg);
}

export async function runAgent(o: AgentOptions): Promise<void> {
  const client = clientFor(o);
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const agent = new NodeAgent({
    client,
    nodeName: o.nodeName,
    rootDir: o.rootDir,
    plugins: probeInTreeVolumePlugins(),
    mounter: new RealMounter(),
    // kvol has no attach/detach controller yet: the agent attaches and detaches (FlexVolume drivers).
    enableControllerAttachDetach: false,
    ...o.agent,
  });
  const stop = (sig: string): void => {
    log.info('shutting down', { signal: sig });
    ac.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  log.info('node agent starting', { node: o.nodeName, rootDir: o.rootDir, server: client.server.toString() });
  await agent.run(ac.signal);
  client.close();
}
