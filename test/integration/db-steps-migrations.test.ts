/**
 * The database half of the runbook through the engine, from the CLI with an in-process worker:
 * migration scope (GitHub compare via nock) → a revert plan showing the SQL → a refused one-person
 * approval → two approvals → the down file applied on a real app database and the head confirmed;
 * and the forward-fix path. Settings that are missing fail with what to set.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseRunbookConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { type RunningWorker, startWorker } from '../../src/app/worker.ts';
import type { StepRecord } from '../../src/domain/incident.ts';
import type { PlannedExecutor, RunExecutor } from '../../src/flows/executor.ts';
import type { MigrationSource } from '../../src/flows/ports.ts';
import type { DatabaseStepDeps } from '../../src/flows/steps/_shared/db-step-support.ts';
import { createDatabaseSteps } from '../../src/flows/steps/registry.ts';
import { commitBody, compareBody, releaseBody, tagBody } from '../fixtures/github/github-api.ts';
import { type AppDatabase, createAppDatabase, fixture, snapshot } from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { CAPTAIN, DB_OWNER, SRE, testConfig } from '../support/runbook-config.ts';
import { failureOf, testContext, testStep } from '../support/step-context.ts';
import { until } from '../support/wait.ts';

/** The Database Owner's own login: a two-person approval needs two OS accounts as well as two Slack ids. */
const DB_OWNER_SHELL = { osUser: 'dora', host: 'bastion-2' };

const API = 'https://api.github.com';
const REPO = '/repos/ValueCanvas/ValueCanvas';
const DOWN_FILE = `${REPO}/contents/supabase/migrations/20261120_add_orgs.down.sql`;
const SHIPPED = [
  { filename: 'supabase/migrations/20261120_add_orgs.sql', status: 'added' },
  { filename: 'supabase/migrations/20261120_add_orgs.down.sql', status: 'added' },
  { filename: 'src/orgs.ts', status: 'added' },
];

let h: Harness;
let app: AppDatabase;
let container: Container;
let worker: RunningWorker;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  app = await createAppDatabase({ seed: true });
  h = await createHarness({ configOverrides: 'database: { lock_timeout: 2s, statement_timeout: 30s }' });
  h.env.TARGET_DATABASE_URL = app.url;
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent'), env: h.env });
  worker = await startWorker(container);
  // select_release cross-checks the repo's tags whenever an incident opens.
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
  await app?.drop();
  nock.cleanAll();
  nock.enableNetConnect();
});

function github() {
  return nock(API).matchHeader('authorization', `token ${h.env.GITHUB_TOKEN}`);
}

/** The GitHub requests a test set up that were never made. */
function unmetGitHub(): string[] {
  return nock.pendingMocks().filter((m) => !m.includes('/releases') && !m.includes('/tags'));
}

async function step(incidentId: string, stepId: StepRecord['stepId']): Promise<StepRecord> {
  return (await container.deps.store.get(incidentId)).steps.get(stepId)!;
}

/** Opens an incident and approves v1.2.2 as the target, as the captain would. */
async function incidentWithTarget(): Promise<string> {
  const started = await h.cli('start', 'v1.2.3', '--to', 'v1.2.2', '--as', SRE);
  expect(started.code, started.err).toBe(0);
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
  await until(
    'the target proposal',
    async () => (await step(incidentId, 'select_release')).state === 'awaiting_approval',
  );
  expect((await h.cli('approve', incidentId, 'select_release', '--as', CAPTAIN)).code).toBe(0);
  github()
    .get(`${REPO}/compare/v1.2.2...v1.2.3`)
    .query({ per_page: 100, page: 1 })
    .reply(200, compareBody([commitBody(1)], 1, SHIPPED));
  const scope = await h.cli('run', incidentId, 'migration_scope', '--as', DB_OWNER);
  expect(scope.code, scope.err).toBe(0);
  expect(scope.out).toContain(
    'migration_scope: succeeded — database at 20261120_add_orgs; v1.2.3 shipped 1 migration (20261120_add_orgs); v1.2.2 expects 20261110_add_projects — revert 1 migration, newest first: 20261120_add_orgs',
  );
  return incidentId;
}

async function heads(): Promise<string[]> {
  return (await app.query<{ version: string }>('select version from schema_migrations order by inserted_at desc')).map(
    (r) => r.version,
  );
}

