// The Kubernetes API server: REST over the store, watch cache, discovery, OpenAPI, tables, TLS and auth.
export { type RunningApiServer, type StartOptions, startApiServer, systemNamespaces } from './apiserver.ts';
export { Registry } from './registry.ts';
export { ApiServer, maxRequestBodyBytes, version } from './server.ts';
export * from './tls/index.ts';
