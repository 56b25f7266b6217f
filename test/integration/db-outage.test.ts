/**
 * The bot's Postgres going away mid-step (issue 13 item 16). The worker reaches Postgres through a
 * small TCP proxy the test cuts and restores (the shared server keeps running): a short outage is
 * waited out and reported in the thread; a longer one fails the step with the real reason and
 * what pause_deploys did and did not do — never "the worker died repeatedly".
 */
import { type AddressInfo, createServer, type Server, Socket } from 'node:net';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { type StepWorker, startStepWorker } from '../../src/adapters/queue/step-worker.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { abortConfirmed, executeStep } from '../../src/flows/execute-step.ts';
import type { Executors } from '../../src/flows/executor.ts';
import type { SourceControl } from '../../src/flows/ports.ts';
import { reconcile } from '../../src/flows/reconcile.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { runStep } from '../../src/flows/step-commands.ts';
import { createPauseDeploys } from '../../src/flows/steps/pause_deploys/index.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { SRE, testConfig } from '../support/runbook-config.ts';
import {
  clearPrefix,
  createTestDb,
  createTestRedis,
  DATABASE_URL,
  type TestDb,
  uniqueName,
} from '../support/services.ts';
import { until } from '../support/wait.ts';

/** A TCP proxy to Postgres that can drop every connection and refuse new ones, then recover. */
interface Proxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = new Socket().connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let db: TestDb;
let redis: Redis;
let prefix: string;
let proxy: Proxy;
let proxied: pg.Pool;
let deps: FlowDeps;
let worker: StepWorker;
let queue: ReturnType<typeof createBullmqStepQueue>;
let onCancel: (runId: number) => void = () => undefined;
const cancelled: number[] = [];

/** GitHub as pause_deploys sees it: deploy.yml active with runs 12 and 13 deploying. */
const github = {
  getWorkflow: async (w: string) => ({
    id: 1,
    name: w,
    path: `.github/workflows/${w}`,
    state: disabled ? 'disabled_manually' : 'active',
  }),
  disableWorkflow: async () => void (disabled = true),
  listActiveRuns: async () =>
    [12, 13]
      .filter((id) => !cancelled.includes(id))
      .map((id) => ({
        id,
        status: 'in_progress',
        conclusion: null,
        htmlUrl: `https://github.com/acme/shop/actions/runs/${id}`,
        createdAt: '',
      })),
  cancelRun: async (id: number) => {
    cancelled.push(id);
    onCancel(id);
    return 'cancelled' as const;
  },
  getRun: async (id: number) => ({ id, status: 'completed', conclusion: 'cancelled', htmlUrl: '', createdAt: '' }),
  listAutoMergePullRequests: async () => [],
} as unknown as SourceControl;
let disabled = false;

const executors: Executors = { pause_deploys: createPauseDeploys({ sourceControl: github }) };

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcout');
  const upstream = new URL(DATABASE_URL);
  proxy = await startProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
  const url = new URL(DATABASE_URL);
  url.port = String(proxy.port);
  proxied = new pg.Pool({
    connectionString: url.toString(),
    options: `-c search_path=${db.schema}`,
    max: 5,
    connectionTimeoutMillis: 2000,
  });
  proxied.on('error', () => undefined);
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 2, backoffMs: 50 });
});

function useConfig(databaseWait: string): void {
  const config = testConfig(`queue: { attempts: 2, backoff: 50ms, lock_duration: 2s, database_wait: ${databaseWait} }`);
  deps = {
    store: createPgIncidentStore(proxied, config.environment.name),
    queue,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
  };
}

async function start(databaseWait: string): Promise<void> {
  useConfig(databaseWait);
  worker = await startStepWorker({
    connection: redis,
    prefix,
    concurrency: 2,
    lockDurationMs: 2000,
    process: (job, attempt) => executeStep(deps, executors, job, attempt),
    confirmAbort: (job) => abortConfirmed(deps, job),
    log: deps.log,
  });
}

afterEach(async () => {
  proxy.restore();
  await worker?.close();
  cancelled.length = 0;
  disabled = false;
  onCancel = () => undefined;
});

afterAll(async () => {
  await queue.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await proxied.end();
  await proxy.close();
  await db.drop();
});

const pauseOf = async (incidentId: string) => (await deps.store.get(incidentId)).steps.get('pause_deploys')!;

describe("the bot's Postgres unreachable while pause_deploys runs", () => {
  it('waits a short outage out, finishes the pause, and says so in the thread', async () => {
    await start('30s');
    await abortOpenIncidents(deps);
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    // The outage starts right after GitHub took the first cancel and lasts about 2 s.
    onCancel = (id) => {
      if (id !== 12) return;
      proxy.cut();
      setTimeout(() => proxy.restore(), 2000);
    };
    await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    const step = await until(
      'pause_deploys settled',
      async () => {
        const s = await pauseOf(inc.id).catch(() => null);
        return s && s.state !== 'queued' && s.state !== 'running' && s;
      },
      30_000,
    );
    expect(step.state).toBe('succeeded');
    // The pause cancels runs concurrently: which call lands first is not its contract.
    expect([...cancelled].sort((a, b) => a - b)).toEqual([12, 13]);
    const lines = (await deps.store.timeline(inc.id))
      .filter((e) => e.stepId === 'pause_deploys')
      .map((e) => `${e.kind} ${String(e.payload.message ?? '')}`);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^step_progress the bot's database \(Postgres\) was unreachable for \d+ s; the step waited and carried on$/,
      ),
    );
    expect(lines.some((l) => l.startsWith('step_failed'))).toBe(false);
  });

  it('past the wait, fails with the real reason and what it did and did not do', async () => {
    await start('1s');
    await abortOpenIncidents(deps);
    const inc = await startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    onCancel = (id) => void (id === 12 && proxy.cut());
    const job = await runStep(deps, { incidentId: inc.id, stepId: 'pause_deploys', actor: SRE });
    await until('BullMQ to give the job up', async () => (await queue.jobState(job)) === 'failed', 30_000);
    proxy.restore();
    // The reconciler (every worker runs it) records the failure once Postgres is back.
    await reconcile(deps, executors);
    const step = await pauseOf(inc.id);
    expect(step.state).toBe('failed');
    // The two cancels run concurrently: #13's request may already be on its way when the database
    // goes, and the step then says exactly that. Either way nothing is claimed done that was not.
    const cancels = [
      'did NOT cancel runs #12, #13, ',
      'asked GitHub to cancel run #13 (not yet confirmed); did NOT cancel run #12, ',
    ];
    expect(
      cancels.map(
        (c) =>
          "the bot's database (Postgres) was unreachable for longer than the step waits (queue.database_wait), so it stopped; " +
          `check what it did, then Retry. So far: disabled workflow deploy.yml; ${c}` +
          'NOT finish disabling auto-merge — press Retry to finish (it picks up from here)',
      ),
    ).toContain(step.error);
  });
});
