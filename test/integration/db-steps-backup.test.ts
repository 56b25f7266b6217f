/**
 * The critical-only backup restore through the engine, from the CLI with an in-process worker: the
 * plan shows the backup and its data-loss window, two approvals restore a real `pg_dump -Fc` backup
 * with the real pg_restore into a new database, then promote (the Secret on the fake cluster
 * changes, the Deployments restart) or abandon (the database is dropped). Neither password ever
 * reaches the CLI, the timeline or the step output.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { type RunningWorker, startWorker } from '../../src/app/worker.ts';
import { releaseBody, tagBody } from '../fixtures/github/github-api.ts';
import { type AppDatabase, adminQuery, createAppDatabase, urlFor } from '../fixtures/migrations/app-database.ts';
import { deployRbacRules } from '../support/deploy-rbac.ts';
import { createHarness, type Harness, NS } from '../support/e2e-harness.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { CAPTAIN, DB_OWNER, SRE } from '../support/runbook-config.ts';

const API = 'https://api.github.com';
const REPO = '/repos/ValueCanvas/ValueCanvas';
/** The cluster here trusts local connections, so these passwords are carried along but never checked. */
const RESTORE_PASSWORD = 'Rest0re-Pass-Word';
const PROD_URL = 'postgres://app:Sup3r-Secret-Prod@prod-db.internal:5432/app';
const PREFIX = `rct${randomBytes(3).toString('hex')}`;
const RESTARTED = 'kubectl.kubernetes.io/restartedAt';

const now = Date.now();
const impactStarted = new Date(Math.floor(now / 1000) * 1000 - 3600_000);
const beforeImpact = new Date(impactStarted.getTime() - 2 * 3600_000);
const afterImpact = new Date(impactStarted.getTime() + 50 * 60_000);
const backupName = (at: Date) =>
  `prod-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.dump`;

let h: Harness;
let app: AppDatabase;
let dir: string;
let container: Container;
let worker: RunningWorker;
const shown: string[] = [];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  dir = await mkdtemp(join(tmpdir(), 'rc-db-steps-'));
  app = await createAppDatabase({ seed: true });
  await promisify(execFile)('pg_dump', [
    '-Fc',
    '--host',
    '127.0.0.1',
    '--username',
    'postgres',
    '--no-password',
    '--file',
    join(dir, backupName(beforeImpact)),
    app.name,
  ]);
  // A newer backup, taken after the first bad request: it may hold the corruption, so it is never proposed.
  await copyFile(join(dir, backupName(beforeImpact)), join(dir, backupName(afterImpact)));
  // Under exactly the RBAC rules deploy/ grants (with the promotion component's Secret).
  h = await createHarness({
    rbac: deployRbacRules(),
    configOverrides: `
database:
  backups: { directory: ${dir} }
  restore: { database_prefix: ${PREFIX}, timeout: 30s }
  validation: { count_tables: [users, public.orgs] }
  promotion: { secret: app-db, key: DATABASE_URL, deployments: [api, worker], rollout_timeout: 20s }
`,
  });
  const target = new URL(app.url);
  target.password = RESTORE_PASSWORD;
  h.env.TARGET_DATABASE_URL = target.toString();
  h.kube.addSecret({ namespace: NS, name: 'app-db', data: { DATABASE_URL: PROD_URL, OTHER: 'kept' } });
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent'), env: h.env });
  worker = await startWorker(container);
  const github = () => nock(API).matchHeader('authorization', `token ${h.env.GITHUB_TOKEN}`);
  github()
    .get(`${REPO}/releases`)
    .query({ per_page: 100 })
    .reply(200, [releaseBody('v1.2.3'), releaseBody('v1.2.2')])
    .persist();
  github()
    .get(`${REPO}/tags`)
    .query({ per_page: 100 })
    .reply(200, [tagBody('v1.2.3'), tagBody('v1.2.2')])
    .persist();
});

// One open rollback per environment: each test starts from none, whatever the last one left.
beforeEach(async () => {
  await abortOpenIncidents(container.deps);
});

