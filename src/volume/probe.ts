// The in-tree plugins the node agent registers (upstream cmd/kubelet/app/plugins.go). FlexVolume
// drivers and CSI drivers join at run time through their probers.
import * as configmap from './configmap/index.ts';
import * as downwardapi from './downwardapi/index.ts';
import * as emptydir from './emptydir/index.ts';
import * as gitrepo from './gitrepo/index.ts';
import * as hostpath from './hostpath/index.ts';
import * as local from './local/index.ts';
import type { VolumePlugin } from './plugins.ts';
import * as projected from './projected/index.ts';
import * as secret from './secret/index.ts';

export function probeInTreeVolumePlugins(opts: { gitRepoEnabled?: boolean } = {}): VolumePlugin[] {
  return [
    ...emptydir.probeVolumePlugins(),
    ...secret.probeVolumePlugins(),
    ...configmap.probeVolumePlugins(),
    ...downwardapi.probeVolumePlugins(),
    ...projected.probeVolumePlugins(),
    ...hostpath.probeVolumePlugins(),
    ...local.probeVolumePlugins(),
    ...gitrepo.probeVolumePlugins({ enabled: opts.gitRepoEnabled ?? true }),
  ];
}
