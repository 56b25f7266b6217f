/**
 * The BullMQ step runner on real Redis/Postgres: transient errors retried with backoff, permanent
 * ones failing at once with their reason, Retry as a new attempt, Abort through the abort signal,
 * and the reconciler enqueueing a step whose job never reached Redis.
 */

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue, jobIdOf, STEP_QUEUE } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { type StepWorker, startStepWorker } from '../../src/adapters/queue/step-worker.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { abortConfirmed, executeStep } from '../../src/flows/execute-step.ts';
import type { Executors, StepContext } from '../../src/flows/executor.ts';
import { reconcile } from '../../src/flows/reconcile.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { abortStep, runStep } from '../../src/flows/step-commands.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let worker: StepWorker;
let queue: ReturnType<typeof createBullmqStepQueue>;
const calls: string[] = [];
let behaviour: (ctx: StepContext) => Promise<void> = async () => undefined;

const executors: Executors = {
  announce: { run: async () => ({ outcome: 'succeeded', summary: 'announced' }) },
  capture_context: { run: async () => ({ outcome: 'succeeded', summary: 'captured' }) },
  select_release: {
    run: async () => ({
      outcome: 'awaiting_approval',
      summary: 'v1.2.2',
      output: { proposal: { version: 'v1.2.2', source: 'test' }, validTargets: ['v1.2.2'] },
    }),
  },
  pause_deploys: {
    async run(ctx) {
      calls.push(`pause try ${ctx.step.attempt}`);
      await behaviour(ctx);
      return { outcome: 'succeeded', summary: 'paused' };
    },
  },
};

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcrun');
  const config = testConfig();
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 3, backoffMs: 50 });
  deps = {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
  };
  worker = await startStepWorker({
    connection: redis,
    prefix,
    concurrency: 4,
    lockDurationMs: 1000,
    process: (job, attempt) => executeStep(deps, executors, job, attempt),
    confirmAbort: (job) => abortConfirmed(deps, job),
    log: deps.log,
  });
});

