// Run-time discovery of FlexVolume drivers (upstream probe.go, a DynamicPluginProber): every
// `<plugin dir>/<vendor>~<driver>/<driver>` is a driver. probe() rescans the directory and returns what
// changed since the last probe: a new or changed driver (its executable's inode, size, mode or times
// differ) is initialised (`init`) and reported as add-or-update; a driver whose directory or executable
// went away is reported as remove. Names starting with `.` are ignored. A driver whose init fails is
// logged and skipped until its executable changes (upstream retries only on the next watch event too).
//
// probe() is cheap when nothing changed (one readdir and one stat per driver), so callers run it before
// plugin lookups, as upstream's VolumePluginMgr does. When drivers changed it waits for their init calls
// (in parallel; each bounded by the call timeout). watch() additionally reports changes as they
// happen (fs.watch on the plugin dir and each driver dir) so waiting pods can be retried at once.
//
// Concurrency: probes are serialised; each returns the events of its own rescan.
import type { Dirent, FSWatcher } from 'node:fs';
import { watch as fsWatch } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../component/index.ts';
import type { VolumePlugin, VolumePluginMgr } from '../plugins.ts';
import { unescapePluginName } from '../plugins.ts';
import { PLUGIN_NAME_PREFIX } from './constants.ts';
import type { FlexVolumeOptions } from './plugin.ts';
import { newFlexVolumePlugin } from './plugin.ts';

const log = logger('flexvolume');

export type ProbeOperation = 'add-or-update' | 'remove';

/** A change found by a prober (upstream volume.ProbeEvent). */
export interface ProbeEvent {
  readonly op: ProbeOperation;
  readonly pluginName: string;
  /** Set for add-or-update: the initialised plugin, ready for VolumePluginMgr.addDynamic. */
  readonly plugin?: VolumePlugin;
}

/** Finds plugins at run time (upstream DynamicPluginProber). */
export interface DynamicPluginProber {
  init(): Promise<void>;
  /** The changes since the previous probe; the first probe reports every plugin. */
  probe(): Promise<ProbeEvent[]>;
}

/** Applies a prober's events to the manager (upstream refreshProbedPlugins). */
export async function refreshProbedPlugins(mgr: VolumePluginMgr, prober: DynamicPluginProber): Promise<void> {
  for (const ev of await prober.probe()) {
    if (ev.op === 'remove') {
      mgr.removeDynamic(ev.pluginName);
      continue;
    }
    if (ev.plugin === undefined) continue;
    try {
      await mgr.addDynamic(ev.plugin);
    } catch (err) {
      log.error('Error dynamically probing plugins', err, { plugin: ev.pluginName });
    }
  }
}

export interface FlexVolumeProberOptions extends FlexVolumeOptions {
  /** The kubelet's --volume-plugin-dir. */
  readonly pluginDir: string;
}

interface Known {
  readonly signature: string;
  readonly pluginName: string;
  /** A plugin for this directory is registered (reported by an add-or-update event). */
  readonly added: boolean;
}

const isErrno = (err: unknown, code: string): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;

export class FlexVolumeProber implements DynamicPluginProber {
  readonly pluginDir: string;
  readonly #opts: FlexVolumeOptions;
  readonly #known = new Map<string, Known>();
  readonly #failures = new Map<string, Error>();
  #chain: Promise<unknown> = Promise.resolve();
  #watchers = new Map<string, FSWatcher>();
  #onChange: (() => void) | undefined;

  constructor(opts: FlexVolumeProberOptions) {
    const { pluginDir, ...rest } = opts;
    this.pluginDir = pluginDir;
    this.#opts = rest;
  }

  /** Creates the plugin directory if missing. */
  async init(): Promise<void> {
    await this.#ensureDir();
  }

