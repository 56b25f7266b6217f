/**
 * What a request to the fake API server addresses: the REST path of each resource group (apps,
 * core, Argo CD, Flux kustomize and helm) and the verb its method and query make.
 */
import { KubeStatusError, type Resource } from './store.ts';

export interface Target {
  resource: Resource;
  namespace: string;
  name: string | undefined;
}

const ROUTES: [RegExp, Resource][] = [
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/, 'deployments'],
  [/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets(?:\/([^/]+))?$/, 'replicasets'],
  [/^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/, 'secrets'],
  [/^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applications(?:\/([^/]+))?$/, 'applications'],
  [/^\/apis\/kustomize\.toolkit\.fluxcd\.io\/v1\/namespaces\/([^/]+)\/kustomizations(?:\/([^/]+))?$/, 'kustomizations'],
  [/^\/apis\/helm\.toolkit\.fluxcd\.io\/v2\/namespaces\/([^/]+)\/helmreleases(?:\/([^/]+))?$/, 'helmreleases'],
];
export const CUSTOM = new Set<Resource>(['applications', 'kustomizations', 'helmreleases']);
export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
// Flux's CRDs declare the status subresource; Argo CD's Application does not (its controller
// writes status with the object), so a write to an Application keeps the status it sends.
export const STATUS_CARRIED = new Set<Resource>(['deployments', 'replicasets', 'kustomizations', 'helmreleases']);

export function route(pathname: string): Target {
  for (const [pattern, resource] of ROUTES) {
    const match = pattern.exec(pathname);
    if (match)
      return {
        resource,
        namespace: decodeURIComponent(match[1] ?? ''),
        name: match[2] && decodeURIComponent(match[2]),
      };
  }
  throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
}

export function verbOf(method: string, target: Target, query: URLSearchParams): string {
  const watching = query.get('watch') === 'true' || query.get('watch') === '1';
  if (method === 'GET') return target.name ? 'get' : watching ? 'watch' : 'list';
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = verbs[method];
  if (!verb || (verb === 'create') === Boolean(target.name)) {
    throw new KubeStatusError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  }
  return verb;
}
