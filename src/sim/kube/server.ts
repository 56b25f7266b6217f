/**
 * An in-repo fake Kubernetes API server over real HTTP, for @kubernetes/client-node to talk to
 * through an ordinary kubeconfig. It behaves like the real API for what the bot uses —
 * Deployments, ReplicaSets and Secrets (get, list with selectors, patch in three formats, put,
 * watch with 410s and server-side closes), SelfSubjectAccessReviews, and a deployment controller
 * that rolls pods out over time.
 *
 *   const kube = await startFakeKube();
 *   kube.addDeployment({ namespace: 'prod', name: 'api', containers: [{ name: 'api', image: 'app:v1' }], replicas: 3 });
 *   const kc = new KubeConfig(); kc.loadFromFile(kube.kubeconfigPath);
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitOpsSimulator } from './gitops.ts';
import type { GitOpsTiming, NewArgoApplication, NewFluxObject } from './gitops-objects.ts';
import { type AccessRule, createFakeKubeHttp, type RecordedRequest } from './http.ts';
import { trackManagedFields } from './managed-fields.ts';
import type { RoleGrant } from './rbac.ts';
import { createRolloutSimulator, type RolloutBehavior } from './simulator.ts';
import { createFakeKubeStore, type KubeObject } from './store.ts';
import { admit, type FakeDeployment, type FakeReplicaSet, revisionOf } from './workloads.ts';

export type { FakeDeployment, FakeReplicaSet, NewArgoApplication, NewFluxObject, RecordedRequest, RolloutBehavior };

export interface FakeKubeOptions {
  /** Default rollout behaviour for every Deployment (normal, 200 ms unless set). */
  rollout?: Partial<RolloutBehavior>;
  /** Close every watch after this long, as API servers do (their --min-request-timeout). */
  watchTimeoutMs?: number;
  /** How fast the simulated Argo CD / Flux controllers react (gitops.ts). */
  gitops?: Partial<GitOpsTiming>;
}

export interface NewDeployment {
  namespace: string;
  name: string;
  containers: { name: string; image: string }[];
  replicas?: number;
  paused?: boolean;
  /** Who created it, for `metadata.managedFields` (kubectl apply's name by default). */
  manager?: string;
  /** Extra metadata, e.g. what a GitOps controller or Helm puts on what it manages. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type FakeKube = Awaited<ReturnType<typeof startFakeKube>>;

export async function startFakeKube(options: FakeKubeOptions = {}) {
  const token = 'fake-kube-token';
  const store = createFakeKubeStore();
  const simulator = createRolloutSimulator(store, {
    mode: 'normal',
    durationMs: 200,
    deadlineMs: 300,
    ...options.rollout,
  });
  const gitops = createGitOpsSimulator(store, {
    selfHealDelayMs: 50,
    intervalDelayMs: 50,
    operationDelayMs: 20,
    ...options.gitops,
  });
  const http = createFakeKubeHttp(store, { token, watchTimeoutMs: options.watchTimeoutMs });
  const server = createServer((req, res) => void http.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfig(url, token));

  const deployment = (ns: string, name: string) => store.get('deployments', ns, name) as FakeDeployment | undefined;

  return {
    url,
    /** A kubeconfig file whose only context, `fake`, points here (http, insecure-skip-tls-verify). */
    kubeconfigPath,
    /** Every request received, in order: method, path, query, content type and parsed body. */
    requests: http.requests as RecordedRequest[],

