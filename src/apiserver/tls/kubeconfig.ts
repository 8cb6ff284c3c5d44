// Writes the kubeconfig that lets kubectl reach this apiserver: one cluster (server URL plus the
// CA inline as certificate-authority-data), one user with a bearer token, one context, made current.

import { stringify } from 'yaml';
import { writeFileAtomic } from './files.ts';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  token: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  namespace?: string;
}

/** The kubeconfig document (clientcmd v1 Config) for these options. */
export function kubeconfig(opts: KubeconfigOptions): Record<string, unknown> {
  const cluster = opts.clusterName ?? 'kvol';
  const user = opts.userName ?? 'kvol-admin';
  const context = opts.contextName ?? 'kvol';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: cluster,
        cluster: {
          server: opts.server,
          'certificate-authority-data': Buffer.from(opts.caPem, 'utf8').toString('base64'),
        },
      },
    ],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [
      {
        name: context,
        context: {
          cluster,
          user,
          ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
        },
      },
    ],
    'current-context': context,
  };
}

/** Writes the kubeconfig YAML to `path` atomically with mode 0600 (it holds a credential). */
export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  writeFileAtomic(path, stringify(kubeconfig(opts)), 0o600);
}
