/**
 * The GitOps objects the fake cluster's reconciler owns: what a test declares (an Argo CD
 * Application with its Git commits, a Flux Kustomization or HelmRelease with its images) and the
 * Kubernetes objects created for them.
 */
import type { KubeObject } from './store.ts';

/** Deployment name → container name → image: what a Git revision (or a chart's values) says. */
export type DesiredImages = Record<string, Record<string, string>>;

export interface NewArgoApplication {
  name: string;
  /** Where Argo CD runs (the Application's namespace); `argocd` by default. */
  namespace?: string;
  destinationNamespace: string;
  /** Deployments (in destinationNamespace) this Application manages. */
  deployments: string[];
  repoURL?: string;
  path?: string;
  targetRevision?: string;
  automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean; allowEmpty?: boolean } | null;
  /** Git commits, oldest first: the last one is the head `targetRevision` resolves to. */
  commits: { revision: string; images: DesiredImages }[];
  /** Revisions deployed before (status.history), oldest first (default: the head); `targetRevision` is the source's then. */
  history?: { revision: string; targetRevision?: string }[];
}

export interface NewFluxObject {
  kind: 'Kustomization' | 'HelmRelease';
  name: string;
  namespace?: string;
  targetNamespace: string;
  deployments: string[];
  images: DesiredImages;
  suspend?: boolean;
  revision?: string;
}

export interface GitOpsTiming {
  /** Argo CD's self-heal delay after drift (5 s in Argo CD; short here). */
  selfHealDelayMs: number;
  /** Flux's next reconcile after drift. */
  intervalDelayMs: number;
  /** How long an Argo CD sync operation takes before it reports Succeeded. */
  operationDelayMs: number;
}

/** An Application, Kustomization or HelmRelease and the Deployments it puts its images on. */
export interface Owner {
  resource: 'applications' | 'kustomizations' | 'helmreleases';
  namespace: string;
  name: string;
  targetNamespace: string;
  deployments: string[];
  manager: string;
}

export const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The Application object for `spec`, with its owner; its Git head is the last commit. */
export function argoApplication(spec: NewArgoApplication): { owner: Owner; head: string; object: KubeObject } {
  const namespace = spec.namespace ?? 'argocd';
  const owner: Owner = {
    resource: 'applications',
    namespace,
    name: spec.name,
    targetNamespace: spec.destinationNamespace,
    deployments: spec.deployments,
    manager: 'argocd-controller',
  };
  const head = spec.commits.at(-1)?.revision;
  if (!head) throw new Error('an Application needs at least one commit');
  const source = {
    repoURL: spec.repoURL ?? 'https://github.com/example/deploy.git',
    path: spec.path ?? `apps/${spec.name}`,
    targetRevision: spec.targetRevision ?? 'main',
  };
  const history = (spec.history ?? [{ revision: head }]).map((h, id) => ({
    id,
    revision: h.revision,
    deployedAt: stamp(),
    source: { ...source, targetRevision: h.targetRevision ?? source.targetRevision },
  }));
  const object = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: spec.name, namespace },
    spec: {
      project: 'default',
      source,
      destination: { server: 'https://kubernetes.default.svc', namespace: spec.destinationNamespace },
      syncPolicy: spec.automated ? { automated: spec.automated } : {},
    },
    status: { sync: { status: 'Synced', revision: head }, health: { status: 'Healthy' }, history },
  } as unknown as KubeObject;
  return { owner, head, object };
}

/** The Kustomization or HelmRelease object for `spec`, with its owner. */
export function fluxObject(spec: NewFluxObject): { owner: Owner; revision: string; object: KubeObject } {
  const namespace = spec.namespace ?? 'flux-system';
  const resource = spec.kind === 'Kustomization' ? 'kustomizations' : 'helmreleases';
  const owner: Owner = {
    resource,
    namespace,
    name: spec.name,
    targetNamespace: spec.targetNamespace,
    deployments: spec.deployments,
    manager: spec.kind === 'Kustomization' ? 'kustomize-controller' : 'helm-controller',
  };
  const revision = spec.revision ?? 'main@sha1:0000000';
  const body =
    spec.kind === 'Kustomization'
      ? {
          interval: '10m',
          path: `./apps/${spec.name}`,
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          targetNamespace: spec.targetNamespace,
        }
      : {
          interval: '10m',
          chart: { spec: { chart: spec.name, sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
          targetNamespace: spec.targetNamespace,
        };
  const object = {
    apiVersion: resource === 'kustomizations' ? 'kustomize.toolkit.fluxcd.io/v1' : 'helm.toolkit.fluxcd.io/v2',
    kind: spec.kind,
    metadata: { name: spec.name, namespace },
    spec: { ...body, ...(spec.suspend !== undefined ? { suspend: spec.suspend } : {}) },
    status: { lastAppliedRevision: revision },
  } as unknown as KubeObject;
  return { owner, revision, object };
}