  probe(): Promise<ProbeEvent[]> {
    const run = this.#chain.then(() => this.#probeOnce());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Driver directories whose last init failed, with the error (for diagnostics and tests). */
  failures(): ReadonlyMap<string, Error> {
    return this.#failures;
  }

  /**
   * Calls onChange (without arguments, possibly many times) whenever something under the plugin dir
   * changes; the caller then runs probe(). Replaces an earlier callback.
   */
  watch(onChange: () => void): void {
    this.#onChange = onChange;
    this.#syncWatchers([...this.#known.keys()]);
  }

  /** Stops watching. */
  close(): void {
    this.#onChange = undefined;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }

  async #ensureDir(): Promise<void> {
    try {
      await stat(this.pluginDir);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      log.warn(`Flexvolume plugin directory at ${this.pluginDir} does not exist. Recreating.`);
      await mkdir(this.pluginDir, { recursive: true, mode: 0o755 });
    }
  }

  async #signature(dirName: string): Promise<string> {
    const driverName = unescapePluginName(dirName);
    const parts = driverName.split('/');
    try {
      const s = await stat(join(this.pluginDir, dirName, parts[parts.length - 1] ?? ''));
      return `${s.ino}:${s.size}:${s.mode}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return 'missing';
      throw err;
    }
  }

  async #probeOnce(): Promise<ProbeEvent[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.pluginDir, { withFileTypes: true });
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) {
        throw new Error(
          `Error reading the Flexvolume directory: ${err instanceof Error ? err.message : String(err)}`,
          {
            cause: err,
          },
        );
      }
      await this.#ensureDir();
      entries = [];
    }
    const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    const events: ProbeEvent[] = [];

    for (const [dirName, known] of [...this.#known]) {
      if (dirs.includes(dirName)) continue;
      this.#known.delete(dirName);
      this.#failures.delete(dirName);
      if (known.added) events.push({ op: 'remove', pluginName: known.pluginName });
    }

    // Changed drivers are initialised in parallel: one slow init does not hold up the others.
    const changed: { dirName: string; signature: string; prev: Known | undefined }[] = [];
    for (const dirName of dirs.sort()) {
      const signature = await this.#signature(dirName);
      const prev = this.#known.get(dirName);
      if (prev === undefined || prev.signature !== signature) changed.push({ dirName, signature, prev });
    }
    const results = await Promise.all(
      changed.map(async ({ dirName, signature, prev }) => {
        const pluginName = PLUGIN_NAME_PREFIX + unescapePluginName(dirName);
        if (signature === 'missing' && prev?.added === true) {
          // The executable was removed: the driver is gone.
          this.#known.set(dirName, { signature, pluginName, added: false });
          return { op: 'remove', pluginName } satisfies ProbeEvent;
        }
        try {
          const plugin = await newFlexVolumePlugin(this.pluginDir, dirName, this.#opts);
          this.#known.set(dirName, { signature, pluginName: plugin.name, added: true });
          this.#failures.delete(dirName);
          return { op: 'add-or-update', pluginName: plugin.name, plugin } satisfies ProbeEvent;
        } catch (err) {
          const e = new Error(
            `Error creating Flexvolume plugin from directory ${dirName}, skipping. Error: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
          log.error(`Error creating Flexvolume plugin from directory ${dirName}, skipping`, err);
          this.#failures.set(dirName, e);
          // A plugin registered earlier stays registered, as upstream keeps it.
          this.#known.set(dirName, { signature, pluginName, added: prev?.added ?? false });
          return undefined;
        }
      }),
    );
    for (const ev of results) if (ev !== undefined) events.push(ev);

    if (this.#onChange !== undefined) this.#syncWatchers(dirs);
    return events;
  }

  #syncWatchers(dirs: readonly string[]): void {
    const want = new Set(['', ...dirs]);
    for (const [key, w] of this.#watchers) {
      if (!want.has(key)) {
        w.close();
        this.#watchers.delete(key);
      }
    }
    for (const key of want) {
      if (this.#watchers.has(key)) continue;
      try {
        const w = fsWatch(join(this.pluginDir, key), { persistent: false }, (_event, name) => {
          if (typeof name === 'string' && name.startsWith('.')) return;
          this.#onChange?.();
        });
        w.on('error', () => {
          w.close();
          this.#watchers.delete(key);
          this.#onChange?.();
        });
        this.#watchers.set(key, w);
      } catch (err) {
        log.v(4, 'Flexvolume prober: cannot watch', { dir: join(this.pluginDir, key), err });
      }
    }
  }
}
