/**
 * `npm start` as the container and a terminal run it: ROLLBACK_MODE=worker serves its own
 * /healthz, /readyz and /metrics (the worker Deployment's probes), and SIGTERM to npm reaches
 * node — which drains and exits — instead of leaving node running as an orphan.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { testConfigYaml } from '../support/runbook-config.ts';
import { DATABASE_URL, dropTestState, REDIS_URL, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const schema = uniqueName('rc_start');
const prefix = uniqueName('rcstart');
let kube: FakeKube;
let npm: ChildProcess;
let output = '';
let tree: number[] = [];

beforeAll(async () => {
  kube = await startFakeKube();
  const dir = await mkdtemp(join(tmpdir(), 'rc-start-'));
  await writeFile(join(dir, 'rollback.yml'), testConfigYaml());
  npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      KUBECONFIG: kube.kubeconfigPath,
      ROLLBACK_CONFIG: join(dir, 'rollback.yml'),
      ROLLBACK_MODE: 'worker',
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
}, 60_000);

afterAll(async () => {
  // Whatever this test started and left behind (only when it failed).
  for (const pid of tree) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await kube?.close();
  await dropTestState(schema, prefix);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process and every descendant, from /proc (Linux). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    children = tasks.split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

it('ROLLBACK_MODE=worker serves /healthz, /readyz and /metrics, and not Slack', async () => {
  const started = await until(
    'the "rollback-commander started" log line',
    () => /"port":(\d+)[^\n]*rollback-commander started/.exec(output),
    45_000,
  );
  const base = `http://127.0.0.1:${started[1]}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const ready = await fetch(`${base}/readyz`);
  expect(await ready.json()).toEqual({
    ok: true,
    checks: [
      { name: 'postgres', ok: true },
      { name: 'redis', ok: true },
      { name: 'worker', ok: true },
    ],
  });
  expect(await (await fetch(`${base}/metrics`)).text()).toContain('# TYPE rollback_step_outcomes_total counter');
  expect((await fetch(`${base}/slack/events`, { method: 'POST' })).status).toBe(404);
}, 60_000);

it('SIGTERM to `npm start` stops node too: no orphan keeps running', async () => {
  tree = descendants(npm.pid!);
  const argv = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const node = tree.filter((pid) => argv(pid)[0]!.endsWith('node') && argv(pid).includes('src/app/main.ts'));
  expect(node).toHaveLength(1);
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  npm.kill('SIGTERM');
  await exited;
  await until(`node (pid ${node[0]}) to exit after npm did`, () => !alive(node[0]!), 15_000);
  expect(output).toContain('shutting down: draining running steps');
}, 30_000);
