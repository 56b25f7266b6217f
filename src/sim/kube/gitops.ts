/**
 * A small GitOps reconciler for the fake cluster: Argo CD Applications and Flux Kustomizations /
 * HelmReleases that own Deployments and put their desired images back, as the real controllers do.
 * - Argo CD: with `spec.syncPolicy.automated` (and `enabled` not false) a new Git head is synced;
 *   with `selfHeal` a Deployment that drifts is re-synced after `selfHealDelayMs` (Argo's
 *   self-heal timeout). An `operation.sync.revision` written to the Application is run once:
 *   the images recorded for that revision are applied, `status.operationState` and a `history`
 *   entry written and the operation removed. `status.sync.revision` stays the Git head.
 * - Flux: unless `spec.suspend` is true, drift is corrected at the next interval
 *   (`intervalDelayMs`), and a new `reconcile.fluxcd.io/requestedAt` is handled at once.
 * Writes to Deployments carry the controllers' field managers (argocd-controller,
 * kustomize-controller, helm-controller), so `metadata.managedFields` names them.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  argoApplication,
  type DesiredImages,
  fluxObject,
  type GitOpsTiming,
  type NewArgoApplication,
  type NewFluxObject,
  type Owner,
  stamp,
} from './gitops-objects.ts';
import { trackManagedFields } from './managed-fields.ts';
import type { FakeKubeStore, KubeObject, StoreEvent } from './store.ts';
import type { FakeDeployment } from './workloads.ts';

const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

export type GitOpsSimulator = ReturnType<typeof createGitOpsSimulator>;

export function createGitOpsSimulator(store: FakeKubeStore, timing: GitOpsTiming) {
  const owners: Owner[] = [];
  /** Argo CD "Git": app key → revision → images, and the head. */
  const git = new Map<string, { commits: Map<string, DesiredImages>; head: string }>();
  /** Flux desired state: object key → images. */
  const fluxDesired = new Map<string, { images: DesiredImages; revision: string }>();
  const timers = new Set<NodeJS.Timeout>();
  /** What each controller decided when something changed: what a test waits on before a negative check. */
  const decisions: {
    controller: string;
    decision: 'heal scheduled' | 'auto-sync off' | 'in sync' | 'suspended' | 'reconcile scheduled';
  }[] = [];
  const decide = (o: Owner, decision: (typeof decisions)[number]['decision']) =>
    decisions.push({ controller: `${o.namespace}/${o.name}`, decision });
  const pending = new Set<string>();
  const keyOf = (o: { resource: string; namespace: string; name: string }) => `${o.resource}/${o.namespace}/${o.name}`;

  function later(key: string, ms: number, run: () => void): void {
    if (pending.has(key)) return;
    pending.add(key);
    const timer = setTimeout(() => {
      timers.delete(timer);
      pending.delete(key);
      run();
    }, ms);
    timers.add(timer);
  }

  const read = (o: Owner) => store.get(o.resource, o.namespace, o.name);

  function desiredOf(o: Owner, revision?: string): DesiredImages | undefined {
    if (o.resource === 'applications') {
      const repo = git.get(keyOf(o));
      return repo?.commits.get(revision ?? repo.head);
    }
    return fluxDesired.get(keyOf(o))?.images;
  }

  function drifted(o: Owner, desired: DesiredImages): boolean {
    return o.deployments.some((name) => {
      const d = store.get('deployments', o.targetNamespace, name) as FakeDeployment | undefined;
      const want = desired[name] ?? {};
      return (
        d !== undefined &&
        Object.entries(want).some(
          ([c, image]) => d.spec.template.spec.containers.find((x) => x.name === c)?.image !== image,
        )
      );
    });
  }

  /** Applies the images as the controller would (its own field manager); true when something changed. */
  function apply(o: Owner, desired: DesiredImages): void {
    for (const name of o.deployments) {
      const d = store.get('deployments', o.targetNamespace, name) as FakeDeployment | undefined;
      const want = desired[name];
      if (!d || !want) continue;
      const containers = d.spec.template.spec.containers.map((c) =>
        want[c.name] ? { ...c, image: want[c.name]! } : c,
      );
      if (isDeepStrictEqual(containers, d.spec.template.spec.containers)) continue;
      const next = {
        ...d,
        spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers } } },
      };
      store.update('deployments', trackManagedFields(d, next as KubeObject, o.manager));
    }
  }

  function argoAutomated(app: KubeObject | undefined): { selfHeal: boolean } | null {
    const automated = (
      app?.spec as { syncPolicy?: { automated?: { selfHeal?: boolean; enabled?: boolean } } } | undefined
    )?.syncPolicy?.automated;
    if (!automated || automated.enabled === false) return null;
    return { selfHeal: automated.selfHeal === true };
  }

  const suspended = (object: KubeObject | undefined) =>
    (object?.spec as { suspend?: boolean } | undefined)?.suspend === true;

  /** Runs a sync of `revision` now: images applied, operationState and history written. */
  function runSync(o: Owner, revision: string, initiatedBy: Record<string, unknown>, operation?: unknown): void {
    const app = read(o);
    if (!app) return;
    const desired = desiredOf(o, revision);
    const status = structuredClone((app.status ?? {}) as Record<string, unknown>);
    const source = structuredClone((app.spec as { source?: unknown }).source ?? {});
    const started = stamp();
    if (desired) apply(o, desired);
    const history = ((status.history as { id: number }[] | undefined) ?? []).slice();
    if (desired) {
      history.push({
        id: Math.max(-1, ...history.map((h) => h.id)) + 1,
        revision,
        deployedAt: stamp(),
        deployStartedAt: started,
        source,
        initiatedBy,
      } as never);
    }
    status.history = history;
    status.operationState = {
      operation: operation ?? { sync: { revision }, initiatedBy },
      phase: desired ? 'Succeeded' : 'Failed',
      message: desired
        ? 'successfully synced (all tasks run)'
        : `revision ${revision} must be resolved: unable to resolve '${revision}' to a commit SHA`,
      ...(desired ? { syncResult: { revision, source } } : {}),
      startedAt: started,
      finishedAt: stamp(),
    };
    const head = git.get(keyOf(o))?.head;
    status.sync = { status: !desired || drifted(o, desiredOf(o)!) ? 'OutOfSync' : 'Synced', revision: head };
    const { operation: _done, ...rest } = read(o)!;
    store.update('applications', { ...rest, status } as KubeObject);
  }

  function onArgoEvent(o: Owner, app: KubeObject): void {
    const operation = app.operation as
      | { sync?: { revision?: string }; initiatedBy?: Record<string, unknown> }
      | undefined;
    if (operation?.sync) {
      const revision = operation.sync.revision ?? git.get(keyOf(o))!.head;
      later(`${keyOf(o)}#op`, timing.operationDelayMs, () =>
        runSync(o, revision, operation.initiatedBy ?? {}, operation),
      );
      return;
    }
    autoSync(o, app);
  }

  /** Auto-sync: a head not yet deployed is synced; with self-heal, drift from the head is too. */
  function autoSync(o: Owner, app: KubeObject | undefined, delayMs = timing.selfHealDelayMs): void {
    const automated = argoAutomated(app);
    if (!automated) return void decide(o, 'auto-sync off');
    const repo = git.get(keyOf(o))!;
    const history = (app?.status as { history?: { revision: string }[] } | undefined)?.history ?? [];
    const newHead = history.at(-1)?.revision !== repo.head;
    if (!newHead && !(automated.selfHeal && drifted(o, repo.commits.get(repo.head)!))) return void decide(o, 'in sync');
    decide(o, 'heal scheduled');
    later(`${keyOf(o)}#auto`, delayMs, () => {
      const latest = read(o);
      if (!argoAutomated(latest) || latest?.operation) return;
      runSync(o, repo.head, { username: 'automated-sync', automated: true });
    });
  }

  function fluxReconcile(o: Owner, delayMs: number): void {
    later(`${keyOf(o)}#reconcile`, delayMs, () => {
      const object = read(o);
      if (!object || suspended(object)) return;
      const desired = fluxDesired.get(keyOf(o))!;
      apply(o, desired.images);
      const requested = object.metadata.annotations?.[REQUESTED_AT];
      const status = {
        ...(object.status as object),
        lastAppliedRevision: desired.revision,
        ...(requested ? { lastHandledReconcileAt: requested } : {}),
      };
      store.update(o.resource, { ...object, status } as KubeObject);
    });
  }

  function onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED') return;
    const object = event.object;
    if (event.resource === 'deployments') {
      for (const o of owners.filter(
        (x) => x.targetNamespace === object.metadata.namespace && x.deployments.includes(object.metadata.name),
      )) {
        if (o.resource === 'applications') autoSync(o, read(o));
        else if (suspended(read(o))) decide(o, 'suspended');
        else if (drifted(o, desiredOf(o)!)) {
          decide(o, 'reconcile scheduled');
          fluxReconcile(o, timing.intervalDelayMs);
        } else decide(o, 'in sync');
      }
      return;
    }
    const o = owners.find(
      (x) =>
        x.resource === event.resource && x.namespace === object.metadata.namespace && x.name === object.metadata.name,
    );
    if (!o) return;
    if (o.resource === 'applications') {
      // Deferred, as a controller reacts after the write's response.
      setImmediate(() => {
        const latest = read(o);
        if (latest) onArgoEvent(o, latest);
      });
      return;
    }
    const requested = object.metadata.annotations?.[REQUESTED_AT];
    const handled = (object.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt;
    if (!suspended(object) && requested && requested !== handled) fluxReconcile(o, 0);
    else if (!suspended(object) && drifted(o, desiredOf(o)!)) fluxReconcile(o, timing.intervalDelayMs);
  }

  const unsubscribe = store.subscribe(onEvent);

  return {
    addArgoApplication(spec: NewArgoApplication): KubeObject {
      const { owner, head, object } = argoApplication(spec);
      git.set(keyOf(owner), { commits: new Map(spec.commits.map((c) => [c.revision, c.images])), head });
      owners.push(owner);
      return store.create('applications', object);
    },

    addFluxObject(spec: NewFluxObject): KubeObject {
      const { owner, revision, object } = fluxObject(spec);
      fluxDesired.set(keyOf(owner), { images: spec.images, revision });
      owners.push(owner);
      return store.create(owner.resource, object);
    },

    /** A commit lands in Git (a revert, or the next release): the Application's head moves. */
    pushCommit(namespace: string, name: string, commit: { revision: string; images: DesiredImages }): void {
      const o = owners.find((x) => x.resource === 'applications' && x.namespace === namespace && x.name === name);
      const repo = o && git.get(keyOf(o));
      if (!o || !repo) throw new Error(`no Application ${namespace}/${name} in the fake`);
      repo.commits.set(commit.revision, commit.images);
      repo.head = commit.revision;
      const app = read(o)!;
      const status = {
        ...(app.status as object),
        sync: { status: drifted(o, commit.images) ? 'OutOfSync' : 'Synced', revision: commit.revision },
      };
      store.update('applications', { ...app, status } as KubeObject);
    },

    /** Flux's source changed: what the Kustomization/HelmRelease would apply next. */
    setFluxImages(
      resource: 'kustomizations' | 'helmreleases',
      namespace: string,
      name: string,
      images: DesiredImages,
      revision: string,
    ): void {
      fluxDesired.set(`${resource}/${namespace}/${name}`, { images, revision });
    },

    /** Decisions a controller made on changes to its Deployments, oldest first ("argocd/shop-prod"). */
    decisions: (controller: string) => decisions.filter((d) => d.controller === controller).map((d) => d.decision),

    close(): void {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
