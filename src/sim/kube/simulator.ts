/**
 * A small deployment controller. When a Deployment's spec changes it finds or creates the
 * ReplicaSet for the pod template (reusing an old one bumps its revision to max+1, like a real
 * rollback), then walks the status through a rolling update in steps — each step a write, so a
 * watch sees what it would see on a cluster — and finally marks the Deployment available.
 */
import { performance } from 'node:perf_hooks';
import {
  type Counts,
  createReplicaSet,
  exceedDeadline,
  finishRollout,
  observePaused,
  progress,
  writeDeployment,
} from './rollout-writes.ts';
import type { FakeKubeStore } from './store.ts';
import {
  type FakeDeployment,
  type FakeReplicaSet,
  REVISION_ANNOTATION,
  revisionOf,
  sameTemplate,
} from './workloads.ts';

export interface RolloutBehavior {
  /** normal: available after durationMs; deadline: ProgressDeadlineExceeded after deadlineMs; stuck: never available. */
  mode: 'normal' | 'deadline' | 'stuck';
  durationMs: number;
  deadlineMs: number;
}

export type RolloutSimulator = ReturnType<typeof createRolloutSimulator>;

export function createRolloutSimulator(store: FakeKubeStore, defaults: RolloutBehavior) {
  const behaviors = new Map<string, RolloutBehavior>();
  const timers = new Map<string, NodeJS.Timeout[]>();
  const availableAt = new Map<string, number>();
  const keyOf = (ns: string, name: string) => `${ns}/${name}`;

  const unsubscribe = store.subscribe((event) => {
    if (event.resource !== 'deployments') return;
    const d = event.object as FakeDeployment;
    // Deferred, as a controller reacts after the write's response, and so nested writes don't
    // reach other watchers before the event that caused them.
    if (event.type === 'DELETED') setImmediate(() => collectGarbage(d));
    else if (needsSync(d)) setImmediate(() => sync(d.metadata.namespace, d.metadata.name));
  });

  function cancel(key: string): void {
    for (const timer of timers.get(key) ?? []) clearTimeout(timer);
    timers.delete(key);
  }

  function schedule(key: string, atMs: number, step: () => void): void {
    const timer = setTimeout(step, atMs);
    timers.set(key, [...(timers.get(key) ?? []), timer]);
  }

  function read(ns: string, name: string): FakeDeployment | undefined {
    return store.get('deployments', ns, name) as FakeDeployment | undefined;
  }

  function ownedReplicaSets(d: FakeDeployment): FakeReplicaSet[] {
    return (store.list('replicasets', d.metadata.namespace) as FakeReplicaSet[]).filter((rs) =>
      rs.metadata.ownerReferences?.some((ref) => ref.controller && ref.uid === d.metadata.uid),
    );
  }

  function collectGarbage(d: FakeDeployment): void {
    cancel(keyOf(d.metadata.namespace, d.metadata.name));
    for (const rs of ownedReplicaSets(d)) store.remove('replicasets', rs.metadata.namespace, rs.metadata.name);
  }

  /** Reacts to a spec change: observe it, then roll (or just note that the Deployment is paused). */
  function sync(ns: string, name: string, instant = false): void {
    const d = read(ns, name);
    if (!d || !needsSync(d)) return;
    const key = keyOf(ns, name);
    cancel(key);
    if (d.spec.paused) {
      observePaused(store, d, ownedReplicaSets(d));
      return;
    }
    const { current, old, rolling } = ensureReplicaSet(d);
    if (instant || !rolling) {
      finish(d, current, old);
      return;
    }
    availableAt.delete(key);
    roll(d, current, old, behaviors.get(key) ?? defaults);
  }

  function ensureReplicaSet(d: FakeDeployment): { current: FakeReplicaSet; old: FakeReplicaSet[]; rolling: boolean } {
    const owned = ownedReplicaSets(d);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    const match = owned.find((rs) => sameTemplate(rs.spec.template, d.spec.template));
    const old = owned.filter((rs) => rs !== match);
    const oldRunning = old.some((rs) => rs.spec.replicas > 0);
    if (match && revisionOf(match) === maxRevision) return { current: match, old, rolling: oldRunning };
    const revision = String(maxRevision + 1);
    if (match) {
      // A rollback reuses the old ReplicaSet and renumbers it: "previous revision" moves.
      const annotations = { ...match.metadata.annotations, [REVISION_ANNOTATION]: revision };
      const current = store.update('replicasets', { ...match, metadata: { ...match.metadata, annotations } });
      return { current: current as FakeReplicaSet, old, rolling: true };
    }
    return { current: createReplicaSet(store, d, revision), old, rolling: true };
  }

  /** Plans the rolling update: new pods come up one by one, then the old ones go, then all are available. */
  function roll(d: FakeDeployment, current: FakeReplicaSet, old: FakeReplicaSet[], behavior: RolloutBehavior): void {
    const key = keyOf(d.metadata.namespace, d.metadata.name);
    const replicas = d.spec.replicas;
    const oldReplicas = old.reduce((sum, rs) => sum + rs.spec.replicas, 0);
    const states: Counts[] = [];
    // maxSurge 1, maxUnavailable 0: one new pod at a time; an old one goes as each new one is ready.
    for (let k = 1; k <= replicas; k += 1) {
      states.push({ newReplicas: k, newAvailable: k - 1, oldReplicas: Math.max(0, oldReplicas - (k - 1)) });
    }
    if (oldReplicas > 0) states.push({ newReplicas: replicas, newAvailable: replicas - 1, oldReplicas: 0 });
    const generation = d.metadata.generation;
    const step = (apply: (d: FakeDeployment) => void) => () => {
      const latest = read(d.metadata.namespace, d.metadata.name);
      if (latest && latest.metadata.generation === generation) apply(latest);
    };
    const first = states[0];
    if (behavior.mode !== 'normal') {
      if (first) progress(store, d, current, old, first);
      else writeDeployment(store, d, { ...d.status, observedGeneration: generation });
      if (behavior.mode === 'deadline')
        schedule(
          key,
          behavior.deadlineMs,
          step((latest) => exceedDeadline(store, latest, current)),
        );
      return;
    }
    const [head, ...rest] = states;
    if (!head) {
      finish(d, current, old);
      return;
    }
    progress(store, d, current, old, head);
    const interval = behavior.durationMs / states.length;
    const later = rest.map((counts, i) => ({
      atMs: (i + 1) * interval,
      run: step((latest) => progress(store, latest, current, old, counts)),
    }));
    scheduleInOrder(key, [
      ...later,
      { atMs: behavior.durationMs, run: step((latest) => finish(latest, current, old)) },
    ]);
  }

  /**
   * Runs the steps one after another at their offsets from now. Not one timer each: Node runs due
   * timers list by list (one list per delay), so after a stall the 20 ms "finish" can run before
   * the 10 ms step, which then writes "0 of 1 available" over the finished rollout for good.
   */
  function scheduleInOrder(key: string, steps: { atMs: number; run: () => void }[]): void {
    const start = performance.now();
    const next = (i: number) => {
      const due = steps[i];
      if (!due) return;
      schedule(key, Math.max(0, start + due.atMs - performance.now()), () => {
        due.run();
        next(i + 1);
      });
    };
    next(0);
  }

  function finish(d: FakeDeployment, current: FakeReplicaSet, old: FakeReplicaSet[]): void {
    finishRollout(store, d, current, old);
    availableAt.set(keyOf(d.metadata.namespace, d.metadata.name), performance.now());
  }

  return {
    setBehavior(ns: string, name: string, behavior: Partial<RolloutBehavior>): void {
      behaviors.set(keyOf(ns, name), { ...(behaviors.get(keyOf(ns, name)) ?? defaults), ...behavior });
    },
    /** Roll out at once, with no intermediate steps (a Deployment that is already running). */
    settle(ns: string, name: string): void {
      sync(ns, name, true);
    },
    /** Finish the rollout in progress now, whatever its behaviour. */
    complete(ns: string, name: string): void {
      const d = read(ns, name);
      if (!d) throw new Error(`no deployment ${ns}/${name} in the fake`);
      cancel(keyOf(ns, name));
      const { current, old } = ensureReplicaSet(d);
      finish(d, current, old);
    },
    availableAt: (ns: string, name: string): number | undefined => availableAt.get(keyOf(ns, name)),
    ownedReplicaSets,
    close(): void {
      unsubscribe();
      for (const key of [...timers.keys()]) cancel(key);
    },
  };
}

function needsSync(d: FakeDeployment): boolean {
  return (d.metadata.generation ?? 0) > (d.status?.observedGeneration ?? 0);
}