describe('migration revert through the engine', () => {
  it('shows the SQL, refuses one person approving twice, and applies exactly that SQL after two approvals', async () => {
    const incidentId = await incidentWithTarget();
    const down = fixture('20261120_add_orgs.down.sql');
    github()
      .get(DOWN_FILE)
      .query({ ref: 'v1.2.3' })
      .reply(200, { type: 'file', encoding: 'base64', content: Buffer.from(down).toString('base64') });

    const planned = await h.cli('run', incidentId, 'migration_revert', '--as', DB_OWNER);
    expect(planned.code, planned.err).toBe(0);
    expect(planned.out).toContain(
      'migration_revert: awaiting_approval — Revert 20261120_add_orgs: the database goes from 20261120_add_orgs to 20261110_add_projects.',
    );
    expect(planned.out).toContain('Applies supabase/migrations/20261120_add_orgs.down.sql (at v1.2.3, sha256 ');
    expect(planned.out).toContain('in ONE transaction (lock_timeout 2s, statement_timeout 30s)');
    expect(planned.out).toContain('WARNING: drops column users.org_id and its data');
    expect(planned.out).toContain('WARNING: drops table orgs and every row in it');
    expect(planned.out).toContain(`SQL:\n${down.trim()}`);
    expect(unmetGitHub()).toEqual([]);

    expect((await h.cli('approve', incidentId, 'migration_revert', '--as', CAPTAIN)).out).toBe(
      'approval recorded for migration_revert; one more, from a different person, is needed',
    );
    const twice = await h.cli('approve', incidentId, 'migration_revert', '--as', CAPTAIN);
    expect(twice.err).toContain(
      'you already approved `migration_revert`; the remaining approval (Database Owner) must come from a different person',
    );
    expect((await h.cli('approve', incidentId, 'migration_revert', '--as', SRE)).err).toContain(
      'only the Release Captain or Database Owner may approve `migration_revert`',
    );
    expect(await heads()).toEqual(['20261120_add_orgs', '20261110_add_projects', '20261101_init']);

    // The second approver is another person: another OS account too (two --as from one shell are one person).
    const applied = await h.cliFrom(DB_OWNER_SHELL, 'approve', incidentId, 'migration_revert', '--as', DB_OWNER);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toContain('every approval is in: applying the approved plan');
    expect(applied.out).toContain(
      'applying supabase/migrations/20261120_add_orgs.down.sql (v1.2.3) in one transaction',
    );
    expect(applied.out).toContain(
      'migration_revert: succeeded — reverted 20261120_add_orgs (applied supabase/migrations/20261120_add_orgs.down.sql); database at 20261110_add_projects, what v1.2.2 expects',
    );
    expect(await heads()).toEqual(['20261110_add_projects', '20261101_init']);
    expect(await app.query(`select to_regclass('public.orgs') as t`)).toEqual([{ t: null }]);
    expect(await app.query('select email from users order by email')).toEqual([
      { email: 'ada@example.com' },
      { email: 'grace@example.com' },
    ]);
    const approvals = (await container.deps.store.get(incidentId)).approvals.filter(
      (a) => a.stepId === 'migration_revert',
    );
    expect(approvals.map((a) => [a.userId, a.role])).toEqual([
      [CAPTAIN, 'release_captain'],
      [DB_OWNER, 'database_owner'],
    ]);
  });

  it('without a down migration plans a forward-fix, and approving records it without touching the database', async () => {
    // The bad release's migration is back on the database.
    await app.query(fixture('20261120_add_orgs.sql'));
    await app.query(`insert into schema_migrations values ('20261120_add_orgs', now())`);
    const incidentId = await incidentWithTarget();
    github().get(DOWN_FILE).query({ ref: 'v1.2.3' }).reply(404, { message: 'Not Found' });
    const before = await snapshot(app);

    const planned = await h.cli('run', incidentId, 'migration_revert', '--as', DB_OWNER);
    expect(planned.out).toContain(
      'migration_revert: awaiting_approval — 20261120_add_orgs is not reversible here: there is no down migration at supabase/migrations/20261120_add_orgs.down.sql in v1.2.3 and no database.revert_command — plan a forward-fix.',
    );
    expect(planned.out).toContain(
      'Forward-fix plan: leave 20261120_add_orgs applied (the database stays at 20261120_add_orgs); the owners make v1.2.2 work with it',
    );
    expect(planned.out).toContain(
      'Approving records this plan with the two approvers as its owners; the database is not touched.',
    );

    await h.cliFrom(DB_OWNER_SHELL, 'approve', incidentId, 'migration_revert', '--as', DB_OWNER);
    const recorded = await h.cli('approve', incidentId, 'migration_revert', '--as', CAPTAIN);
    expect(recorded.code, recorded.err).toBe(0);
    expect(recorded.out).toContain(
      `migration_revert: succeeded — Forward-fix plan for 20261120_add_orgs recorded, owned by @${DB_OWNER} and @${CAPTAIN} (asked for by @${DB_OWNER}): leave 20261120_add_orgs applied`,
    );
    expect(recorded.out).toContain('The database was not changed.');
    expect(await snapshot(app)).toEqual(before);
    const output = (await step(incidentId, 'migration_revert')).output;
    expect(output.plan).toMatchObject({ kind: 'forward_fix' });
    expect(output.forwardFix).toMatchObject({
      migration: '20261120_add_orgs',
      owners: [DB_OWNER, CAPTAIN],
      requestedBy: DB_OWNER,
    });
    expect(unmetGitHub()).toEqual([]);
  });
});

