#!/usr/bin/env node
// The kvol command: runs the TypeScript sources through tsx's loader (Node 20 has no type stripping).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
