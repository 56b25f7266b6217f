/**
 * CLI start-up (issue 10 §4): wall time of `--help` and of `status` on an empty incident table,
 * each a fresh `node src/app/cli.ts` process as an operator runs it. Target: ≤ 1 s each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testConfigYaml } from '../test/support/runbook-config.ts';
import { DATABASE_URL, dropTestState, REDIS_URL, uniqueName } from '../test/support/services.ts';
import { median } from './support-stats.ts';
import type { BenchTable } from './table.ts';

const CLI = new URL('../src/app/cli.ts', import.meta.url).pathname;

export async function benchCliStart(runs: number): Promise<BenchTable[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rc-bench-cli-'));
  const config = join(dir, 'rollback.yml');
  writeFileSync(config, testConfigYaml());
  const schema = uniqueName('rc_bench_cli');
  const prefix = uniqueName('rcbenchcli');
  // No KUBECONFIG, GitHub or Slack: status needs only the database.
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ROLLBACK_CONFIG: config,
  };
  const time = (args: string[]) => {
    const began = performance.now();
    // status of an unknown incident exits 1 after the whole start-up: what is measured.
    try {
      execFileSync(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
    } catch {
      /* exit 1 expected for status */
    }
    return performance.now() - began;
  };
  time(['list']); // creates the schema once, so runs measure start-up, not the first migration
  const rows: (string | number)[][] = [];
  for (const [label, args] of [
    ['--help', ['--help']],
    ['status rb-0', ['status', 'rb-0']],
  ] as const) {
    const ms = Array.from({ length: runs }, () => time([...args]));
    rows.push([label, Math.round(median(ms)), Math.round(Math.max(...ms)), 1000]);
  }
  await dropTestState(schema, prefix);
  return [
    {
      title: `CLI start-up: wall ms per process (${runs} runs)`,
      columns: ['command', 'median ms', 'max ms', 'target ms'],
      rows,
    },
  ];
}

if (import.meta.main) {
  const { printTable } = await import('./table.ts');
  for (const table of await benchCliStart(Number(process.env.BENCH_RUNS ?? 5))) printTable(table);
  process.exit(0);
}
