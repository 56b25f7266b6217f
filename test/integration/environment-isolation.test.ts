/**
 * One bot, one environment (issue 10 §3, issue 13 items 7 and 18): a bot refuses a schema or queue
 * prefix that another environment's bot uses, and two bots that share a database and Redis never
 * run, reconcile, relay or time each other's incidents — nor share relay locks or restore names.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgChatCursor } from '../../src/adapters/db/pg-chat-cursor.ts';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { type RunningWorker, startWorker } from '../../src/app/worker.ts';
import { storedKind } from '../../src/domain/timeline-events.ts';
import { reconcile } from '../../src/flows/reconcile.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import type { DatabaseStepDeps } from '../../src/flows/steps/_shared/db-step-support.ts';
import { createBackupRestoreStep } from '../../src/flows/steps/backup_restore/index.ts';
import { REAL_PORTS } from '../support/database-ports.ts';
import { releasesRunning } from '../support/releases.ts';
import { SRE, testConfig, testConfigYaml } from '../support/runbook-config.ts';
import { DATABASE_URL, dropTestState, REDIS_URL, uniqueName } from '../support/services.ts';
import { testContext } from '../support/step-context.ts';
import { until } from '../support/wait.ts';

let dir: string;
let kubeconfig: string;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-envs-'));
  kubeconfig = join(dir, 'kubeconfig');
  // Nothing here talks to Kubernetes; the container only needs a config to load.
  await writeFile(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]\ncontexts: [{name: fake, context: {cluster: c, user: u}}]\ncurrent-context: fake\nusers: [{name: u, user: {token: t}}]\n',
  );
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function bot(environment: string, schema: string, prefix: string, running = 'v1.2.3'): Promise<Container> {
  const path = join(dir, `${environment}-${schema}.yml`);
  await writeFile(
    path,
    testConfigYaml(`environment: { name: ${environment}, kube: { context: fake, namespace: ${environment} } }`),
  );
  const config = loadConfig(
    { DATABASE_URL, REDIS_URL, DATABASE_SCHEMA: schema, QUEUE_PREFIX: prefix, KUBECONFIG: kubeconfig },
    path,
  );
  const c = await createContainer(config, { log: createLogger('silent') });
  cleanup.push(() => c.close());
  // No cluster here: start's checks see every Deployment on the bad release.
  c.deps.releases = releasesRunning(config.runbook, running, ['v1.2.2', running]);
  return c;
}

/** Drops a schema and clears queue prefixes after every container is closed. */
function state(schema: string, ...prefixes: string[]): void {
  for (const prefix of prefixes.length ? prefixes : [uniqueName('unused')])
    cleanup.unshift(() => dropTestState(schema, prefix));
}

describe('one bot per environment', () => {
  it("refuses a schema that holds another environment's incidents, and says how to fix it", async () => {
    const schema = uniqueName('rc_envs');
    const prefixes = [uniqueName('rcenvp'), uniqueName('rcenvs')];
    state(schema, ...prefixes);
    const prod = await bot('production', schema, prefixes[0]!);
    await startRollback(prod.deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
    const err = await bot('staging', schema, prefixes[1]!).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      new RegExp(
        `the bot's schema ${schema} already holds incidents of production \\(1 incident\\), and this bot runs staging`,
      ),
    );
    expect(err?.message).toMatch(/unset DATABASE_SCHEMA \(the default is rollback_commander_staging\)/);
  });

  it("refuses a queue prefix another environment's worker uses", async () => {
    const prefix = uniqueName('rcenvq');
    const prodSchema = uniqueName('rc_envq');
    const stagingSchema = uniqueName('rc_envq');
    state(prodSchema, prefix);
    state(stagingSchema);
    const prod = await bot('production', prodSchema, prefix);
    const worker = await startWorker(prod, { reconcileEveryMs: 60_000 });
    cleanup.push(() => worker.close());
    const staging = await bot('staging', stagingSchema, prefix);
    await expect(startWorker(staging)).rejects.toThrow(
      new RegExp(`the queue prefix ${prefix} is used by the bot for production, and this bot runs staging`),
    );
  });

  it("two bots on one database and Redis never touch each other's incidents", async () => {
    // Both start while the shared schema is still empty, so start-up cannot tell; the queries must.
    const schema = uniqueName('rc_envs');
    const prodPrefix = uniqueName('rcenvp');
    const stagingPrefix = uniqueName('rcenvs');
    state(schema, prodPrefix, stagingPrefix);
    const prod = await bot('production', schema, prodPrefix);
    const staging = await bot('staging', schema, stagingPrefix, 'v2.0.1');
    const mine = await startRollback(prod.deps, {
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
    });
    const theirs = await startRollback(staging.deps, {
      badVersion: 'v2.0.1',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
    });
    const stagingTimers = await staging.deps.slaTimers!.pending(theirs.id);
    expect(stagingTimers.length).toBeGreaterThan(0);

    // Production's worker, reconciler (at start) and SLA sweep run; staging's worker is not running.
    const worker: RunningWorker = await startWorker(prod, { reconcileEveryMs: 60_000 });
    cleanup.push(() => worker.close());
    await until(
      'production announce',
      async () => (await prod.deps.store.get(mine.id)).steps.get('announce')!.state === 'succeeded',
    );
    expect((await reconcile(prod.deps)).enqueued.map((j) => j.incidentId)).not.toContain(theirs.id);
    expect((await prod.deps.store.list({})).map((i) => i.id)).toEqual([mine.id]);
    await expect(prod.deps.store.get(theirs.id)).rejects.toThrow(`it belongs to staging, which another bot runs`);

    // A staging job that lands on production's queue anyway is not run there.
    const misrouted = { incidentId: theirs.id, stepId: 'announce' as const, attempt: 1 };
    await prod.queue.enqueue(misrouted);
    await until('the misrouted job to finish', async () => (await prod.queue.jobState(misrouted)) === 'completed');
    expect((await prod.queue.queue.getJob(`${theirs.id}_announce_1`))?.returnvalue).toBe('stale');

    const staged = await staging.deps.store.get(theirs.id);
    expect([...staged.steps.values()].filter((s) => s.state === 'running' || s.state === 'succeeded')).toEqual([]);
    expect((await staging.deps.store.timeline(theirs.id)).map((e) => e.kind)).not.toContain('step_started');
    // SLA: production's sweep neither scheduled staging's timers nor cancelled them.
    expect((await prod.deps.slaTimers!.pending()).map((j) => j.incidentId)).not.toContain(theirs.id);
    expect(await staging.deps.slaTimers!.pending(theirs.id)).toEqual(stagingTimers);
    // Relay: production's cursor sees only production's timeline.
    const cursor = createPgChatCursor(prod.pool, { environment: 'production' });
    expect([...new Set((await cursor.pending()).map((t) => t.incidentId))]).toEqual([mine.id]);
    expect(
      await cursor.withClaim({ incidentId: theirs.id, channel: 'incidents' }, async (claim) => claim.events),
    ).toEqual([]);
  });
});