describe('driving the executors directly', () => {
  const source = (files = SHIPPED, downs: Record<string, string> = {}): MigrationSource => ({
    compare: async () => ({ files }),
    getFileContent: async (path) => downs[path] ?? null,
    listDirectory: async () => null,
  });
  const deps = (over: Partial<DatabaseStepDeps>): DatabaseStepDeps => ({
    source: source(),
    targetDatabaseUrl: app.url,
    env: {},
    installation: 'rc_test/production',
    secrets: { readKey: async () => undefined, writeKey: async () => {}, readManagers: async () => [] },
    deployments: { restart: async () => {}, waitForRollout: async () => {} },
    ...REAL_PORTS,
    ...over,
  });
  const withDatabase = testConfig('database: {}');

  it('says what to set when the database section, the target URL or the migrations table is missing', async () => {
    const scope = (d: DatabaseStepDeps) => createDatabaseSteps(d).migration_scope as RunExecutor;
    const ctx = (config = withDatabase) =>
      testContext('migration_scope', config, { incident: { targetVersion: 'v1.2.2' } });
    expect((await failureOf(scope(deps({})).run(ctx(testConfig())))).message).toContain(
      'rollback.yml has no `database:` section: add one',
    );
    expect((await failureOf(scope(deps({ targetDatabaseUrl: undefined })).run(ctx()))).message).toContain(
      "TARGET_DATABASE_URL is not set: give the bot the app database's postgres:// URL in TARGET_DATABASE_URL",
    );
    const bare = await createAppDatabase({ migrationsTable: false, migrations: [] });
    try {
      const err = await failureOf(scope(deps({ targetDatabaseUrl: bare.url })).run(ctx()));
      expect(err.message).toContain(
        'the migrations table public.schema_migrations does not exist in the app database: set database.migrations_table.schema and .table',
      );
    } finally {
      await bare.drop();
    }
  });

  it('runs a configured revert command with its output streamed to the thread, the password redacted', async () => {
    const db = await createAppDatabase({ seed: true });
    try {
      const url = new URL(db.url);
      url.password = 'Cmd-Pass-Word-42';
      const script = `${import.meta.dirname}/../fixtures/migrations/revert-command.ts`;
      const config = testConfig(
        `database: { revert_command: { argv: [node, ${JSON.stringify(script)}, "{version}", "--to={previous_version}"], timeout: 20s } }`,
      );
      const steps = createDatabaseSteps(deps({ source: null, targetDatabaseUrl: url.toString() }));
      const target = { targetVersion: 'v1.2.2' };
      const scopeDone = testStep('migration_scope', {
        state: 'succeeded',
        output: {
          head: '20261120_add_orgs',
          expectedVersion: '20261110_add_projects',
          report: '',
          toRevert: [
            {
              version: '20261120_add_orgs',
              name: '20261120_add_orgs',
              file: 'x',
              previousVersion: '20261110_add_projects',
            },
          ],
        },
      });
      const revert = steps.migration_revert as PlannedExecutor;
      const planned = await revert.plan(
        testContext('migration_revert', config, { incident: target, steps: [scopeDone] }),
      );
      expect(planned.summary).toContain(
        `Runs \`node ${script} 20261120_add_orgs --to=20261110_add_projects\` (no shell; the database URL only in its environment; stopped after 20s)`,
      );
      const ctx = testContext('migration_revert', config, { incident: target, steps: [scopeDone] });
      const done = await revert.apply({ ...ctx, plan: planned.plan });
      expect(done.summary).toContain('reverted 20261120_add_orgs (ran `node ');
      const progress = ctx.progressLines.join('\n');
      expect(progress).toContain('revert command output:\nconnecting to [redacted]');
      expect(progress).toContain('env: DATABASE_URL,PATH');
      expect(progress).toContain('reverted 20261120_add_orgs, now at 20261110_add_projects');
      expect(JSON.stringify([planned, done, ctx.progressLines])).not.toContain('Cmd-Pass-Word-42');
      expect(await db.query('select version from schema_migrations order by inserted_at desc limit 1')).toEqual([
        { version: '20261110_add_projects' },
      ]);
    } finally {
      await db.drop();
    }
  });

  it('reverts one migration per attempt, newest first: applying one plans the next, which needs its own approvals', async () => {
    const db = await createAppDatabase({ seed: true });
    try {
      const files = [...SHIPPED, { filename: 'supabase/migrations/20261110_add_projects.sql', status: 'added' }];
      const downs = {
        'supabase/migrations/20261120_add_orgs.down.sql': fixture('20261120_add_orgs.down.sql'),
        'supabase/migrations/20261110_add_projects.down.sql': 'drop table projects;',
      };
      const steps = createDatabaseSteps(deps({ source: source(files, downs), targetDatabaseUrl: db.url }));
      const scopeCtx = testContext('migration_scope', withDatabase, { incident: { targetVersion: 'v1.2.2' } });
      const scope = await (steps.migration_scope as RunExecutor).run(scopeCtx);
      const scopeDone = testStep('migration_scope', { state: 'succeeded', output: scope.output });
      const revert = steps.migration_revert as PlannedExecutor;

      const target = { targetVersion: 'v1.2.2' };
      const first = await revert.plan(
        testContext('migration_revert', withDatabase, { incident: target, steps: [scopeDone] }),
      );
      expect(first.summary).toContain(
        'One migration at a time: 1 more from v1.2.3 (20261110_add_projects) remain after this one; the next is planned when this one is done, and needs its own two approvals.',
      );
      const applyCtx = testContext('migration_revert', withDatabase, { incident: target, steps: [scopeDone] });
      const continued = await revert.apply({ ...applyCtx, plan: first.plan });
      expect(continued.outcome).toBe('awaiting_approval');
      expect(continued.summary).toMatch(
        /^reverted 20261120_add_orgs \(applied supabase\/migrations\/20261120_add_orgs.down.sql\); database at 20261110_add_projects. 1 more migration from v1.2.3 to go, newest first — next: Revert 20261110_add_projects: the database goes from 20261110_add_projects to 20261101_init./,
      );
      expect(continued.summary).toContain('WARNING: drops table projects and every row in it');
      expect(applyCtx.checkpoints).toEqual([{ reverted: ['20261120_add_orgs'], head: '20261110_add_projects' }]);

      const next = testContext('migration_revert', withDatabase, {
        incident: target,
        steps: [scopeDone],
        previous: { ...applyCtx.previous, ...continued.output },
      });
      const done = await revert.apply({ ...next, plan: continued.output!.plan as Record<string, unknown> });
      expect(done.summary).toBe(
        'reverted 20261110_add_projects (applied supabase/migrations/20261110_add_projects.down.sql); database at 20261101_init, what v1.2.2 expects',
      );
      expect(done.output?.reverted).toEqual(['20261120_add_orgs', '20261110_add_projects']);
      expect(
        await failureOf(
          revert.plan(testContext('migration_revert', withDatabase, { incident: target, steps: [scopeDone] })),
        ),
      ).toMatchObject({
        message:
          'nothing left to revert: the database is at 20261101_init, what the target expects — Skip this step with a reason',
      });
    } finally {
      await db.drop();
    }
  });
});

it('the commented database section of rollback.example.yml is valid config once uncommented', () => {
  const example = readFileSync('rollback.example.yml', 'utf8');
  const start = example.indexOf('# database:\n');
  const block = example.slice(start, example.indexOf('\n\n', start));
  const config = parseRunbookConfig(example.replace(block, block.replace(/^# /gm, '')), 'rollback.example.yml');
  expect(config.database).toMatchObject({
    migrations_table: {
      schema: 'public',
      table: 'schema_migrations',
      version_column: 'version',
      order_column: 'inserted_at',
    },
    lock_timeout: 5000,
    backups: { directory: '/backups', filename: 'prod-{timestamp}.dump' },
    restore: { server_url_env: 'RESTORE_DATABASE_URL', timeout: 3_600_000 },
    promotion: { secret: 'app-db', key: 'DATABASE_URL', deployments: ['api', 'worker'] },
  });
  expect(config.database?.revert_command).toBeUndefined();
});
