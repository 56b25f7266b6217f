/**
 * A worker process killed (SIGKILL) in the middle of revert_images: after a new worker starts,
 * BullMQ hands it the stalled job, the step resumes from its checkpoint and completes, each
 * Deployment was patched exactly once, and the timeline shows the resume with no gap.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { DATABASE_URL } from '../support/services.ts';
import { until } from '../support/wait.ts';
import { CHILD_PROCESS_TEST_MS, PROCESS_START_MS, startWorkerProcess } from '../support/worker-process.ts';

let h: Harness;
let pool: pg.Pool;
const workers: ChildProcess[] = [];

/** A worker process that has said it is ready (slow to start on a busy machine). */
const startWorker = () => startWorkerProcess(h.env, workers);

async function stepState(incidentId: string, stepId: string): Promise<string> {
  const res = await pool.query('select state from steps where incident_id = $1 and step_id = $2', [incidentId, stepId]);
  return res.rows[0]?.state as string;
}

async function useFreshHarness(): Promise<void> {
  await pool?.end();
  await h?.close();
  h = await createHarness({ rolloutMs: 3000 });
  delete h.env.GITHUB_TOKEN; // the worker is another process: GitHub stays out of this test
  pool = new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${h.env.DATABASE_SCHEMA}` });
}

beforeAll(useFreshHarness, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await pool?.end();
  await h?.close();
});

it(
  'completes revert_images after its worker is killed mid-rollout, patching each Deployment once',
  async () => {
    const first = await startWorker();
    const started = await h.cli('start', 'v1.2.3', '--as', SRE);
    const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
    await until(
      'the target proposal',
      async () => (await stepState(incidentId, 'select_release')) === 'awaiting_approval',
      PROCESS_START_MS,
    );
    expect((await h.cli('approve', incidentId, 'select_release', '--as', CAPTAIN)).code).toBe(0);
    expect((await h.cli('run', incidentId, 'revert_images', '--no-wait', '--as', SRE)).code).toBe(0);

    // Kill the worker once every Deployment is patched and rolling (each rollout takes 3 s).
    await until('all three patches', async () => ['api', 'web', 'worker'].every((d) => h.patchesOf(d) === 1));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(await stepState(incidentId, 'revert_images')).toBe('running');

    await startWorker();
    await until(
      'revert_images to finish',
      async () => (await stepState(incidentId, 'revert_images')) === 'succeeded',
      60_000,
    );

    expect(h.images()).toEqual({
      api: 'ghcr.io/valuecanvas/app:v1.2.2',
      web: 'ghcr.io/valuecanvas/web:v1.2.2',
      worker: 'ghcr.io/valuecanvas/worker:v1.2.2',
    });
    for (const d of ['api', 'web', 'worker']) expect(h.patchesOf(d), d).toBe(1);
    const events = await pool.query(
      "select kind from timeline where incident_id = $1 and step_id = 'revert_images' and kind <> 'step_progress' order by id",
      [incidentId],
    );
    expect(events.rows.map((r) => r.kind)).toEqual(['step_queued', 'step_started', 'step_resumed', 'step_succeeded']);
    const step = await pool.query(
      "select attempt, output from steps where incident_id = $1 and step_id = 'revert_images'",
      [incidentId],
    );
    expect(step.rows[0].attempt).toBe(1);
    // What was running before the revert survives the crash (not overwritten by the target).
    expect(step.rows[0].output.before).toEqual({
      api: 'ghcr.io/valuecanvas/app:v1.2.3',
      web: 'ghcr.io/valuecanvas/web:v1.2.3',
      worker: 'ghcr.io/valuecanvas/worker:v1.2.3',
    });
  },
  CHILD_PROCESS_TEST_MS,
);

it(
  'drains on SIGTERM: the running step finishes before the worker exits',
  async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await useFreshHarness();
    const w = await startWorker();
    const started = await h.cli('start', 'v1.2.3', '--as', SRE);
    const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
    await until(
      'the target proposal',
      async () => {
        const state = await stepState(incidentId, 'select_release');
        if (state === 'failed')
          throw new Error(`select_release failed: ${JSON.stringify((await h.cli('status', incidentId)).out)}`);
        return state === 'awaiting_approval';
      },
      PROCESS_START_MS,
    );
    await h.cli('approve', incidentId, 'select_release', '--as', CAPTAIN);
    await h.cli('run', incidentId, 'revert_images', '--no-wait', '--as', SRE);
    await until(
      'revert_images running',
      async () => (await stepState(incidentId, 'revert_images')) === 'running',
      60_000,
    );
    const exited = new Promise<number | null>((resolve) => w.once('exit', (code) => resolve(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await stepState(incidentId, 'revert_images')).toBe('succeeded');
    expect(h.images().api).toBe('ghcr.io/valuecanvas/app:v1.2.2');
  },
  CHILD_PROCESS_TEST_MS,
);
