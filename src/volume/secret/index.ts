// The secret volume plugin (`kubernetes.io/secret`).
import type { VolumePlugin } from '../plugins.ts';
import { SecretPlugin } from './secret.ts';

export { makeSecretPayload, SecretPlugin, secretPluginName } from './secret.ts';

export function probeVolumePlugins(): VolumePlugin[] {
  return [new SecretPlugin()];
}
