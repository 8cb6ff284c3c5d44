// The CSI driver conformance suite: kvol's TypeScript mirror of csi-sanity v5.3.1
// (kubernetes-csi/csi-test pkg/sanity), run against any driver over its unix socket.
// `defineSanitySuite(config)` registers node:test `describe`/`it` blocks: Identity (3), Controller
// (36 + 1 kvol pagination check), CreateSnapshot (5), DeleteSnapshot (3), ListSnapshots (7),
// ExpandVolume (3), ModifyVolume (6), GroupController (6) and Node (23). Checks gated by a capability
// skip with the reason when the driver does not advertise it; every check cleans up the volumes,
// snapshots, publications and directories it made, even when it fails.
import { after, before, describe } from 'node:test';
import { type SanityConfig, SanityContext } from './common.ts';
import { controllerChecks } from './controller.ts';
import { Group } from './group.ts';
import { groupControllerChecks } from './groupcontroller.ts';
import { identityChecks } from './identity.ts';
import { nodeChecks } from './node.ts';

export type { SanityConfig, SanityIdGenerator, SanitySecrets } from './common.ts';
export { defaultIdGenerator, GiB, MiB } from './common.ts';

/** Registers the whole suite under one `describe(name)`. Call it at the top level of a test file. */
export function defineSanitySuite(config: SanityConfig, name = 'CSI sanity'): void {
  const ctx = new SanityContext(config);
  describe(name, () => {
    before(() => ctx.connect());
    after(() => ctx.close());
    const root = new Group(ctx, []);
    identityChecks(root);
    controllerChecks(root);
    groupControllerChecks(root);
    nodeChecks(root);
  });
}
