// Child process for the SQLite crash test: opens the store given as argv[2] and writes forever with 32
// concurrent writers (creates of fresh keys, and CAS updates of one shared counter key), printing each
// acknowledged write as `ack <key> <modRevision>` on stdout. The parent kills it with SIGKILL mid-burst.
import { openSqliteBackend } from '../sqlite.ts';

const path = process.argv[2];
const tag = process.argv[3] ?? 'run';
if (path === undefined) throw new Error('usage: crash-child.ts <db path> [tag]');
const store = await openSqliteBackend(path);
const value = JSON.stringify({ pad: 'x'.repeat(2000) });
const counter = `/crash/counter`;
if ((await store.get(counter)) === undefined) await store.create(counter, '0');
process.stdout.write('ready\n');

let n = 0;
async function writer(w: number): Promise<never> {
  for (;;) {
    if (w === 0) {
      const cur = (await store.get(counter))!;
      try {
        const kv = await store.update(counter, String(Number(cur.value) + 1), cur.modRevision);
        process.stdout.write(`ack ${kv.key} ${kv.modRevision} ${kv.value}\n`);
      } catch {
        // lost a race with nobody: only writer 0 updates the counter, so this does not happen
      }
      continue;
    }
    const kv = await store.create(`/crash/${tag}/${w}/${n++}`, value);
    process.stdout.write(`ack ${kv.key} ${kv.modRevision}\n`);
  }
}
await Promise.all(Array.from({ length: 32 }, (_, w) => writer(w)));
