// Registers the suite's node:test blocks. A Group is one `describe`; its checks run through
// runCheck (own directories, resource cleanup) and a check listed in SanityConfig.knownFailures is
// registered as `todo` with the given reason, so a known driver bug is reported without failing
// the run.
import { describe, it } from 'node:test';
import { type Resources, runCheck, type SanityContext } from './common.ts';

export class Group {
  readonly ctx: SanityContext;
  readonly path: readonly string[];

  constructor(ctx: SanityContext, path: readonly string[]) {
    this.ctx = ctx;
    this.path = path;
  }

  describe(name: string, fn: (g: Group) => void): void {
    const child = new Group(this.ctx, [...this.path, name]);
    describe(name, () => fn(child));
  }

  it(name: string, body: (r: Resources) => Promise<void>): void {
    const fullName = [...this.path, name].join(' > ');
    const todo = this.ctx.config.knownFailures?.[fullName];
    const options = todo === undefined ? {} : { todo };
    it(name, options, (t) => runCheck(this.ctx, t, body));
  }

  /** A check csi-sanity declares but disables (XIt): registered as skipped with the reason. */
  disabled(name: string, reason: string): void {
    it(name, { skip: reason }, () => {});
  }
}
