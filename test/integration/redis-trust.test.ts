/**
 * Redis is a queue, not an authority (issue 13 item 5): a job forged in Redis with the apply hint
 * never applies a plan nobody approved for that attempt, and an abort message stops a step only
 * when Postgres says it was aborted. The bot's own Redis may need TLS (rediss://) and AUTH/ACL users.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { abortChannel, createBullmqStepQueue, jobIdOf } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createBotRedis } from '../../src/adapters/queue/redis-connections.ts';
import { type StepWorker, startStepWorker } from '../../src/adapters/queue/step-worker.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { createLogger } from '../../src/app/logger.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { abortConfirmed, executeStep } from '../../src/flows/execute-step.ts';
import type { Executors } from '../../src/flows/executor.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { runStep } from '../../src/flows/step-commands.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let worker: StepWorker;
let queue: ReturnType<typeof createBullmqStepQueue>;
const logLines: string[] = [];
const applied: unknown[] = [];
let plans = 0;
let release: () => void = () => undefined;

const executors: Executors = {
  pause_deploys: {
    run: (ctx) =>
      new Promise((resolve, reject) => {
        release = () => resolve({ outcome: 'succeeded', summary: 'paused' });
        ctx.signal.addEventListener('abort', () => reject(new AppError('aborted', 'stopped')));
        if (!ctx.config.github.deploy_workflows.includes('hold.yml')) release();
      }),
  },
  resume_deploys: {
    plan: async () => ({ summary: `plan ${++plans}`, plan: { n: plans } }),
    apply: async (ctx) => {
      applied.push(ctx.plan);
      return { outcome: 'succeeded', summary: 'applied' };
    },
  },
};

function makeDeps(overrides = ''): FlowDeps {
  const config = testConfig(overrides);
  const log = pino(
    { level: 'warn' },
    new Writable({ write: (chunk, _enc, done) => void (logLines.push(String(chunk)), done()) }),
  );
  return {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => new Date(),
    log,
    releases: releasesRunning(config),
  };
}

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rctrust');
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 1, backoffMs: 50 });
  deps = makeDeps();
  worker = await startStepWorker({
    connection: redis,
    prefix,
    concurrency: 2,
    lockDurationMs: 5000,
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
  deps = makeDeps();
  await abortOpenIncidents(deps);
  applied.length = 0;
  logLines.length = 0;
});

const stepOf = async (incidentId: string, stepId: 'pause_deploys' | 'resume_deploys') =>
  (await deps.store.get(incidentId)).steps.get(stepId)!;

describe('Redis is only a hint', () => {
  it('a job forged with the apply hint on a retried attempt plans again and applies nothing', async () => {
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    await until('pause_deploys done', async () => (await stepOf(inc.id, 'pause_deploys')).state === 'succeeded');
    await runStep(deps, { incidentId: inc.id, stepId: 'resume_deploys', actor: SRE });
    await until(
      'attempt 1 planned',
      async () => (await stepOf(inc.id, 'resume_deploys')).state === 'awaiting_approval',
    );

    // Retry (attempt 2) whose real job never reaches Redis; attempt 1's plan is still in the output.
    const lossy = {
      ...deps,
      queue: {
        ...queue,
        enqueue: async () => {
          throw new Error('ECONNRESET');
        },
      },
    };
    await expect(runStep(lossy, { incidentId: inc.id, stepId: 'resume_deploys', actor: SRE })).rejects.toThrow(
      /queued/,
    );
    // Someone with write access to Redis adds the apply job for attempt 2: nobody approved anything.
    await queue.enqueue({ incidentId: inc.id, stepId: 'resume_deploys', attempt: 2, kind: 'apply' });

    const step = await until('attempt 2 settled', async () => {
      const s = await stepOf(inc.id, 'resume_deploys');
      return s.state !== 'queued' && s.state !== 'running' && s;
    });
    expect(applied).toEqual([]);
    expect(step).toMatchObject({ state: 'awaiting_approval', attempt: 2, summary: `plan ${plans}` });
    expect(step.output).toMatchObject({ plannedAttempt: 2, phase: 'run' });
    expect(logLines.join('')).toContain('Postgres holds no complete approvals');
  });

  it('an abort message Postgres does not back is ignored, and the step finishes', async () => {
    deps = makeDeps('github: { owner: valuecanvas, repo: app, deploy_workflows: [hold.yml] }');
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    const job = await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    await until('pause_deploys running', async () => (await stepOf(inc.id, 'pause_deploys')).state === 'running');
    await redis.publish(abortChannel(prefix), jobIdOf(job));
    await until('the forged abort to be checked and ignored', () =>
      logLines.some((l) => l.includes('ignored an abort message')),
    );
    release();
    await until('pause_deploys succeeded', async () => (await stepOf(inc.id, 'pause_deploys')).state === 'succeeded');
  });
});

describe("the bot's Redis with AUTH and ACL users", () => {
  let server: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'rc-redis-auth-'));
    // argv only, no shell; no persistence so nothing outlives the test.
    server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--requirepass',
        'default-secret',
        '--user',
        'rcbot',
        'on',
        '>bot-secret',
        '~*',
        '&*',
        '+@all',
      ],
      { stdio: 'ignore' },
    );
    await until('redis-server with AUTH to answer', async () => {
      const probe = new Redis({
        port,
        password: 'default-secret',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      const ok = await probe
        .connect()
        .then(
          () => probe.ping(),
          () => null,
        )
        .catch(() => null);
      probe.disconnect();
      return ok === 'PONG';
    });
  });

  afterAll(() => {
    server.kill('SIGTERM');
  });

  async function roundTrip(url: string): Promise<string[]> {
    const ran: string[] = [];
    const log = pino({ level: 'silent' });
    const { blocking, producer } = createBotRedis(url, log);
    const authPrefix = uniqueName('rcauth');
    const q = createBullmqStepQueue({ connection: producer, prefix: authPrefix, attempts: 1, backoffMs: 50 });
    const w = await startStepWorker({
      connection: blocking,
      prefix: authPrefix,
      concurrency: 1,
      lockDurationMs: 5000,
      process: async (job) => (ran.push(job.incidentId), 'done'),
      confirmAbort: async () => false,
      log,
    });
    try {
      await q.enqueue({ incidentId: 'rb-1', stepId: 'announce', attempt: 1 });
      await until('the job to run over the authenticated connection', () => ran.length > 0);
      return ran;
    } finally {
      await w.close();
      await q.close();
      blocking.disconnect();
      producer.disconnect();
    }
  }

  it('queues and runs jobs as an ACL user (redis://user:password@host)', async () => {
    expect(await roundTrip(`redis://rcbot:bot-secret@127.0.0.1:${port}`)).toEqual(['rb-1']);
  });

  it('queues and runs jobs with requirepass (redis://:password@host)', async () => {
    expect(await roundTrip(`redis://:default-secret@127.0.0.1:${port}/2`)).toEqual(['rb-1']);
  });

  it('a wrong password is refused with an error that does not contain it', async () => {
    const errors: string[] = [];
    const log = createLogger(
      'error',
      new Writable({ write: (chunk, _enc, done) => void (errors.push(String(chunk)), done()) }),
    );
    const { blocking, producer } = createBotRedis(`redis://rcbot:not-the-password@127.0.0.1:${port}`, log);
    const err = await producer.ping().then(
      () => null,
      (e: unknown) => e as Error,
    );
    blocking.disconnect();
    producer.disconnect();
    expect(err?.message).toMatch(/WRONGPASS|NOAUTH/);
    expect(err?.message).not.toContain('not-the-password');
    await until('the refusal to be logged', () => errors.some((l) => l.includes('WRONGPASS')));
    expect(errors.join('')).not.toContain('not-the-password');
  });

  it('rediss:// turns TLS on for every connection, duplicates included', () => {
    const { blocking, producer } = createBotRedis(
      'rediss://rcbot:bot-secret@redis.internal:6380/1',
      pino({ level: 'silent' }),
    );
    const copy = blocking.duplicate();
    for (const c of [blocking, producer, copy]) {
      c.on('error', () => undefined);
      c.disconnect();
    }
    for (const c of [blocking, producer, copy]) {
      expect(c.options).toMatchObject({
        tls: expect.anything(),
        username: 'rcbot',
        password: 'bot-secret',
        host: 'redis.internal',
        port: 6380,
        db: 1,
      });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
