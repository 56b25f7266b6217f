/**
 * The fake API server's "etcd": objects per resource and namespace, one global resourceVersion
 * counter, and an event history that watches replay from a resourceVersion — until `compact()`
 * drops it, after which an older resourceVersion is "too old" (410), as after etcd compaction.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

export type Resource =
  | 'deployments'
  | 'replicasets'
  | 'secrets'
  // GitOps controllers' custom resources (gitops-crds.ts): Argo CD and Flux.
  | 'applications'
  | 'kustomizations'
  | 'helmreleases';

export const RESOURCES: Record<Resource, { group: string; apiVersion: string; kind: string }> = {
  deployments: { group: 'apps', apiVersion: 'apps/v1', kind: 'Deployment' },
  replicasets: { group: 'apps', apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  secrets: { group: '', apiVersion: 'v1', kind: 'Secret' },
  applications: { group: 'argoproj.io', apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' },
  kustomizations: {
    group: 'kustomize.toolkit.fluxcd.io',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
  },
  helmreleases: { group: 'helm.toolkit.fluxcd.io', apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
};

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: Resource;
  object: KubeObject;
  resourceVersion: number;
}

/** An API error the HTTP layer turns into a `Status` object, like the real API server's. */
export class KubeStatusError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

export function notFound(resource: Resource, name: string): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', `${qualified(resource)} "${name}" not found`);
}

/** "deployments.apps", "secrets": how the API server names a resource in messages. */
export function qualified(resource: Resource): string {
  const { group } = RESOURCES[resource];
  return group ? `${resource}.${group}` : resource;
}

export type FakeKubeStore = ReturnType<typeof createFakeKubeStore>;

export function createFakeKubeStore() {
  const objects = new Map<string, KubeObject>();
  const history: StoreEvent[] = [];
  const listeners = new Set<(event: StoreEvent) => void>();
  let revision = 1;
  let compactedAt = 0;

  const key = (resource: Resource, namespace: string, name: string) => `${resource}/${namespace}/${name}`;

  function record(type: WatchEventType, resource: Resource, object: KubeObject): KubeObject {
    const event = { type, resource, object: structuredClone(object), resourceVersion: revision };
    history.push(event);
    for (const listener of listeners) listener(event);
    return structuredClone(object);
  }

  return {
    resourceVersion: () => revision,

    get(resource: Resource, namespace: string, name: string): KubeObject | undefined {
      const found = objects.get(key(resource, namespace, name));
      return found && structuredClone(found);
    },

    list(resource: Resource, namespace: string): KubeObject[] {
      const prefix = `${resource}/${namespace}/`;
      return [...objects.entries()]
        .filter(([k]) => k.startsWith(prefix))
        .map(([, o]) => structuredClone(o))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    },

    create(resource: Resource, input: KubeObject): KubeObject {
      const { namespace, name } = input.metadata;
      if (objects.has(key(resource, namespace, name))) {
        throw new KubeStatusError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`);
      }
      revision += 1;
      const object = structuredClone(input);
      object.metadata = {
        ...object.metadata,
        uid: randomUUID(),
        resourceVersion: String(revision),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      if (resource !== 'secrets') object.metadata.generation = 1;
      objects.set(key(resource, namespace, name), object);
      return record('ADDED', resource, object);
    },

    /** Replaces an object; like the API server, only a change to `spec` bumps `metadata.generation`. */
    update(resource: Resource, input: KubeObject): KubeObject {
      const { namespace, name } = input.metadata;
      const current = objects.get(key(resource, namespace, name));
      if (!current) throw notFound(resource, name);
      revision += 1;
      const object = structuredClone(input);
      object.metadata = {
        ...object.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: String(revision),
      };
      if (current.metadata.generation !== undefined) {
        const changed = !isDeepStrictEqual(current.spec, object.spec);
        object.metadata.generation = current.metadata.generation + (changed ? 1 : 0);
      }
      objects.set(key(resource, namespace, name), object);
      return record('MODIFIED', resource, object);
    },

    remove(resource: Resource, namespace: string, name: string): KubeObject {
      const current = objects.get(key(resource, namespace, name));
      if (!current) throw notFound(resource, name);
      objects.delete(key(resource, namespace, name));
      revision += 1;
      current.metadata.resourceVersion = String(revision);
      return record('DELETED', resource, current);
    },

    /** Events after `resourceVersion`, or 'expired' when compaction dropped some of them. */
    eventsSince(resourceVersion: number): StoreEvent[] | 'expired' {
      if (resourceVersion < compactedAt) return 'expired';
      return history.filter((e) => e.resourceVersion > resourceVersion);
    },

    /** Forget the event history: a watch from any older resourceVersion now gets 410 Gone. */
    compact(): number {
      history.length = 0;
      compactedAt = revision;
      return compactedAt;
    },

    subscribe(listener: (event: StoreEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
