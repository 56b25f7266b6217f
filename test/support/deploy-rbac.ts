/**
 * The RBAC rules deploy/ grants the bot, read from the rendered manifests — what the fake API
 * server enforces in the least-privilege tests, so a rule the bot needs but deploy/ lacks fails a test.
 */
import { fileURLToPath } from 'node:url';
import { grantsInEveryNamespace, grantsOf, type RoleGrant } from '../../src/sim/kube/rbac.ts';
import { kustomize } from './kustomize.ts';

export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));
/** The overlay whose namespace (prod) and promotion Secret (app-db) match the test config. */
export const PRODUCTION_OVERLAY = `${DEPLOY_DIR}overlays/production`;
export const BOT_ACCOUNT = { namespace: 'prod', name: 'rollback-commander' };
export const BOT_USER = `system:serviceaccount:${BOT_ACCOUNT.namespace}:${BOT_ACCOUNT.name}`;

/** The rules of the Roles the overlay binds to the bot's service account, in its namespace. */
export function deployRbacRules(overlay = PRODUCTION_OVERLAY): RoleGrant {
  return grantsOf(kustomize(overlay), BOT_ACCOUNT);
}

/** The overlay with the GitOps guard's Roles (in argocd and flux-system) as well as the bot's own. */
export const PRODUCTION_GITOPS_OVERLAY = `${DEPLOY_DIR}overlays/production-gitops`;

/** Every Role the overlay binds to the bot's service account, in whichever namespace it lives. */
export function deployRbacGrants(overlay = PRODUCTION_GITOPS_OVERLAY): RoleGrant[] {
  return grantsInEveryNamespace(kustomize(overlay), BOT_ACCOUNT);
}

/** The same grant with one verb taken away from one resource. */
export function withoutVerb(grant: RoleGrant, resource: string, verb: string): RoleGrant {
  const rules = grant.rules.map((r) =>
    r.resources.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r,
  );
  return { ...grant, rules };
}
