// The deprecated gitRepo plugin (`kubernetes.io/git-repo`).
import type { VolumePlugin } from '../plugins.ts';
import { GitRepoPlugin, type GitRepoPluginOptions } from './gitrepo.ts';

export * from './gitrepo.ts';

export function probeVolumePlugins(opts: GitRepoPluginOptions = {}): VolumePlugin[] {
  return [new GitRepoPlugin(opts)];
}
