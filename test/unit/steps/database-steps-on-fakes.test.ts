/**
 * The database steps' executors on the in-memory fakes of their ports (test/fakes/): no Postgres,
 * no pg_restore, no child process. What the ports made possible (issue 12 item 2); the same steps
 * on the real adapters are covered in test/integration/db-steps-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { PlannedExecutor, RunExecutor } from '../../../src/flows/executor.ts';
import type { MigrationSource } from '../../../src/flows/ports.ts';
import type { DatabaseStepDeps } from '../../../src/flows/steps/_shared/db-step-support.ts';
import { createDatabaseSteps } from '../../../src/flows/steps/registry.ts';
import { createFakeBackupStore } from '../../fakes/fake-backup-store.ts';
import { createFakeCommandRunner } from '../../fakes/fake-command-runner.ts';
import { createFakeTargetDatabase } from '../../fakes/fake-target-database.ts';
import { testConfig } from '../../support/runbook-config.ts';
import { failureOf, testContext, testStep } from '../../support/step-context.ts';

const APP_URL = 'postgres://app:app-pass-1234@app-db:5432/app';
const MIGRATIONS = ['20261101_init', '20261110_add_projects', '20261120_add_orgs'];
const SHIPPED = [
  { filename: 'supabase/migrations/20261110_add_projects.sql', status: 'added' },
  { filename: 'supabase/migrations/20261120_add_orgs.sql', status: 'added' },
];
const DOWNS: Record<string, string> = {
  'supabase/migrations/20261120_add_orgs.down.sql': 'drop table orgs;',
  'supabase/migrations/20261110_add_projects.down.sql': 'drop table projects;',
};

function fakes() {
  const database = createFakeTargetDatabase();
  const backups = createFakeBackupStore();
  const commands = createFakeCommandRunner();
  const source: MigrationSource = {
    compare: async () => ({ files: SHIPPED }),
    getFileContent: async (path) => DOWNS[path] ?? null,
    listDirectory: async () => null,
  };
  const secrets = new Map<string, string>([['app-db/DATABASE_URL', APP_URL]]);
  const restarts: string[] = [];
  const deps: DatabaseStepDeps = {
    source,
    targetDatabaseUrl: APP_URL,
    env: {},
    installation: 'rc_test/production',
    secrets: {
      readKey: async (secret, key) => secrets.get(`${secret}/${key}`),
      writeKey: async (secret, key, value) => void secrets.set(`${secret}/${key}`, value),
      readManagers: async () => [],
    },
    deployments: {
      restart: async (name, at) => void restarts.push(`${name}@${at.toISOString()}`),
      waitForRollout: async () => {},
    },
    database,
    backups,
    commands,
  };
  return { deps, database, backups, commands, secrets, restarts };
}

describe('database steps on the fakes', () => {
  it('scopes, then reverts two migrations newest first, one plan and apply each', async () => {
    const { deps, database } = fakes();
    const app = database.add(APP_URL, { migrations: MIGRATIONS, tables: { projects: 2, orgs: 1 } });
    const config = testConfig('database: {}');
    const steps = createDatabaseSteps(deps);
    const target = { targetVersion: 'v1.2.2' };

    const scope = await (steps.migration_scope as RunExecutor).run(
      testContext('migration_scope', config, { incident: target }),
    );
    expect(scope.output).toMatchObject({
      head: '20261120_add_orgs',
      rollbackNeeded: true,
      expectedVersion: '20261101_init',
    });
    const scopeDone = testStep('migration_scope', { state: 'succeeded', output: scope.output });

    const revert = steps.migration_revert as PlannedExecutor;
    const first = await revert.plan(testContext('migration_revert', config, { incident: target, steps: [scopeDone] }));
    expect(first.summary).toContain(
      'Revert 20261120_add_orgs: the database goes from 20261120_add_orgs to 20261110_add_projects.',
    );
    const ctx = testContext('migration_revert', config, { incident: target, steps: [scopeDone] });
    const continued = await revert.apply({ ...ctx, plan: first.plan });
    expect(continued.outcome).toBe('awaiting_approval');
    expect(app.downSql).toEqual(['drop table orgs;']);

    const next = testContext('migration_revert', config, {
      incident: target,
      steps: [scopeDone],
      previous: { ...ctx.previous, ...continued.output },
    });
    const done = await revert.apply({ ...next, plan: continued.output!.plan as Record<string, unknown> });
    expect(done.summary).toBe(
      'reverted 20261110_add_projects (applied supabase/migrations/20261110_add_projects.down.sql); database at 20261101_init, what v1.2.2 expects',
    );
    expect(app.downSql).toEqual(['drop table orgs;', 'drop table projects;']);
    expect([...app.tables.keys()]).toEqual([]);
  });

  it('refuses to apply a plan that is not in the shape migration_revert plans, and touches nothing', async () => {
    const { deps, database } = fakes();
    const app = database.add(APP_URL, { migrations: MIGRATIONS, tables: { projects: 2, orgs: 1 } });
    const config = testConfig('database: {}');
    const revert = createDatabaseSteps(deps).migration_revert as PlannedExecutor;
    const ctx = testContext('migration_revert', config, { incident: { targetVersion: 'v1.2.2' } });
    // A down-file plan without its SQL: applying it would have to guess what two people approved.
    const plan = {
      kind: 'down_file',
      migration: { version: '20261120_add_orgs', name: '20261120_add_orgs', file: 'x', previousVersion: null },
      summary: 'revert 20261120_add_orgs',
      file: 'supabase/migrations/20261120_add_orgs.down.sql',
      ref: 'v1.2.3',
      sha256: '0'.repeat(64),
      warnings: [],
      head: '20261120_add_orgs',
      remainingAfter: [],
      expectedVersion: '20261110_add_projects',
      requestedBy: null,
    };
    const refused = await failureOf(revert.apply({ ...ctx, plan }));
    expect(refused.message).toBe(
      "the migration_revert step's plan is not in the shape its schema says (sql: Invalid input: expected string, received undefined)",
    );
    expect(app.downSql).toEqual([]);
    expect(ctx.progressLines).toEqual([]);
  });

  it('runs a configured revert command through the CommandRunner, the database URL only in its environment', async () => {
    const { deps, database, commands } = fakes();
    const app = database.add(APP_URL, { migrations: MIGRATIONS });
    commands.define('dbmate', { output: [{ stream: 'stdout', line: `connecting to ${APP_URL}` }] });
    // The fake command does what dbmate would: the migration's row goes.
    const run = commands.run.bind(commands);
    commands.run = async (options) => {
      const result = await run(options);
      app.migrations = app.migrations!.filter((m) => m.version !== '20261120_add_orgs');
      return result;
    };
    const config = testConfig('database: { revert_command: { argv: [dbmate, rollback, "{version}"] } }');
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
    const revert = createDatabaseSteps(deps).migration_revert as PlannedExecutor;
    const target = { targetVersion: 'v1.2.2' };
    const planned = await revert.plan(
      testContext('migration_revert', config, { incident: target, steps: [scopeDone] }),
    );
    const ctx = testContext('migration_revert', config, { incident: target, steps: [scopeDone] });
    const done = await revert.apply({ ...ctx, plan: planned.plan });
    expect(done.summary).toContain('reverted 20261120_add_orgs (ran `dbmate rollback 20261120_add_orgs`)');
    expect(commands.calls.map((c) => [c.argv, c.env])).toEqual([
      [['dbmate', 'rollback', '20261120_add_orgs'], { DATABASE_URL: APP_URL }],
    ]);
    expect(ctx.progressLines.join('\n')).toContain('revert command output:\nconnecting to [redacted]');
    expect(JSON.stringify([planned, done, ctx.progressLines])).not.toContain('app-pass-1234');
  });

  it('restores a backup, promotes it (Secret swapped, old value kept), and refuses to abandon it once promoted', async () => {
    const { deps, database, backups, secrets, restarts } = fakes();
    backups.addFile('/backups', 'prod-20261124T020000Z.dump');
    backups.addFile('/backups', 'prod-20261124T040000Z.dump');
    const config = testConfig(
      'database: { backups: { directory: /backups, filename: "prod-{timestamp}.dump" }, validation: { count_tables: [users] }, promotion: { secret: app-db, key: DATABASE_URL, deployments: [api] } }',
    );
    const critical = { critical: true, detectedAt: new Date('2026-11-24T03:00:00Z') };
    const steps = createDatabaseSteps(deps);

    const restore = steps.backup_restore as PlannedExecutor;
    const plan = await restore.plan(testContext('backup_restore', config, { incident: critical }));
    expect(plan.summary).toContain('prod-20261124T020000Z.dump');
    const restoredName = String(plan.plan.database);
    expect(restoredName).toMatch(/^rc_restore_[0-9a-f]{6}_rb_1/);
    const restoredUrl = `postgres://app:app-pass-1234@app-db:5432/${restoredName}`;
    database.add(restoredUrl, { migrations: MIGRATIONS, tables: { users: 12 } });
    const restored = await restore.apply({
      ...testContext('backup_restore', config, { incident: critical }),
      plan: plan.plan,
    });
    expect(restored.summary).toContain('validation passed');
    expect(backups.databases.get(restoredName)?.marker).toMatchObject({ incident: 'rb-1', state: 'restored' });

    const restoreDone = testStep('backup_restore', { state: 'succeeded', output: restored.output });
    const promote = steps.backup_promote as PlannedExecutor;
    const promotion = await promote.plan(
      testContext('backup_promote', config, { incident: critical, steps: [restoreDone] }),
    );
    const promoted = await promote.apply({
      ...testContext('backup_promote', config, { incident: critical, steps: [restoreDone] }),
      plan: promotion.plan,
    });
    expect(promoted.output).toMatchObject({ promoted: true, previousValueKey: 'DATABASE_URL.previous' });
    expect(secrets.get('app-db/DATABASE_URL')).toBe(restoredUrl);
    expect(secrets.get('app-db/DATABASE_URL.previous')).toBe(APP_URL);
    expect(restarts).toHaveLength(1);
    expect(backups.databases.get(restoredName)?.marker?.state).toBe('promoted');

    const abandon = steps.backup_abandon as PlannedExecutor;
    const abandonPlan = await abandon.plan(
      testContext('backup_abandon', config, { incident: critical, steps: [restoreDone] }),
    );
    const refused = await failureOf(
      abandon.apply({
        ...testContext('backup_abandon', config, { incident: critical, steps: [restoreDone] }),
        plan: abandonPlan.plan,
      }),
    );
    expect(refused.message).toContain('was promoted and serves the app now');
  });
});
