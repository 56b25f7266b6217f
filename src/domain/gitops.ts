/**
 * What manages a Deployment — Argo CD, Flux or Helm — read from the object's own metadata, and
 * the words the checklist uses for them. Pure: the adapter reads the objects, this decides.
 *
 * Argo CD tracks what it applied with the annotation `argocd.argoproj.io/tracking-id`
 * (`<app>:<group>/<kind>:<namespace>/<name>`, Argo CD 3's default; `<app>` is `<ns>_<app>` for an
 * Application outside Argo CD's own namespace) or with a label (`app.kubernetes.io/instance` in
 * Argo CD 2.x, configurable per installation). Helm charts set that label too, so a label alone
 * is only a candidate until an Application of that name is found. Flux labels what it applies
 * with `<kustomize|helm>.toolkit.fluxcd.io/name` and `/namespace`; Helm with
 * `app.kubernetes.io/managed-by: Helm` and the annotation `meta.helm.sh/release-name`.
 * `metadata.managedFields` managers corroborate.
 */

export const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const DEFAULT_TRACKING_LABEL = 'app.kubernetes.io/instance';
export const FLUX_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

export type ManagerRef =
  | { kind: 'argocd'; namespace: string; name: string; via: 'tracking-id' | 'label' }
  | { kind: 'flux-kustomization' | 'flux-helmrelease'; namespace: string; name: string }
  | { kind: 'helm'; release: string; namespace: string };

export interface DeploymentMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Field managers of the object (managedFields). */
  managers: string[];
}

export interface DetectOptions {
  /** Where Argo CD runs: Applications named in a tracking id without a namespace live here. */
  argocdNamespace: string;
  trackingLabel: string;
}

export interface Detection {
  deployment: string;
  /** The controllers found, most specific first (Argo CD and Flux before plain Helm). */
  candidates: ManagerRef[];
  /** Field managers that corroborate a controller (argocd-controller, kustomize-controller, helm-controller). */
  corroboratedBy: string[];
}

const CONTROLLER_MANAGERS = [
  'argocd-controller',
  'argocd-application-controller',
  'kustomize-controller',
  'helm-controller',
];

export function detectManagers(meta: DeploymentMetadata, options: DetectOptions): Detection {
  const candidates: ManagerRef[] = [];
  const tracking = parseTrackingId(meta.annotations[ARGOCD_TRACKING_ID], options.argocdNamespace);
  if (tracking) candidates.push({ kind: 'argocd', ...tracking, via: 'tracking-id' });
  const instance = meta.labels[options.trackingLabel];
  if (!tracking && instance)
    candidates.push({ kind: 'argocd', namespace: options.argocdNamespace, name: instance, via: 'label' });
  for (const [prefix, kind] of [
    ['kustomize', 'flux-kustomization'],
    ['helm', 'flux-helmrelease'],
  ] as const) {
    const name = meta.labels[`${prefix}.toolkit.fluxcd.io/name`];
    const namespace = meta.labels[`${prefix}.toolkit.fluxcd.io/namespace`];
    if (name && namespace) candidates.push({ kind, namespace, name });
  }
  const release = meta.annotations['meta.helm.sh/release-name'];
  if (meta.labels['app.kubernetes.io/managed-by'] === 'Helm' && release) {
    candidates.push({
      kind: 'helm',
      release,
      namespace: meta.annotations['meta.helm.sh/release-namespace'] ?? meta.namespace,
    });
  }
  return {
    deployment: meta.name,
    candidates,
    corroboratedBy: meta.managers.filter((m) => CONTROLLER_MANAGERS.includes(m)),
  };
}

/** `shop-prod:apps/Deployment:prod/api` → the Application; `team_shop:…` → Application `shop` in namespace `team`. */
export function parseTrackingId(
  value: string | undefined,
  argocdNamespace: string,
): { namespace: string; name: string } | undefined {
  if (!value) return undefined;
  const match = /^([^:]+):[^:]*\/[^:]+:[^:]*\/[^:]+$/.exec(value);
  if (!match) return undefined;
  const app = match[1]!;
  const split = app.indexOf('_');
  return split > 0
    ? { namespace: app.slice(0, split), name: app.slice(split + 1) }
    : { namespace: argocdNamespace, name: app };
}

/** Argo CD's `spec.syncPolicy.automated` as recorded; null when auto-sync is off. */
export type ArgoAutomated = { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean; enabled?: boolean } | null;

/** Argo CD 3 honours `automated.enabled: false`: present but disabled means off. */
export function argoAutoSyncOn(automated: ArgoAutomated): boolean {
  return automated !== null && automated.enabled !== false;
}

export function describeArgoPolicy(automated: ArgoAutomated): string {
  if (!argoAutoSyncOn(automated)) return 'auto-sync off';
  return `auto-sync on, self-heal ${automated?.selfHeal ? 'on' : 'off'}, prune ${automated?.prune ? 'on' : 'off'}`;
}

export function managerLabel(ref: ManagerRef): string {
  switch (ref.kind) {
    case 'argocd':
      return `Argo CD Application ${ref.namespace}/${ref.name}`;
    case 'flux-kustomization':
      return `Flux Kustomization ${ref.namespace}/${ref.name}`;
    case 'flux-helmrelease':
      return `Flux HelmRelease ${ref.namespace}/${ref.name}`;
    case 'helm':
      return `Helm release ${ref.namespace}/${ref.release}`;
  }
}

/** The field manager each controller writes with: how the rollout watch recognises it. */
export function fieldManagersOf(ref: ManagerRef): string[] {
  if (ref.kind === 'argocd') return ['argocd-controller', 'argocd-application-controller'];
  if (ref.kind === 'flux-kustomization') return ['kustomize-controller'];
  if (ref.kind === 'flux-helmrelease') return ['helm-controller'];
  return ['helm'];
}

export function sameManager(a: ManagerRef, b: ManagerRef): boolean {
  return managerLabel(a) === managerLabel(b);
}

/** A short hash for messages: Git SHAs are 40 characters. */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '(unknown revision)';
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision;
}