    /** A running Deployment: revision 1 ReplicaSet, every replica available. */
    addDeployment(spec: NewDeployment): FakeDeployment {
      const labels = { app: spec.name };
      const object = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: spec.name,
          namespace: spec.namespace,
          labels: { ...labels, ...spec.labels },
          ...(spec.annotations ? { annotations: spec.annotations } : {}),
        },
        spec: {
          replicas: spec.replicas ?? 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: spec.containers } },
        },
      } as unknown as KubeObject;
      const manager = spec.manager ?? 'kubectl-client-side-apply';
      store.create('deployments', trackManagedFields(undefined, admit('deployments', object), manager));
      simulator.settle(spec.namespace, spec.name);
      if (spec.paused) {
        const created = deployment(spec.namespace, spec.name) as FakeDeployment;
        store.update('deployments', { ...created, spec: { ...created.spec, paused: true } });
        simulator.settle(spec.namespace, spec.name);
      }
      return deployment(spec.namespace, spec.name) as FakeDeployment;
    },
    deployment,
    /** ReplicaSets controlled by the Deployment, newest revision first. */
    replicaSets(ns: string, name: string): FakeReplicaSet[] {
      const d = deployment(ns, name);
      return d ? simulator.ownedReplicaSets(d).sort((a, b) => revisionOf(b) - revisionOf(a)) : [];
    },
    /** Deletes the Deployment, then (at once, so the name can be reused) the ReplicaSets it owned. */
    deleteDeployment(ns: string, name: string): void {
      const d = deployment(ns, name);
      store.remove('deployments', ns, name);
      for (const rs of d ? simulator.ownedReplicaSets(d) : []) store.remove('replicasets', ns, rs.metadata.name);
    },
    setRolloutBehavior(ns: string, name: string, behavior: Partial<RolloutBehavior>): void {
      simulator.setBehavior(ns, name, behavior);
    },
    /** Finish the Deployment's rollout now, whatever its behaviour. */
    completeRollout: simulator.complete,
    /** performance.now() when the simulator marked the latest rollout available; undefined while it runs. */
    availableAt: simulator.availableAt,

    addSecret(spec: { namespace: string; name: string; data: Record<string, string> }): void {
      const object = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: spec.name, namespace: spec.namespace },
        stringData: spec.data,
      };
      store.create('secrets', admit('secrets', object as unknown as KubeObject));
    },
    secret: (ns: string, name: string) => store.get('secrets', ns, name),
    /** Replaces a Secret's data (plain text in, base64 stored) and merges metadata, as a controller would. */
    updateSecret(
      ns: string,
      name: string,
      change: { data?: Record<string, string>; metadata?: Record<string, unknown> },
    ) {
      const current = store.get('secrets', ns, name);
      if (!current) throw new Error(`no secret ${ns}/${name} in the fake cluster`);
      const base64 = (v: string) => Buffer.from(v).toString('base64');
      const data = change.data && Object.fromEntries(Object.entries(change.data).map(([k, v]) => [k, base64(v)]));
      const metadata = { ...current.metadata, ...change.metadata };
      store.update('secrets', { ...current, metadata, ...(data ? { data } : {}) });
    },
    /** The Secret's data, base64-decoded. */
    secretData(ns: string, name: string): Record<string, string> | undefined {
      const data = store.get('secrets', ns, name)?.data as Record<string, string> | undefined;
      return (
        data && Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
      );
    },

    /** An Argo CD Application owning Deployments, with its Git history and sync policy (gitops.ts). */
    addArgoApplication: (spec: NewArgoApplication) => gitops.addArgoApplication(spec),
    /** A Flux Kustomization or HelmRelease owning Deployments. */
    addFluxObject: (spec: NewFluxObject) => gitops.addFluxObject(spec),
    /** A commit lands in the Application's Git: its head (status.sync.revision) moves. */
    pushCommit: gitops.pushCommit,
    setFluxImages: gitops.setFluxImages,
    /** What the simulated controller decided on each change to its Deployments ("argocd/shop-prod"). */
    gitopsDecisions: gitops.decisions,
    application: (ns: string, name: string) => store.get('applications', ns, name),
    kustomization: (ns: string, name: string) => store.get('kustomizations', ns, name),
    helmRelease: (ns: string, name: string) => store.get('helmreleases', ns, name),
    /** Changes an Argo CD Application or Flux object as a person with kubectl would (a merge of `spec`). */
    editSpec(
      resource: 'applications' | 'kustomizations' | 'helmreleases',
      ns: string,
      name: string,
      spec: Record<string, unknown>,
    ): void {
      const current = store.get(resource, ns, name);
      if (!current) throw new Error(`no ${resource} ${ns}/${name} in the fake cluster`);
      store.update(resource, { ...current, spec: { ...(current.spec as object), ...spec } });
    },

    /** RBAC: deny (or allow again) a verb on a resource, for requests and SelfSubjectAccessReviews alike. */
    setAccess(rule: AccessRule, allowed: boolean): void {
      http.setAccess(rule, allowed);
    },
    /**
     * RBAC from now on: only what the grant allows (Roles' rules in their namespace, see
     * rbac.ts), for requests and SelfSubjectAccessReviews alike; `setAccess` denials
     * still apply. null lifts it.
     */
    enforceRbac(grant: RoleGrant | RoleGrant[] | null, user?: string): void {
      http.enforceRbac(grant, user);
    },
    /** The next `count` requests fail with this HTTP status (503 by default). */
    failNextRequests(count: number, status = 503): void {
      http.failNextRequests(count, status);
    },
    /** Answer normally again (drops the faults not yet served). */
    clearFaults: () => http.clearFaults(),
    /** End every open watch now; with `{ code: 410 }` each first gets an ERROR event "too old resource version". */
    closeWatches: http.closeWatches,
    activeWatches: http.activeWatches,
    /** Drop the event history: a watch from an older resourceVersion now gets 410 Gone. */
    compact: store.compact,

    async close(): Promise<void> {
      simulator.close();
      gitops.close();
      http.closeWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function kubeconfig(server: string, token: string): string {
  // JSON is YAML; client-node refuses http:// unless insecure-skip-tls-verify is set (API_NOTES).
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
    'current-context': 'fake',
  });
}
