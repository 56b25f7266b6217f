/**
 * What manages each configured Deployment, confirmed against the cluster: an Argo CD tracking
 * label counts only when an Application of that name exists (Helm charts set the same label),
 * and every controller named is looked up. Used by pause_deploys, revert_images,
 * capture_context and doctor — one answer everywhere.
 */
import type { GitOpsConfig } from '../../config/gitops.ts';
import {
  argoAutoSyncOn,
  describeArgoPolicy,
  detectManagers,
  fieldManagersOf,
  type ManagerRef,
  managerLabel,
  sameManager,
} from '../../domain/gitops.ts';
import type { ArgoApplicationState, FluxState, GitOpsControllers } from '../ports.ts';

export interface ManagedDeployment {
  deployment: string;
  /** The controller that manages it; null: nothing detected (plain kubectl). */
  manager: ManagerRef | null;
  corroboratedBy: string[];
  /** Why a candidate was set aside (a tracking label with no such Application). */
  notes: string[];
}

export interface Controller {
  ref: ManagerRef;
  deployments: string[];
  /** What the controller says now; undefined for Helm (no object to read). */
  argo?: ArgoApplicationState;
  flux?: FluxState;
}

export interface GitOpsInventory {
  deployments: ManagedDeployment[];
  controllers: Controller[];
}

export async function takeInventory(
  controllers: GitOpsControllers,
  deployments: readonly string[],
  config: GitOpsConfig,
): Promise<GitOpsInventory> {
  const options = { argocdNamespace: config.argocd.namespace, trackingLabel: config.tracking_label };
  const found: Controller[] = [];
  const managed: ManagedDeployment[] = [];
  for (const name of deployments) {
    const detection = detectManagers(await controllers.deploymentMetadata(name), options);
    const notes: string[] = [];
    let manager: ManagerRef | null = null;
    for (const candidate of detection.candidates) {
      const known = found.find((c) => sameManager(c.ref, candidate));
      if (known) {
        manager = candidate;
        known.deployments.push(name);
        break;
      }
      const controller = await lookUp(controllers, candidate, config, notes, name);
      if (controller) {
        manager = candidate;
        found.push({ ...controller, deployments: [name] });
        break;
      }
    }
    managed.push({ deployment: name, manager, corroboratedBy: detection.corroboratedBy, notes });
  }
  return { deployments: managed, controllers: found };
}

async function lookUp(
  controllers: GitOpsControllers,
  ref: ManagerRef,
  config: GitOpsConfig,
  notes: string[],
  deployment: string,
): Promise<Omit<Controller, 'deployments'> | undefined> {
  if (ref.kind === 'helm') return { ref };
  if (ref.kind === 'argocd') {
    const argo = await controllers.getApplication(ref.namespace, ref.name);
    if (argo) return { ref, argo };
    if (ref.via === 'label') {
      notes.push(
        `${deployment}'s label ${config.tracking_label}=${ref.name} names no Argo CD Application in ${ref.namespace} (Helm sets that label too): not Argo CD`,
      );
      return undefined;
    }
    notes.push(
      `${deployment}'s tracking id names ${managerLabel(ref)}, which does not exist: set gitops.argocd.namespace (and context, if Argo CD runs in another cluster) in rollback.yml`,
    );
    return { ref };
  }
  const flux = await controllers.getFlux(ref.kind, ref.namespace, ref.name);
  if (!flux) notes.push(`${deployment}'s labels name ${managerLabel(ref)}, which does not exist`);
  return flux ? { ref, flux } : { ref };
}

/** Is it able to change the Deployments right now? (Helm has no controller to pause.) */
export function isActive(c: Controller): boolean {
  if (c.ref.kind === 'argocd') return c.argo !== undefined && argoAutoSyncOn(c.argo.automated);
  if (c.ref.kind === 'helm') return false;
  return c.flux !== undefined && c.flux.suspend !== true;
}

/** "Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off". */
export function describeController(c: Controller): string {
  const label = managerLabel(c.ref);
  if (c.ref.kind === 'argocd')
    return c.argo ? `${label}, ${describeArgoPolicy(c.argo.automated)}` : `${label} (not found)`;
  if (c.ref.kind === 'helm')
    return `${label} with no controller (the next \`helm upgrade\` sets the images from the chart's values)`;
  if (!c.flux) return `${label} (not found)`;
  return `${label}, ${c.flux.suspend ? 'suspended' : 'reconciling'}`;
}

/** One line per Deployment: "api: managed by Argo CD Application argocd/shop-prod, auto-sync on, self-heal on". */
export function describeInventory(inventory: GitOpsInventory): string[] {
  return inventory.deployments.map((d) => {
    const c = d.manager && inventory.controllers.find((x) => sameManager(x.ref, d.manager!));
    const managedBy = c ? `managed by ${describeController(c)}` : 'no GitOps controller or Helm release detected';
    const corroborated = c ? d.corroboratedBy.filter((m) => fieldManagersOf(c.ref).includes(m)) : [];
    // A controller writes it but nothing names which object: the tracking label may be a custom one.
    const unexplained = c
      ? []
      : d.corroboratedBy.map(
          (m) =>
            `${m} writes it (managedFields) but no tracking annotation or label names its owner: set gitops.tracking_label if Argo CD tracks by a custom label`,
        );
    const notes = [...d.notes, ...unexplained];
    const seen = corroborated.length ? ` [managedFields: ${corroborated.join(', ')}]` : '';
    return `${d.deployment}: ${managedBy}${seen}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
}

/** How a person pauses it by hand, for refusals. */
export function pauseByHand(c: Controller): string {
  switch (c.ref.kind) {
    case 'argocd':
      return `\`argocd app set ${c.ref.namespace === 'argocd' ? '' : `${c.ref.namespace}/`}${c.ref.name} --sync-policy none\``;
    case 'flux-kustomization':
      return `\`flux suspend kustomization ${c.ref.name} -n ${c.ref.namespace}\``;
    case 'flux-helmrelease':
      return `\`flux suspend helmrelease ${c.ref.name} -n ${c.ref.namespace}\``;
    case 'helm':
      return 'nothing (Helm has no controller)';
  }
}
