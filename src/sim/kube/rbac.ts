/**
 * RBAC for the fake API server: the rules of the Roles bound to the bot's service account, read
 * from the rendered deploy/ manifests, decide every request and every SelfSubjectAccessReview as
 * the real authorizer does (apiGroups × resources × verbs, `resourceNames` only for requests that
 * name an object). A request no rule allows gets the real 403 `Status`, with its `details`.
 */
import { KubeStatusError, qualified, RESOURCES, type Resource } from './store.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** What a Role grants: its rules, in its own namespace only. */
export interface RoleGrant {
  namespace: string;
  rules: PolicyRule[];
}

export interface AccessRequest {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  /** The object's name; absent for list, watch and create. */
  name?: string;
}

/** The 403 body the API server sends carries `details` naming the object and its resource. */
export class ForbiddenError extends KubeStatusError {
  readonly details: { name?: string; group: string; kind: string };

  constructor(request: AccessRequest, user: string) {
    const resource = request.resource as Resource;
    const what = RESOURCES[resource] ? qualified(resource) : request.resource;
    const object = request.name ? `${what} "${request.name}"` : what;
    super(
      403,
      'Forbidden',
      `${object} is forbidden: User "${user}" cannot ${request.verb} resource "${request.resource}" in API group "${request.group}" in the namespace "${request.namespace}"`,
    );
    this.details = { ...(request.name ? { name: request.name } : {}), group: request.group, kind: request.resource };
  }
}

export function allows(grant: RoleGrant, request: AccessRequest): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);
  return (
    request.namespace === grant.namespace &&
    grant.rules.some(
      (rule) =>
        has(rule.apiGroups, request.group) &&
        has(rule.resources, request.resource) &&
        has(rule.verbs, request.verb) &&
        // A rule limited to names never allows a request that names no object (list, watch).
        (!rule.resourceNames?.length || (request.name !== undefined && rule.resourceNames.includes(request.name))),
    )
  );
}

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** The rules of every Role in the account's namespace bound there to it. */
export function grantsOf(manifests: readonly unknown[], account: { namespace: string; name: string }): RoleGrant {
  const all = manifests as Manifest[];
  const bound = all
    .filter((m) => m.kind === 'RoleBinding' && m.metadata.namespace === account.namespace)
    .filter((b) =>
      b.subjects?.some(
        (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
      ),
    )
    .map((b) => b.roleRef!);
  const rules = all
    .filter((m) => m.kind === 'Role' && m.metadata.namespace === account.namespace)
    .filter((role) => bound.some((ref) => ref.kind === 'Role' && ref.name === role.metadata.name))
    .flatMap((role) => role.rules ?? []);
  return { namespace: account.namespace, rules };
}

/**
 * Every namespace's grant to the account: Roles bound to it by RoleBindings in their own
 * namespace (the GitOps guard's Roles live in argocd and flux-system, the bot's in its own).
 */
export function grantsInEveryNamespace(
  manifests: readonly unknown[],
  account: { namespace: string; name: string },
): RoleGrant[] {
  const all = manifests as Manifest[];
  const namespaces = [...new Set(all.filter((m) => m.kind === 'RoleBinding').map((m) => m.metadata.namespace ?? ''))];
  return namespaces
    .map((namespace) => {
      const bound = all
        .filter((m) => m.kind === 'RoleBinding' && m.metadata.namespace === namespace)
        .filter((b) =>
          b.subjects?.some(
            (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
          ),
        )
        .map((b) => b.roleRef!);
      const rules = all
        .filter((m) => m.kind === 'Role' && m.metadata.namespace === namespace)
        .filter((role) => bound.some((ref) => ref.kind === 'Role' && ref.name === role.metadata.name))
        .flatMap((role) => role.rules ?? []);
      return { namespace, rules };
    })
    .filter((g) => g.rules.length > 0);
}
