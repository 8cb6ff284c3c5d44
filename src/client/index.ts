// The client library: the Client interface (in-process and HTTP), informers, the workqueue and the event
// recorder. Controllers, the scheduler and the node agent reach the API only through this folder.
export * from './client.ts';
export * from './events.ts';
export * from './http.ts';
export * from './informer.ts';
export * from './inprocess.ts';
export * from './ratelimit.ts';
export * from './workqueue.ts';
