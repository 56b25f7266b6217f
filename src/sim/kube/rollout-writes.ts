/**
 * The writes the fake deployment controller makes: a new ReplicaSet for a template, the counts of
 * each step of a rolling update, a paused or timed-out Deployment's status, and the finished state.
 * Each is a store write, so watchers see what they would see on a cluster.
 */
import type { FakeKubeStore } from './store.ts';
import {
  condition,
  type FakeDeployment,
  type FakeReplicaSet,
  POD_TEMPLATE_HASH,
  REVISION_ANNOTATION,
  revisionOf,
  sameTemplate,
  templateHash,
} from './workloads.ts';

/** Pods of the new and the old ReplicaSets at one step of a rolling update. */
export interface Counts {
  newReplicas: number;
  newAvailable: number;
  oldReplicas: number;
}

/** A paused Deployment gets no new ReplicaSet: pods of the new template count as updated, i.e. none. */
export function observePaused(store: FakeKubeStore, d: FakeDeployment, owned: FakeReplicaSet[]): void {
  const sum = (rss: FakeReplicaSet[], field: 'replicas' | 'availableReplicas') =>
    rss.reduce((total, rs) => total + (rs.status?.[field] ?? 0), 0);
  const updated = owned.filter((rs) => sameTemplate(rs.spec.template, d.spec.template));
  writeDeployment(store, d, {
    observedGeneration: d.metadata.generation,
    replicas: sum(owned, 'replicas'),
    updatedReplicas: sum(updated, 'replicas'),
    readyReplicas: sum(owned, 'availableReplicas'),
    availableReplicas: sum(owned, 'availableReplicas'),
    conditions: [
      ...(d.status?.conditions ?? []).filter((c) => c.type !== 'Progressing'),
      condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'),
    ],
  });
}

export function createReplicaSet(store: FakeKubeStore, d: FakeDeployment, revision: string): FakeReplicaSet {
  const hash = templateHash(d.spec.template);
  const labels = { ...d.spec.template.metadata?.labels, [POD_TEMPLATE_HASH]: hash };
  // Like the controller's collisionCount: never take over a name someone else's ReplicaSet has.
  let name = `${d.metadata.name}-${hash}`;
  for (let n = 1; store.get('replicasets', d.metadata.namespace, name); n += 1) name = `${d.metadata.name}-${hash}${n}`;
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: d.metadata.namespace,
      labels,
      annotations: { [REVISION_ANNOTATION]: revision },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name,
          uid: d.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash } },
      template: { ...structuredClone(d.spec.template), metadata: { ...d.spec.template.metadata, labels } },
    },
    status: { replicas: 0, readyReplicas: 0, availableReplicas: 0 },
  };
  return store.create('replicasets', rs as unknown as FakeReplicaSet) as FakeReplicaSet;
}

export function progress(
  store: FakeKubeStore,
  d: FakeDeployment,
  current: FakeReplicaSet,
  old: FakeReplicaSet[],
  counts: Counts,
): void {
  scale(store, current, counts.newReplicas, counts.newAvailable);
  let remaining = counts.oldReplicas;
  for (const rs of old) {
    const keep = Math.min(rs.spec.replicas, remaining);
    remaining -= keep;
    scale(store, rs, keep, keep);
  }
  const available = counts.newAvailable + counts.oldReplicas;
  const message = `ReplicaSet "${current.metadata.name}" is progressing.`;
  writeDeployment(
    store,
    d,
    {
      observedGeneration: d.metadata.generation,
      replicas: counts.newReplicas + counts.oldReplicas,
      updatedReplicas: counts.newReplicas,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, d.spec.replicas - available),
      conditions: [
        // maxUnavailable 25%, the default strategy's.
        available >= d.spec.replicas - Math.floor(d.spec.replicas / 4)
          ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition(
              'Available',
              'False',
              'MinimumReplicasUnavailable',
              'Deployment does not have minimum availability.',
            ),
        condition('Progressing', 'True', 'ReplicaSetUpdated', message),
      ],
    },
    revisionOf(current),
  );
}

export function exceedDeadline(store: FakeKubeStore, d: FakeDeployment, current: FakeReplicaSet): void {
  const message = `ReplicaSet "${current.metadata.name}" has timed out progressing.`;
  const others = (d.status?.conditions ?? []).filter((c) => c.type !== 'Progressing');
  writeDeployment(store, d, {
    ...d.status,
    conditions: [...others, condition('Progressing', 'False', 'ProgressDeadlineExceeded', message)],
  });
}

export function finishRollout(
  store: FakeKubeStore,
  d: FakeDeployment,
  current: FakeReplicaSet,
  old: FakeReplicaSet[],
): void {
  const replicas = d.spec.replicas;
  scale(store, current, replicas, replicas);
  for (const rs of old) scale(store, rs, 0, 0);
  writeDeployment(
    store,
    d,
    {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${current.metadata.name}" has successfully progressed.`,
        ),
      ],
    },
    revisionOf(current),
  );
}

function scale(store: FakeKubeStore, rs: FakeReplicaSet, replicas: number, available: number): void {
  const latest = store.get('replicasets', rs.metadata.namespace, rs.metadata.name) as FakeReplicaSet | undefined;
  if (!latest || (latest.spec.replicas === replicas && latest.status?.availableReplicas === available)) return;
  latest.spec.replicas = replicas;
  latest.status = { replicas, readyReplicas: available, availableReplicas: available };
  store.update('replicasets', latest);
}

export function writeDeployment(
  store: FakeKubeStore,
  d: FakeDeployment,
  status: FakeDeployment['status'],
  revision?: number,
): void {
  const annotations = revision
    ? { ...d.metadata.annotations, [REVISION_ANNOTATION]: String(revision) }
    : d.metadata.annotations;
  store.update('deployments', { ...d, metadata: { ...d.metadata, annotations }, status });
}
