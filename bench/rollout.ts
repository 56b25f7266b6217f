/**
 * Rollout benchmarks against the fake API server over real HTTP:
 * (a) three Deployments reverted in parallel should take about as long as the longest one, not
 *     the sum — the runbook's `kubectl rollout status` lines run one after another;
 * (b) how long after the cluster marks a rollout available the bot notices (target p99 ≤ 100 ms),
 *     since every step after revert_images waits on it.
 *
 *   node bench/rollout.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { createK8sDeployments } from '../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../src/adapters/k8s/kube-config.ts';
import { createRevertImages } from '../src/flows/steps/revert_images/index.ts';
import { type FakeKube, startFakeKube } from '../src/sim/kube/server.ts';
import { testConfig } from '../test/support/runbook-config.ts';
import { testContext } from '../test/support/step-context.ts';
import { type BenchTable, printTable } from './table.ts';

const ROLLOUT_MS = 1_000;
const PARALLEL_SLACK_MS = 500;
const DETECTION_TARGET_P99_MS = 100;
const NAMES = ['api', 'web', 'worker'];

export async function benchRollout(runs: number): Promise<BenchTable[]> {
  const kube = await startFakeKube({ rollout: { durationMs: ROLLOUT_MS } });
  try {
    return [await benchParallel(kube, runs), await benchDetection(kube, Math.max(60, runs * 20))];
  } finally {
    await kube.close();
  }
}

let namespaces = 0;

/** A fresh namespace with the three Deployments running v1, and the adapter scoped to it. */
function prepare(kube: FakeKube, replicas: number, durationMs: number) {
  const ns = `bench-${++namespaces}`;
  for (const name of NAMES) {
    kube.addDeployment({ namespace: ns, name, containers: [{ name, image: `${name}:v1` }], replicas });
    kube.setRolloutBehavior(ns, name, { mode: 'normal', durationMs });
  }
  return {
    ns,
    deployments: createK8sDeployments({ kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }), namespace: ns }),
  };
}

/** The revert_images step itself (record images, patch, watch all three), as the worker runs it. */
async function stepWallTime(kube: FakeKube): Promise<number> {
  const { deployments } = prepare(kube, 3, ROLLOUT_MS);
  const config = { ...testConfig(), deployments: NAMES.map((name) => ({ name, container: name, image: name })) };
  const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v0' } });
  const start = performance.now();
  await createRevertImages({ deployments }).run(ctx);
  return performance.now() - start;
}

async function benchParallel(kube: FakeKube, runs: number): Promise<BenchTable> {
  const walls: number[] = [];
  const sums: number[] = [];
  const steps: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    steps.push(await stepWallTime(kube));
    const { deployments } = prepare(kube, 3, ROLLOUT_MS);
    const start = performance.now();
    // Each Deployment's own time, setImages to detected: their sum is what one after another costs.
    const each = await Promise.all(
      NAMES.map(async (name) => {
        await deployments.setImages(name, [{ container: name, image: `${name}:v0` }]);
        await deployments.waitForRollout(name, { timeoutMs: 60_000 });
        return performance.now() - start;
      }),
    );
    walls.push(performance.now() - start);
    sums.push(each.reduce((a, b) => a + b, 0));
  }
  const wall = median(walls);
  const target = ROLLOUT_MS + PARALLEL_SLACK_MS;
  return {
    title: `(a) revert 3 Deployments in parallel, ${ROLLOUT_MS} ms simulated rollout each — median of ${runs} runs`,
    columns: ['measure', 'median ms', 'target', 'verdict'],
    rows: [
      [
        'revert_images step (engine executor), 3 Deployments',
        round(median(steps)),
        `≤ longest + ${PARALLEL_SLACK_MS} = ${target}`,
        median(steps) <= target ? 'ok' : 'MISS',
      ],
      [
        'wall time: setImages + waitForRollout, 3 in parallel',
        round(wall),
        `≤ longest + ${PARALLEL_SLACK_MS} = ${target}`,
        wall <= target ? 'ok' : 'MISS',
      ],
      ['longest simulated rollout', ROLLOUT_MS, '', ''],
      ['sum of the three (one after another)', round(median(sums)), '', ''],
      ['speed-up over one after another', round(median(sums) / wall, 2), '', ''],
    ],
  };
}

async function benchDetection(kube: FakeKube, rollouts: number): Promise<BenchTable> {
  const latencies: number[] = [];
  while (latencies.length < rollouts) {
    // Three at a time, as revert_images does; short rollouts keep the bench quick.
    const { ns, deployments } = prepare(kube, 1, 40);
    const batch = await Promise.all(
      NAMES.map(async (name) => {
        await deployments.setImages(name, [{ container: name, image: `${name}:v0` }]);
        await deployments.waitForRollout(name, { timeoutMs: 60_000 });
        const detected = performance.now();
        const available = kube.availableAt(ns, name);
        if (available === undefined) throw new Error(`the fake never marked ${ns}/${name} available`);
        return detected - available;
      }),
    );
    latencies.push(...batch);
  }
  const p99 = percentile(latencies, 99);
  return {
    title: `(b) rollout-complete detection latency (waitForRollout resolves − fake marks available), ${latencies.length} rollouts`,
    columns: ['measure', 'ms', 'target', 'verdict'],
    rows: [
      ['p50', round(percentile(latencies, 50), 2), '', ''],
      ['p99', round(p99, 2), `≤ ${DETECTION_TARGET_P99_MS}`, p99 <= DETECTION_TARGET_P99_MS ? 'ok' : 'MISS'],
      ['max', round(Math.max(...latencies), 2), '', ''],
    ],
  };
}

function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (import.meta.main) {
  const runs = Number(process.argv[2] ?? 5);
  for (const table of await benchRollout(runs)) printTable(table);
}