describe('two installations on one database (different DATABASE_SCHEMA)', () => {
  it("relay locks are per schema: one installation's rb-1 does not block the other's", async () => {
    const pools = [uniqueName('rc_lock'), uniqueName('rc_lock')].map((schema) => {
      state(schema);
      return new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}`, max: 2 });
    });
    cleanup.push(...pools.map((p) => () => p.end()));
    for (const [i, pool] of pools.entries()) {
      const schema = (await pool.query<{ s: string }>("select current_setting('search_path') as s")).rows[0]!.s;
      await pool.query(`create schema ${schema}`);
      await pool.query(
        `create table ${schema}.incidents (id text primary key, environment text not null, created_at timestamptz not null default now())`,
      );
      await pool.query(
        `create table ${schema}.timeline (id bigserial primary key, incident_id text not null, at timestamptz not null default now(), actor text not null default 'x', kind text not null default 'k', step_id text, payload jsonb not null default '{}')`,
      );
      await pool.query(
        `create table ${schema}.chat_relayed (incident_id text not null, channel text not null, event_id bigint not null, primary key (incident_id, channel, event_id))`,
      );
      await pool.query(`insert into ${schema}.incidents (id, environment) values ('rb-1', 'production')`);
      await pool.query(`insert into ${schema}.timeline (incident_id, kind) values ('rb-1', 'event-of-${i}')`);
    }
    const [first, second] = pools.map((p) => createPgChatCursor(p, { environment: 'production' }));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let claimed!: () => void;
    const isClaimed = new Promise<void>((r) => (claimed = r));
    const holding = first!.withClaim({ incidentId: 'rb-1', channel: 'incidents' }, async () => {
      claimed();
      await held;
      return 'first';
    });
    await isClaimed;
    const other = await second!.withClaim({ incidentId: 'rb-1', channel: 'incidents' }, async (claim) =>
      // The rows carry made-up kinds, read back as `unknown` with the stored name.
      claim.events.map((e) => storedKind(e)),
    );
    release();
    expect(await holding).toBe('first');
    expect(other).toEqual(['event-of-1']);
  });

  it("restored databases are named per installation, so one never adopts the other's", async () => {
    const backups = await mkdtemp(join(tmpdir(), 'rc-backups-'));
    await writeFile(join(backups, 'prod-20261124T020000Z.dump'), 'not read when planning');
    const config = testConfig(`database: { backups: { directory: ${backups} } }`);
    const planFor = async (installation: string): Promise<string> => {
      const deps: DatabaseStepDeps = {
        source: null,
        targetDatabaseUrl: 'postgres://app@127.0.0.1:5432/app',
        env: {},
        installation,
        secrets: { readKey: async () => undefined, writeKey: async () => {}, readManagers: async () => [] },
        deployments: { restart: async () => {}, waitForRollout: async () => {} },
        ...REAL_PORTS,
      };
      const ctx = testContext('backup_restore', config, {
        incident: { critical: true, detectedAt: new Date('2026-11-24T03:00:00Z') },
      });
      const planned = await createBackupRestoreStep(deps).plan(ctx);
      return (planned.plan as { database: string }).database;
    };
    const a = await planFor('rollback_commander_production/production');
    const b = await planFor('rollback_commander_other/production');
    expect(a).toMatch(/^rc_restore_[0-9a-f]{6}_rb_1_[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(await planFor('rollback_commander_production/production')).toBe(a);
  });
});