afterAll(async () => {
  await worker?.close();
  await container?.close();
  await h?.close();
  const { rows } = await adminQuery(`select datname from pg_database where datname like $1`, [`${PREFIX}\\_%`]);
  for (const { datname } of rows) await adminQuery(`drop database if exists ${datname} with (force)`);
  await app?.drop();
  await rm(dir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The CLI as an operator runs it; everything it prints is kept for the password check. */
async function cli(...args: string[]) {
  const result = await h.cli(...args);
  shown.push(result.out, result.err);
  return result;
}

/** The Database Owner's own login: a two-person approval needs two OS accounts as well as two Slack ids. */
async function cliAsDbOwner(...args: string[]) {
  const result = await h.cliFrom({ osUser: 'dora', host: 'bastion-2' }, ...args);
  shown.push(result.out, result.err);
  return result;
}

async function approveByTwo(incidentId: string, stepId: string): Promise<string> {
  expect((await cli('approve', incidentId, stepId, '--as', CAPTAIN)).out).toBe(
    `approval recorded for ${stepId}; one more, from a different person, is needed`,
  );
  const applied = await cliAsDbOwner('approve', incidentId, stepId, '--as', DB_OWNER);
  expect(applied.code, `${applied.out}\n${applied.err}`).toBe(0);
  return applied.out;
}

async function criticalIncident(
  trigger: 'data_corruption' | 'security_exposure',
): Promise<{ incidentId: string; database: string }> {
  const started = await cli(
    'start',
    'v1.2.3',
    '--trigger',
    trigger,
    '--impact-started',
    impactStarted.toISOString(),
    '--as',
    SRE,
  );
  expect(started.code, started.err).toBe(0);
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;

  const planned = await cli('run', incidentId, 'backup_restore', '--as', DB_OWNER);
  expect(planned.code, planned.err).toBe(0);
  expect(planned.out).toContain(
    `backup_restore: awaiting_approval — Backup: ${backupName(beforeImpact)} (taken ${beforeImpact.toISOString()}, `,
  );
  expect(planned.out).toContain(
    `is the newest backup taken before the first bad request at ${impactStarted.toISOString()}.`,
  );
  expect(planned.out).not.toContain(backupName(afterImpact));
  expect(planned.out).toMatch(
    new RegExp(
      `Data-loss window: writes from ${beforeImpact.toISOString()} to \\S+ \\(3 h 0 min\\) are not in this backup and would be lost if it is promoted`,
    ),
  );
  const database = new RegExp(
    `Into a NEW database (${PREFIX}_[0-9a-f]{6}_rb_\\d+_[0-9a-f]{8}) on 127\\.0\\.0\\.1:5432, with \`pg_restore --clean --if-exists --no-owner\``,
  ).exec(planned.out)?.[1];
  expect(database, planned.out).toBeDefined();
  expect(await databaseExists(database!)).toBe(false);

  const restored = await approveByTwo(incidentId, 'backup_restore');
  expect(restored).toContain('pg_restore: processing data for table "public.users"');
  expect(restored).toContain(
    `backup_restore: succeeded — ${backupName(beforeImpact)} restored into 127.0.0.1:5432/${database}; validation passed:`,
  );
  expect(restored).toContain('✓ rows in users: 2 rows');
  expect(restored).toContain('Next: Promote it (Secret swap + restart) or Abandon it (drops it)');
  const rows = await adminQuery('select email from users order by email', [], urlFor(database!));
  expect(rows.rows).toEqual([{ email: 'ada@example.com' }, { email: 'grace@example.com' }]);
  return { incidentId, database: database! };
}

async function databaseExists(name: string): Promise<boolean> {
  return (await adminQuery('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
}

function restartedAt(name: string): string | undefined {
  return h.kube.deployment(NS, name)!.spec.template.metadata?.annotations?.[RESTARTED];
}

it('restores the backup from before the first bad request into a new database, then promotes it on the cluster, retrying a failed restart without losing the old URL', async () => {
  const { incidentId, database } = await criticalIncident('data_corruption');

  const planned = await cli('run', incidentId, 'backup_promote', '--as', DB_OWNER);
  expect(planned.out).toContain(
    `backup_promote: awaiting_approval — Promote 127.0.0.1:5432/${database} (restored from ${backupName(beforeImpact)}): write its connection string (with the credentials in TARGET_DATABASE_URL) into Secret prod/app-db key DATABASE_URL, then restart api, worker and wait for their rollouts (up to 20s each).`,
  );
  expect(planned.out).toContain(
    'The current value is first copied to key DATABASE_URL.previous of the same Secret (never shown)',
  );
  expect(h.kube.secretData(NS, 'app-db')).toEqual({ DATABASE_URL: PROD_URL, OTHER: 'kept' });

  // The worker's rollout fails after the swap: the step fails saying where the Secret points now.
  h.kube.setRolloutBehavior(NS, 'worker', { mode: 'deadline' });
  await cli('approve', incidentId, 'backup_promote', '--as', CAPTAIN);
  const failed = await cliAsDbOwner('approve', incidentId, 'backup_promote', '--as', DB_OWNER);
  expect(failed.code).toBe(1);
  expect(failed.out).toContain(
    'backup_promote: failed — the Secret points at the restored database, but restarting api, worker failed:',
  );
  const swapped = h.kube.secretData(NS, 'app-db')!;
  expect(new URL(swapped.DATABASE_URL!).pathname).toBe(`/${database}`);
  expect(swapped).toMatchObject({ 'DATABASE_URL.previous': PROD_URL, OTHER: 'kept' });
  expect(restartedAt('api')).toBeDefined();
  expect(restartedAt('worker')).toBe(restartedAt('api'));
  const firstRestart = restartedAt('api');

  // Retry: a new plan that knows the swap is done, two new approvals, a new restart; the recorded value stays.
  h.kube.setRolloutBehavior(NS, 'worker', { mode: 'normal' });
  const replanned = await cli('run', incidentId, 'backup_promote', '--as', DB_OWNER);
  expect(replanned.out).toContain(
    'The Secret already points at it (an earlier attempt swapped it; the value before is in key DATABASE_URL.previous): this restarts the Deployments again.',
  );
  const promoted = await approveByTwo(incidentId, 'backup_promote');
  expect(promoted).toContain(
    `backup_promote: succeeded — Secret prod/app-db key DATABASE_URL now points at 127.0.0.1:5432/${database} (swapped by an earlier try); api, worker restarted and rolled out.`,
  );
  expect(h.kube.secretData(NS, 'app-db')).toEqual(swapped);
  expect(restartedAt('api')).not.toBe(firstRestart);
  expect(restartedAt('worker')).toBe(restartedAt('api'));
  expect(restartedAt('web')).toBeUndefined();

  // Promoted, the restored database is production: the engine no longer offers to drop it.
  expect((await cli('run', incidentId, 'backup_abandon', '--as', DB_OWNER)).err).toContain(
    'the restored database was promoted: it is production now',
  );
  expect(await databaseExists(database)).toBe(true);

  const snap = await container.deps.store.get(incidentId);
  const recorded = JSON.stringify([[...snap.steps.values()], await container.deps.store.timeline(incidentId)]);
  for (const text of [...shown, recorded]) {
    expect(text).not.toContain(RESTORE_PASSWORD);
    expect(text).not.toContain('Sup3r-Secret-Prod');
  }
  expect(snap.steps.get('backup_promote')!.output).toMatchObject({
    promoted: true,
    previousValueKey: 'DATABASE_URL.previous',
    deployments: ['api', 'worker'],
  });
});

it('a second promotion keeps the first previous URL; the plan warns External Secrets would undo the swap', async () => {
  const { incidentId, database } = await criticalIncident('data_corruption');
  // As if an earlier incident promoted a restore: the Secret points at it, .previous keeps production.
  const earlier = 'postgres://app:Earlier-Restore-Pw@restore-db.internal:5432/rc_restore_rb_1';
  const before = h.kube.secret(NS, 'app-db')!;
  h.kube.updateSecret(NS, 'app-db', {
    data: { DATABASE_URL: earlier, 'DATABASE_URL.previous': PROD_URL, OTHER: 'kept' },
    metadata: {
      ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'app-db', uid: 'u1' }],
    },
  });
  try {
    const planned = await cli('run', incidentId, 'backup_promote', '--as', DB_OWNER);
    expect(planned.out).toContain(
      'The current value is first copied to key DATABASE_URL.previous.2 of the same Secret (never shown), so the swap ' +
        'can be reversed. Values kept by earlier promotions stay as they are (the oldest in DATABASE_URL.previous).',
    );
    expect(planned.out).toContain(
      '⚠ Secret prod/app-db is managed by External Secrets (owned by ExternalSecret app-db): its controller will ' +
        'write its own value back and undo this swap',
    );
    const promoted = await approveByTwo(incidentId, 'backup_promote');
    expect(promoted).toContain('The previous value is kept in key DATABASE_URL.previous.2 of Secret prod/app-db');
    const data = h.kube.secretData(NS, 'app-db')!;
    const kept = { 'DATABASE_URL.previous': PROD_URL, 'DATABASE_URL.previous.2': earlier, OTHER: 'kept' };
    expect(data).toMatchObject(kept);
    expect(new URL(data.DATABASE_URL!).pathname).toBe(`/${database}`);
    for (const text of shown) expect(text).not.toContain('Earlier-Restore-Pw');
  } finally {
    const metadata = { ownerReferences: before.metadata.ownerReferences };
    h.kube.updateSecret(NS, 'app-db', { data: { DATABASE_URL: PROD_URL, OTHER: 'kept' }, metadata });
  }
});

it('abandons a restored database: it is dropped, and it can no longer be promoted', async () => {
  const { incidentId, database } = await criticalIncident('security_exposure');
  const secretBefore = h.kube.secretData(NS, 'app-db');

  const planned = await cli('run', incidentId, 'backup_abandon', '--as', SRE);
  expect(planned.out).toContain(
    `backup_abandon: awaiting_approval — Drop database ${database} on 127.0.0.1:5432 (the restore of ${backupName(beforeImpact)}).`,
  );
  expect(await databaseExists(database)).toBe(true);
  const dropped = await approveByTwo(incidentId, 'backup_abandon');
  expect(dropped).toContain(
    `backup_abandon: succeeded — Dropped ${database} on 127.0.0.1:5432; production was not touched`,
  );
  expect(await databaseExists(database)).toBe(false);
  expect(h.kube.secretData(NS, 'app-db')).toEqual(secretBefore);
  expect((await cli('run', incidentId, 'backup_promote', '--as', DB_OWNER)).err).toContain(
    'the restored database was abandoned',
  );
  for (const text of shown) expect(text).not.toContain(RESTORE_PASSWORD);
});

it('does not offer a backup restore for an incident that is not critical', async () => {
  const started = await cli('start', 'v1.2.3', '--sev', 'P2', '--trigger', 'slo_breach', '--as', SRE);
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
  const refused = await cli('run', incidentId, 'backup_restore', '--as', DB_OWNER);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain(
    'only offered for critical incidents (security exposure or data corruption); mark the incident critical first',
  );
  expect((await container.deps.store.get(incidentId)).steps.get('backup_restore')!.state).toBe('pending');
});
