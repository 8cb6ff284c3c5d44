// csi-sanity v5.3.1 identity.go: "Identity Service" (3 checks).
import assert from 'node:assert/strict';
import type { Group } from './group.ts';

/** PluginCapability.Service values csi-sanity v5.3.1 knows; anything else fails the check. */
const knownPluginServices = new Set([
  'CONTROLLER_SERVICE',
  'VOLUME_ACCESSIBILITY_CONSTRAINTS',
  'GROUP_CONTROLLER_SERVICE',
]);
/** Known to csi-test v5.4+ (spec v1.12), accepted with acceptSpec112Capabilities. */
const spec112PluginServices = new Set(['SNAPSHOT_METADATA_SERVICE']);
const knownExpansionModes = new Set(['ONLINE', 'OFFLINE']);

/** GetPluginInfo's name rule as csi-sanity checks it. */
const pluginNamePattern = /^[a-zA-Z][A-Za-z0-9-._]{0,61}[a-zA-Z]$/;

export function identityChecks(root: Group): void {
  root.describe('Identity Service', (g) => {
    g.describe('GetPluginCapabilities', (d) => {
      d.it('should return appropriate capabilities', async (r) => {
        const res = await r.client.getPluginCapabilities();
        for (const cap of res.capabilities) {
          if (cap.type === 'service') {
            const type = String(cap.service?.type);
            const known =
              knownPluginServices.has(type) ||
              (r.ctx.config.acceptSpec112Capabilities === true && spec112PluginServices.has(type));
            assert.ok(known, `Unknown service: ${type}`);
          } else if (cap.type === 'volume_expansion') {
            const type = String(cap.volume_expansion?.type);
            assert.ok(knownExpansionModes.has(type), `Unknown volume expansion mode: ${type}`);
          } else {
            assert.fail(`Unknown capability: ${JSON.stringify(cap)}`);
          }
        }
      });
    });

    g.describe('Probe', (d) => {
      d.it('should return appropriate information', async (r) => {
        // Any error fails: sanity accepts only OK here (its FAILED_PRECONDITION branch is unreachable).
        const res = await r.client.probe();
        if (res.ready !== null) assert.equal(typeof res.ready.value, 'boolean');
      });
    });

    g.describe('GetPluginInfo', (d) => {
      d.it('should return appropriate information', async (r) => {
        const res = await r.client.getPluginInfo();
        assert.notEqual(res.name, '', 'plugin name is empty');
        assert.ok(res.name.length <= 63, `plugin name longer than 63 characters: ${res.name}`);
        assert.match(res.name, pluginNamePattern);
      });
    });
  });
}
