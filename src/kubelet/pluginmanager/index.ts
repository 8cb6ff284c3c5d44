// The kubelet plugin manager: the plugin registration API v1 and the plugins_registry watcher.
export * from './api.ts';
export * from './watcher.ts';
