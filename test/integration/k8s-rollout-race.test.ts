/**
 * The fake cluster's rollout simulator on a stalled event loop (a loaded 2-core CI machine): its
 * steps must land in order, or a finished rollout is overwritten with an earlier state and
 * `rollout status` waits for a rollout that will never move again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutStatus } from '../../src/domain/rollout-status.ts';
import { createRolloutSimulator, type RolloutSimulator } from '../../src/sim/kube/simulator.ts';
import { createFakeKubeStore, type FakeKubeStore, type KubeObject } from '../../src/sim/kube/store.ts';
import { admit, type FakeDeployment } from '../../src/sim/kube/workloads.ts';

const NS = 'prod';
const NAME = 'worker';
const DURATION_MS = 100;
let simulator: RolloutSimulator | undefined;

afterEach(() => simulator?.close());

/** Blocks the event loop, as a CPU-starved process is blocked. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

function addWorker(store: FakeKubeStore, image: string): void {
  const labels = { app: NAME };
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: NS, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: NAME, image }] } },
    },
  } as unknown as KubeObject;
  store.create('deployments', admit('deployments', object));
}

function setImage(store: FakeKubeStore, image: string): void {
  const d = store.get('deployments', NS, NAME) as FakeDeployment;
  const containers = [{ name: NAME, image }];
  store.update('deployments', { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { containers } } } });
}

/** What `kubectl rollout status` prints for each write to the Deployment, until the first "done". */
function watchStatuses(store: FakeKubeStore): { messages: string[]; done: Promise<void> } {
  const messages: string[] = [];
  const { promise: done, resolve } = Promise.withResolvers<void>();
  store.subscribe((event) => {
    if (event.resource !== 'deployments') return;
    const status = rolloutStatus(event.object as FakeDeployment);
    if (messages.at(-1) !== status.message) messages.push(status.message);
    if (status.done) resolve();
  });
  return { messages, done };
}

describe('fake cluster rollout simulator', () => {
  it('keeps a rollout finished when its step timers all come due together and Node runs the later one first', async () => {
    const store = createFakeKubeStore();
    simulator = createRolloutSimulator(store, { mode: 'normal', durationMs: DURATION_MS, deadlineMs: 1_000 });
    addWorker(store, 'worker:v1');
    simulator.settle(NS, NAME);
    const { messages, done } = watchStatuses(store);

    // Node runs due timers list by list, one list per delay, oldest list first: an older 100 ms
    // timer puts the 100 ms list ("finish") ahead of the 50 ms list (the middle step) ...
    const older = setTimeout(() => undefined, DURATION_MS);
    stall(DURATION_MS * 0.6);
    setImage(store, 'worker:v2');
    // ... once a stall after the simulator planned the rollout (its own setImmediate, queued
    // first) makes both due at the same time.
    setImmediate(() => stall(DURATION_MS * 1.2));
    await done;
    // Whatever else was due ran in the same timers phase, before this check phase.
    await new Promise((resolve) => setImmediate(resolve));
    clearTimeout(older);

    expect(messages).toEqual([
      'Waiting for deployment spec update to be observed...',
      'Waiting for deployment "worker" rollout to finish: 1 old replicas are pending termination...',
      'Waiting for deployment "worker" rollout to finish: 0 of 1 updated replicas are available...',
      'deployment "worker" successfully rolled out',
    ]);
    expect(rolloutStatus(store.get('deployments', NS, NAME) as FakeDeployment).done).toBe(true);
  });
});
