// Runs the backend contract suite against the memory backend, plus what is specific to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBackend } from '../index.ts';
import { runBackendContract } from '../testing/contract.ts';
import { MemoryBackend, openMemoryBackend } from './memory.ts';

runBackendContract('memory', () => openMemoryBackend());

test('openBackend("memory://") opens a fresh, empty memory store', async () => {
  const a = await openBackend('memory://');
  const b = await openBackend('memory://');
  assert.ok(a instanceof MemoryBackend);
  await a.create('/x', 'v');
  assert.equal(await b.get('/x'), undefined);
  assert.equal(await b.currentRevision(), 0);
  await a.close();
  await b.close();
});
