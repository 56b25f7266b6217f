/**
 * The GitOps controllers the guard talks to: Argo CD Applications and Flux Kustomizations /
 * HelmReleases (custom resources, merge-patched), and the Deployments' metadata detection reads.
 */
import type { ArgoAutomated, DeploymentMetadata } from '../../domain/gitops.ts';

export interface ArgoHistoryEntry {
  id: number;
  revision: string;
  /** The source's targetRevision when it was deployed (a release tag, when teams pin one). */
  targetRevision?: string;
  deployedAt?: string;
}

export interface ArgoApplicationState {
  namespace: string;
  name: string;
  automated: ArgoAutomated;
  /** status.sync.revision: the Git revision Argo CD compares the cluster against (the head of targetRevision). */
  syncRevision?: string;
  syncStatus?: string;
  targetRevision?: string;
  repoURL?: string;
  history: ArgoHistoryEntry[];
  /** An `operation` is set and not yet picked up, or operationState.phase is Running. */
  operationInProgress: boolean;
  operationState?: { phase: string; message?: string; revision?: string; finishedAt?: string };
}

export type FluxKind = 'flux-kustomization' | 'flux-helmrelease';

export interface FluxState {
  kind: FluxKind;
  namespace: string;
  name: string;
  /** spec.suspend; null when the field is absent (which Flux reads as false). */
  suspend: boolean | null;
  lastAppliedRevision?: string;
  lastHandledReconcileAt?: string;
}

export interface GitOpsControllers {
  deploymentMetadata(name: string): Promise<DeploymentMetadata>;
  /** null when no such Application exists (how a bare tracking label is confirmed or dismissed). */
  getApplication(namespace: string, name: string): Promise<ArgoApplicationState | null>;
  /** Merge patch of spec.syncPolicy.automated: null removes it (auto-sync off); keys not in `automated` are removed. */
  setArgoAutomated(namespace: string, name: string, automated: ArgoAutomated, current: ArgoAutomated): Promise<void>;
  /** Writes the Application's `operation`: a sync to `revision`, initiated by the bot. */
  syncApplication(namespace: string, name: string, revision: string, initiatedBy: string): Promise<void>;
  getFlux(kind: FluxKind, namespace: string, name: string): Promise<FluxState | null>;
  /** Merge patch of spec.suspend (null removes it); `requestedAt` also sets reconcile.fluxcd.io/requestedAt. */
  setFluxSuspend(
    kind: FluxKind,
    namespace: string,
    name: string,
    suspend: boolean | null,
    requestedAt?: string,
  ): Promise<void>;
}