afterAll(async () => {
  await worker.close();
  await queue.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

beforeEach(async () => {
  calls.length = 0;
  await abortOpenIncidents(deps);
});

async function settled(
  incidentId: string,
  stepId: 'pause_deploys',
): Promise<{ state: string; error: string | null; attempt: number }> {
  return until(`${stepId} to settle`, async () => {
    const step = (await deps.store.get(incidentId)).steps.get(stepId)!;
    return step.state !== 'queued' && step.state !== 'running' && step;
  });
}

async function kinds(incidentId: string): Promise<string[]> {
  return (await deps.store.timeline(incidentId)).filter((e) => e.stepId === 'pause_deploys').map((e) => e.kind);
}

describe('the step runner', () => {
  it('retries a transient error with backoff, in the same attempt, then succeeds', async () => {
    let failures = 2;
    behaviour = async () => {
      if (failures-- > 0) throw new AppError('upstream_unavailable', 'GitHub answered 502', { transient: true });
    };
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    const step = await settled(inc.id, 'pause_deploys');
    expect(step.state).toBe('succeeded');
    expect(step.attempt).toBe(1);
    expect(calls).toEqual(['pause try 1', 'pause try 1', 'pause try 1']);
    expect(await kinds(inc.id)).toEqual([
      'step_queued',
      'step_started',
      'step_retrying',
      'step_resumed',
      'step_retrying',
      'step_resumed',
      'step_succeeded',
    ]);
  });

  it('fails at once on a permanent error, with the reason, and Retry is a new attempt', async () => {
    behaviour = async () => {
      throw new UserFacingError('upstream_auth', 'GitHub rejected GITHUB_TOKEN (401): create a new token');
    };
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    const failed = await settled(inc.id, 'pause_deploys');
    expect(failed).toMatchObject({
      state: 'failed',
      error: 'GitHub rejected GITHUB_TOKEN (401): create a new token',
      attempt: 1,
    });
    expect(calls).toEqual(['pause try 1']);

    behaviour = async () => undefined;
    const retry = await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    expect(retry.attempt).toBe(2);
    expect(await settled(inc.id, 'pause_deploys')).toMatchObject({ state: 'succeeded', error: null, attempt: 2 });
  });

  it('gives up after the configured tries of a transient error and says so', async () => {
    behaviour = async () => {
      throw new UserFacingError('upstream_unavailable', 'cannot reach the Kubernetes API', { transient: true });
    };
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    expect(await settled(inc.id, 'pause_deploys')).toMatchObject({
      state: 'failed',
      error: 'cannot reach the Kubernetes API',
    });
    expect(calls).toHaveLength(3);
  });

  it('hides an unexpected error behind an error id', async () => {
    behaviour = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'token')");
    };
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    const step = await settled(inc.id, 'pause_deploys');
    expect(step.error).toMatch(
      /^internal error [0-9a-f]{8} \(the bot's log has the details under errorId=[0-9a-f]{8}\)$/,
    );
  });

  it('aborts a running step through its abort signal and leaves it aborted', async () => {
    behaviour = (ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new AppError('aborted', 'stopped'))),
      );
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    await until('pause_deploys to start', () => calls.length > 0);
    await abortStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: CAPTAIN, reason: 'wrong incident' });
    expect(await settled(inc.id, 'pause_deploys')).toMatchObject({ state: 'aborted' });
    // The executor rejects once aborted; its job leaving the queue (no retry waiting) is the sign
    // that the runner has handled that rejection, which must not turn the step into failed.
    const jobs = new Queue(STEP_QUEUE, { connection: redis, prefix });
    try {
      const id = jobIdOf({ incidentId: inc.id, stepId: 'pause_deploys', attempt: 1 });
      await until('the aborted job to finish', async () =>
        ['completed', 'failed'].includes(await jobs.getJobState(id)),
      );
    } finally {
      await jobs.close();
    }
    expect((await deps.store.get(inc.id)).steps.get('pause_deploys')!.state).toBe('aborted');
    expect(await kinds(inc.id)).toEqual(['step_queued', 'step_started', 'step_aborted']);
  });
});

describe('the reconciler', () => {
  it('enqueues a step that is queued in Postgres but whose job never reached Redis', async () => {
    behaviour = async () => undefined;
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    // The process died between the commit and the enqueue: simulate with a queue that loses the job.
    const lossy = {
      ...deps,
      queue: {
        ...queue,
        enqueue: async () => {
          throw new Error('ECONNRESET');
        },
      },
    };
    await expect(runStep(lossy, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE })).rejects.toThrow(
      /is queued, but the job queue \(Redis\) is unreachable/,
    );
    expect((await deps.store.get(inc.id)).steps.get('pause_deploys')!.state).toBe('queued');
    const result = await reconcile(deps);
    expect(result.enqueued).toContainEqual({ incidentId: inc.id, stepId: 'pause_deploys', attempt: 1 });
    expect(await settled(inc.id, 'pause_deploys')).toMatchObject({ state: 'succeeded' });
  });
});

describe('with Redis down', () => {
  it('answers a click within seconds instead of waiting for Redis forever', async () => {
    const { Redis: IORedis } = await import('ioredis');
    const dead = new IORedis('redis://127.0.0.1:1', { maxRetriesPerRequest: 2, connectTimeout: 5000 });
    dead.on('error', () => undefined);
    const downQueue = createBullmqStepQueue({
      connection: dead,
      prefix: uniqueName('rcdown'),
      attempts: 1,
      backoffMs: 10,
    });
    const started = Date.now();
    await expect(downQueue.enqueue({ incidentId: 'rb-1', stepId: 'pause_deploys', attempt: 1 })).rejects.toThrow(
      'Redis did not answer within 5 s',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    dead.disconnect();
  });
});
