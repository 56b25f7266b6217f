/**
 * An in-memory GitOpsControllers (flows/ports/gitops.ts): Deployments' metadata, Argo CD
 * Applications and Flux objects as plain records; a sync operation succeeds at once.
 */

import { UserFacingError } from '../../src/domain/errors.ts';
import type { DeploymentMetadata } from '../../src/domain/gitops.ts';
import type { ArgoApplicationState, FluxKind, FluxState, GitOpsControllers } from '../../src/flows/ports.ts';

export interface FakeGitOpsControllers extends GitOpsControllers {
  deployments: Map<string, DeploymentMetadata>;
  applications: Map<string, ArgoApplicationState>;
  flux: Map<string, FluxState>;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

export function createFakeGitOpsControllers(): FakeGitOpsControllers {
  const deployments = new Map<string, DeploymentMetadata>();
  const applications = new Map<string, ArgoApplicationState>();
  const flux = new Map<string, FluxState>();
  const app = (namespace: string, name: string) => {
    const found = applications.get(key(namespace, name));
    if (!found) throw new UserFacingError('not_found', `Argo CD Application ${namespace}/${name} was not found`);
    return found;
  };
  return {
    deployments,
    applications,
    flux,
    async deploymentMetadata(name) {
      const found = deployments.get(name);
      if (!found) throw new UserFacingError('not_found', `deployment ${name} was not found`);
      return structuredClone(found);
    },
    async getApplication(namespace, name) {
      const found = applications.get(key(namespace, name));
      return found ? structuredClone(found) : null;
    },
    async setArgoAutomated(namespace, name, automated) {
      app(namespace, name).automated = automated && structuredClone(automated);
    },
    async syncApplication(namespace, name, revision) {
      const a = app(namespace, name);
      a.history.push({ id: a.history.length, revision });
      a.operationState = { phase: 'Succeeded', revision };
      a.operationInProgress = false;
    },
    async getFlux(kind: FluxKind, namespace, name) {
      const found = flux.get(`${kind}/${key(namespace, name)}`);
      return found ? structuredClone(found) : null;
    },
    async setFluxSuspend(kind, namespace, name, suspend, requestedAt) {
      const found = flux.get(`${kind}/${key(namespace, name)}`);
      if (!found) throw new UserFacingError('not_found', `Flux object ${namespace}/${name} was not found`);
      found.suspend = suspend;
      if (requestedAt) found.lastHandledReconcileAt = requestedAt;
    },
  };
}
