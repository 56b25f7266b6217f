/**
 * The `Deployments` port on @kubernetes/client-node: what `kubectl set image`, `rollout status`,
 * `rollout history` and `rollout restart` do, scoped to one namespace.
 */
import {
  AppsV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1LabelSelector,
  type V1ReplicaSet,
  Watch,
} from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors.ts';
import type { ContainerImage, DeploymentRevision, DeploymentSnapshot, Deployments } from '../../flows/ports.ts';
import { k8sError } from './k8s-errors.ts';
import { FIELD_MANAGER, imageManagers } from './k8s-managed-fields.ts';
import { DEFAULT_K8S_RETRY, type K8sRetryPolicy, withK8sRetry } from './k8s-retry.ts';
import { waitForDeploymentRollout } from './k8s-rollout-wait.ts';

export interface K8sOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Retries of each API call on 5xx/429/connection errors (30 s by default). */
  retry?: K8sRetryPolicy;
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
// kubectl set image sends a strategic merge patch, which merges `containers` by name; a plain
// merge patch would replace the whole list and drop every container we didn't name.
const strategicMerge = () => setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

export function createK8sDeployments({ kubeConfig, namespace, retry = DEFAULT_K8S_RETRY }: K8sOptions): Deployments {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const watch = new Watch(kubeConfig);
  const server = kubeConfig.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';

  async function call<T>(
    verb: string,
    resource: string,
    name: string,
    doing: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const object = `${resource === 'replicasets' ? 'replicasets of deployment' : 'deployment'} ${namespace}/${name}`;
    const toError = (err: unknown) =>
      k8sError(err, { doing, verb, resource, group: 'apps', namespace, object, server });
    return withK8sRetry(retry, toError, fn);
  }

  const read = (name: string) =>
    call('get', 'deployments', name, `reading deployment ${namespace}/${name}`, () =>
      apps.readNamespacedDeployment({ name, namespace }),
    );

  const patch = (name: string, doing: string, body: object) =>
    call('patch', 'deployments', name, doing, () =>
      // fieldManager: our writes show up as "rollback-commander" in managedFields, anyone else's as theirs.
      apps.patchNamespacedDeployment({ name, namespace, body, fieldManager: FIELD_MANAGER }, strategicMerge()),
    );

  return {
    async get(name) {
      return snapshot(namespace, await read(name));
    },

    async setImages(name, images) {
      const current = snapshot(namespace, await read(name));
      const missing = images.filter((i) => !current.containers.some((c) => c.container === i.container));
      if (missing.length > 0) {
        throw new UserFacingError(
          'not_found',
          `while setting images on deployment ${namespace}/${name}: it has no container ${missing.map((m) => `"${m.container}"`).join(', ')} ` +
            `(its containers: ${current.containers.map((c) => c.container).join(', ')}): fix the container name in rollback.yml`,
        );
      }
      const changed = images.filter(
        (i) => current.containers.find((c) => c.container === i.container)?.image !== i.image,
      );
      // Nothing to change means nothing to send: a second click must not start a new rollout.
      if (changed.length === 0) return;
      const containers = changed.map((i) => ({ name: i.container, image: i.image }));
      await patch(name, `patching deployment ${namespace}/${name}`, { spec: { template: { spec: { containers } } } });
    },

    waitForRollout(name, options) {
      const toError = (err: unknown, verb: string, doing: string) =>
        k8sError(err, {
          doing,
          verb,
          resource: 'deployments',
          group: 'apps',
          namespace,
          object: `deployment ${namespace}/${name}`,
          server,
        });
      return waitForDeploymentRollout({ apps, watch, namespace, toError, retry }, name, options);
    },

    async history(name) {
      const deployment = await read(name);
      const uid = deployment.metadata?.uid;
      const labelSelector = selectorString(deployment.spec?.selector);
      const list = await call(
        'list',
        'replicasets',
        name,
        `listing the ReplicaSets of deployment ${namespace}/${name}`,
        () => apps.listNamespacedReplicaSet({ namespace, labelSelector }),
      );
      // The selector alone can match another Deployment's ReplicaSets: only ours are controlled by its uid.
      return list.items
        .filter((rs) => rs.metadata?.ownerReferences?.some((ref) => ref.controller === true && ref.uid === uid))
        .map(toRevision)
        .sort((a, b) => b.revision - a.revision);
    },

    async restart(name, at) {
      const restartedAt = at.toISOString().replace(/\.\d{3}Z$/, 'Z'); // RFC 3339, as kubectl writes it
      await patch(name, `restarting deployment ${namespace}/${name}`, {
        spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } },
      });
    },
  };
}

function snapshot(namespace: string, d: V1Deployment): DeploymentSnapshot {
  return {
    namespace,
    name: d.metadata?.name ?? '',
    uid: d.metadata?.uid ?? '',
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    paused: d.spec?.paused === true,
    replicas: d.spec?.replicas ?? 1,
    containers: withSetBy(images(d.spec?.template.spec?.containers), d),
  };
}

/** Who last set each image, when the managedFields say: `kubectl-set`, `argocd-controller`, `rollback-commander`. */
function withSetBy(containers: ContainerImage[], d: V1Deployment): ContainerImage[] {
  const managers = imageManagers(
    d.metadata?.managedFields,
    containers.map((c) => c.container),
  );
  return containers.map((c) => (managers[c.container] ? { ...c, setBy: managers[c.container] } : c));
}

function images(containers: { name: string; image?: string }[] | undefined): ContainerImage[] {
  return (containers ?? []).map((c) => ({ container: c.name, image: c.image ?? '' }));
}

function toRevision(rs: V1ReplicaSet): DeploymentRevision {
  const revision = Number(rs.metadata?.annotations?.[REVISION_ANNOTATION]);
  return {
    revision: Number.isFinite(revision) ? revision : 0,
    replicaSet: rs.metadata?.name ?? '',
    images: images(rs.spec?.template?.spec?.containers),
    createdAt: rs.metadata?.creationTimestamp ? new Date(rs.metadata.creationTimestamp).toISOString() : undefined,
  };
}

/** A LabelSelector in the query syntax: `app=api,tier in (web,api),!canary`. */
export function selectorString(selector: V1LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.join(',');
}
