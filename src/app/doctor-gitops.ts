/**
 * doctor's GitOps check (issue 11): what manages each Deployment ("api: managed by Argo CD
 * Application argocd/shop-prod, auto-sync on, self-heal on"), and whether the bot may get and
 * patch those objects — the guard needs both, and finding out mid-incident is too late.
 */
import { type AccessCheck, createK8sAccessReview } from '../adapters/k8s/k8s-access-review.ts';
import { type Controller, describeInventory, takeInventory } from '../flows/gitops/inventory.ts';
import type { Container } from './container.ts';
import { DoctorWarning } from './doctor.ts';

const RESOURCES = {
  argocd: { group: 'argoproj.io', resource: 'applications' },
  'flux-kustomization': { group: 'kustomize.toolkit.fluxcd.io', resource: 'kustomizations' },
  'flux-helmrelease': { group: 'helm.toolkit.fluxcd.io', resource: 'helmreleases' },
} as const;

export async function doctorGitOps(c: Container): Promise<string> {
  if (c.kubeError) throw c.kubeError;
  if (!c.gitops)
    throw new Error('the GitOps controllers cannot be reached: check gitops.argocd.context in rollback.yml');
  const { runbook } = c.config;
  const inventory = await takeInventory(
    c.gitops,
    runbook.deployments.map((d) => d.name),
    runbook.gitops,
  );
  const lines = describeInventory(inventory);
  if (inventory.controllers.length === 0) return `${lines.join('; ')}: nothing for the GitOps guard to pause`;
  if (!runbook.gitops.guard)
    throw new DoctorWarning(
      `${lines.join('; ')}; the GitOps guard is OFF (${runbook.gitops.reason}): revert_images patches under these controllers`,
    );
  const denied = runbook.gitops.argocd.context ? [] : await deniedAccess(c, inventory.controllers);
  if (denied.length) {
    throw new Error(
      `${lines.join('; ')}; RBAC denies ${denied.join(', ')}: apply the Roles in deploy/components/gitops-guard (README "GitOps and Helm")`,
    );
  }
  return `${lines.join('; ')}; the guard may get and patch them`;
}

async function deniedAccess(c: Container, controllers: Controller[]): Promise<string[]> {
  const denied: string[] = [];
  for (const controller of controllers) {
    const ref = controller.ref;
    if (ref.kind === 'helm') continue;
    const { group, resource } = RESOURCES[ref.kind];
    const review = createK8sAccessReview({ kubeConfig: c.kubeConfig, namespace: ref.namespace });
    const checks: AccessCheck[] = ['get', 'patch'].map((verb) => ({ verb, group, resource, name: ref.name }));
    for (const r of await review.checkAccess(checks)) {
      if (!r.allowed) denied.push(`${r.verb} ${resource}/${ref.name} in ${ref.namespace}`);
    }
  }
  return denied;
}
