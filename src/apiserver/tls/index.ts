// TLS and authentication material for the apiserver: the cluster CA and serving certificate under
// `<dataDir>/pki/`, static bearer tokens with a constant-time authenticator, and the kubeconfig
// that hands both to kubectl.

export { writeFileAtomic } from './files.ts';
export type { KubeconfigOptions } from './kubeconfig.ts';
export { kubeconfig, writeKubeconfig } from './kubeconfig.ts';
export type { Pki, PkiOptions } from './pki.ts';
export { caCommonName, ensurePki, pkiPaths, renewBefore, servingCommonName } from './pki.ts';
export type { TokenEntry, UserInfo } from './tokens.ts';
export {
  adminUser,
  ensureAdminToken,
  isTokenFileError,
  mastersGroup,
  readTokenFile,
  TokenAuthenticator,
  TokenFileError,
  tokenFilePath,
  writeTokenFile,
} from './tokens.ts';
