// The one piece of image-reference parsing defaulting needs: whether a reference names the `latest`
// tag, as k8s.io/kubernetes/pkg/util/parsers.ParseImageName decides it (docker reference grammar;
// no tag and no digest means `latest`; an unparsable reference means no tag).

const component = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const name = `(?:${domain}/)?${component}(?:/${component})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referenceRE = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

/** The tag ParseImageName returns: the explicit tag, `latest` when neither tag nor digest is given, else ''. */
export function imageTag(image: string): string {
  const m = referenceRE.exec(image);
  if (m === null) return '';
  const repo = m[1] ?? '';
  // Repository names are at most 255 characters (reference.NameTotalLengthMax).
  if (repo.length > 255) return '';
  const t = m[2];
  const d = m[3];
  if (t !== undefined) return t;
  if (d === undefined) return 'latest';
  return '';
}

/** `Always` for a `latest` (or untagged) image, `IfNotPresent` otherwise (SetDefaults_Container). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}
