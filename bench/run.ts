/**
 * `npm run bench`: every benchmark, each printed as a table of medians over several runs (the
 * machine is shared and noisy: a single run says little). BENCH_RUNS overrides the run count.
 */
import { benchRollout } from './rollout.ts';
import { type BenchTable, printTable } from './table.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const benches: [string, (runs: number) => Promise<BenchTable[]>][] = [
  ['rollout', benchRollout],
  ['slack-ack', async (r) => (await import('./slack-ack.ts')).benchSlackAck(r)],
  ['responder-loop', async (r) => (await import('./responder-loop.ts')).benchResponderLoop(r)],
  ['cli-start', async (r) => (await import('./cli-start.ts')).benchCliStart(r)],
];

process.stdout.write(`rollback-commander benchmarks — node ${process.version}, ${runs} runs each\n\n`);
for (const [name, bench] of benches) {
  const started = performance.now();
  for (const table of await bench(runs)) printTable(table);
  process.stdout.write(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);
}
