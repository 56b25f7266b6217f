import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { applyDownMigration } from '../../src/adapters/target-db/apply-down-migration.ts';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { isTransient, UserFacingError } from '../../src/domain/errors.ts';
import type { MigrationSource } from '../../src/flows/ports.ts';
import { describeDestructive } from '../../src/flows/steps/migration_revert/describe-destructive.ts';
import { planMigrationRevert, runMigrationRevert } from '../../src/flows/steps/migration_revert/migration-revert.ts';
import { computeMigrationScope } from '../../src/flows/steps/migration_scope/compute-migration-scope.ts';
import { type AppDatabase, createAppDatabase, fixture, snapshot } from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';

const config = databaseConfigSchema.parse({
  migrations: { path: 'db/migrations' },
  lock_timeout: '300ms',
  statement_timeout: '10s',
});
const table = config.migrations_table;
const down = (sql: string) => ({
  version: '20261120_add_orgs',
  sql,
  lockTimeoutMs: config.lock_timeout,
  statementTimeoutMs: config.statement_timeout,
});

let db: AppDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

async function seeded(): Promise<AppDatabase> {
  db = await createAppDatabase({ seed: true });
  return db;
}

describe('applyDownMigration', () => {
  it('reverts the schema and removes the version row in one transaction, then reports the new head', async () => {
    const app = await seeded();
    const result = await applyDownMigration(app.url, table, down(fixture('20261120_add_orgs.down.sql')));
    expect(result).toEqual({ applied: true, head: expect.objectContaining({ version: '20261110_add_projects' }) });
    expect(await app.query(`select to_regclass('public.orgs') as t`)).toEqual([{ t: null }]);
    expect(
      await app.query(`select column_name from information_schema.columns where table_name = 'users' order by 1`),
    ).toEqual([{ column_name: 'created_at' }, { column_name: 'email' }, { column_name: 'id' }]);
    expect(await app.query(`select count(*)::int as n from users`)).toEqual([{ n: 2 }]);
  });

  it('leaves schema AND schema_migrations exactly as before when the down SQL fails half-way', async () => {
    const app = await seeded();
    const before = await snapshot(app);
    const err = await applyDownMigration(app.url, table, down(fixture('20261120_add_orgs.broken.down.sql'))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('relation "organisations" does not exist (line 4 of the down file)');
    expect((err as Error).message).toContain('the transaction was rolled back, nothing was changed');
    expect(await snapshot(app)).toEqual(before);
  });

  it('gives up after lock_timeout instead of queueing behind traffic, changing nothing', async () => {
    const app = await seeded();
    const before = await snapshot(app);
    const traffic = new pg.Client({ connectionString: app.url });
    await traffic.connect();
    try {
      await traffic.query('begin');
      await traffic.query('lock table users in access share mode');
      const err = await applyDownMigration(app.url, table, down(fixture('20261120_add_orgs.down.sql'))).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UserFacingError);
      expect((err as Error).message).toContain('could not get a lock within lock_timeout (300 ms)');
      expect(isTransient(err)).toBe(true);
    } finally {
      await traffic.query('rollback');
      await traffic.end();
    }
    expect(await snapshot(app)).toEqual(before);
  });

  it('is a no-op on retry once the version is gone (a crash after COMMIT)', async () => {
    const app = await seeded();
    await applyDownMigration(app.url, table, down(fixture('20261120_add_orgs.down.sql')));
    const again = await applyDownMigration(app.url, table, down(fixture('20261120_add_orgs.down.sql')));
    expect(again).toEqual({ applied: false, head: expect.objectContaining({ version: '20261110_add_projects' }) });
  });

  it('refuses a version that is not the head, and SQL that manages its own transaction', async () => {
    const app = await seeded();
    const notHead = await applyDownMigration(app.url, table, {
      ...down('drop table projects'),
      version: '20261110_add_projects',
    }).catch((e: unknown) => e);
    expect((notHead as Error).message).toContain('is not the newest migration (the database is at 20261120_add_orgs)');
    const selfCommitting = await applyDownMigration(
      app.url,
      table,
      down('drop table orgs;\ncommit;\nalter table users drop column org_id;'),
    ).catch((e: unknown) => e);
    expect((selfCommitting as Error).message).toContain('contains "commit": it must not manage its own transaction');
    expect(await app.query(`select count(*)::int as n from orgs`)).toEqual([{ n: 1 }]);
  });
});

describe('describeDestructive', () => {
  it('warns on dropped tables and columns, truncates and deletes — not on comments or strings', () => {
    const warnings = describeDestructive(`
      -- drop table not_this_one;
      alter table users drop column org_id, drop constraint users_org_fk, alter column email drop not null;
      alter table projects drop if exists legacy;
      drop table if exists orgs, teams cascade;
      truncate table audit_log;
      delete from sessions where expired;
      comment on table users is 'drop table nope; truncate nope';
      create function f() returns void language plpgsql as $$ begin delete from x; end $$;
      insert into notes values (E'it\\'s; drop table escaped_string');
    `);
    expect(warnings.map((w) => w.message)).toEqual([
      'drops column users.org_id and its data',
      'drops column projects.legacy and its data',
      'drops table orgs, teams and every row in it',
      'empties audit_log',
      'deletes rows from sessions',
    ]);
  });
});

describe('migration revert step functions', () => {
  const scopeFor = () =>
    computeMigrationScope({
      head: '20261120_add_orgs',
      applied: ['20261120_add_orgs', '20261110_add_projects', '20261101_init'],
      shippedFiles: [{ filename: 'db/migrations/20261120_add_orgs.sql', status: 'added' }],
      migrationsPath: 'db/migrations',
      badVersion: 'v1.2.3',
      targetVersion: 'v1.2.2',
    });
  const sourceWith = (files: Record<string, string>): MigrationSource & { reads: string[] } => {
    const reads: string[] = [];
    return {
      reads,
      compare: async () => ({ files: [] }),
      listDirectory: async () => null,
      getFileContent: async (path, ref) => {
        reads.push(`${path}@${ref}`);
        return files[path] ?? null;
      },
    };
  };

  it('plans the down file read at the bad tag, shows its SQL and warnings, then applies exactly that', async () => {
    const app = await seeded();
    const source = sourceWith({ 'db/migrations/20261120_add_orgs.down.sql': fixture('20261120_add_orgs.down.sql') });
    const plan = await planMigrationRevert({ source, scope: scopeFor(), config, badVersion: 'v1.2.3' });
    expect(source.reads).toEqual(['db/migrations/20261120_add_orgs.down.sql@v1.2.3']);
    expect(plan.kind).toBe('down_file');
    expect(plan.summary).toBe(
      'revert 20261120_add_orgs by applying db/migrations/20261120_add_orgs.down.sql (v1.2.3) in one transaction — WARNING: drops column users.org_id and its data; drops table orgs and every row in it',
    );
    const result = await runMigrationRevert({ ...REAL_PORTS, plan, targetDatabaseUrl: app.url, config });
    expect(result).toEqual({
      head: '20261110_add_projects',
      alreadyReverted: false,
      summary:
        'reverted 20261120_add_orgs (applied db/migrations/20261120_add_orgs.down.sql); database at 20261110_add_projects',
    });
  });

  it('records a forward-fix instead when there is no down file and no command', async () => {
    const plan = await planMigrationRevert({ source: sourceWith({}), scope: scopeFor(), config, badVersion: 'v1.2.3' });
    expect(plan).toMatchObject({
      kind: 'forward_fix',
      reason:
        '20261120_add_orgs is not reversible here: there is no down migration at db/migrations/20261120_add_orgs.down.sql in v1.2.3 and no database.revert_command — plan a forward-fix',
    });
  });

  it('runs a configured argv command with only the database URL in its environment, redacting it, and re-checks the head', async () => {
    const app = await seeded();
    const script = `${import.meta.dirname}/../fixtures/migrations/revert-command.ts`;
    const withCommand = databaseConfigSchema.parse({
      migrations: { path: 'db/migrations' },
      revert_command: { argv: ['node', script, '{version}', '--to={previous_version}'], timeout: '20s' },
    });
    const plan = await planMigrationRevert({
      source: sourceWith({}),
      scope: scopeFor(),
      config: withCommand,
      badVersion: 'v1.2.3',
    });
    expect(plan).toMatchObject({
      kind: 'command',
      argv: ['node', script, '20261120_add_orgs', '--to=20261110_add_projects'],
    });
    const lines: string[] = [];
    const result = await runMigrationRevert({
      ...REAL_PORTS,
      plan,
      targetDatabaseUrl: app.url,
      config: withCommand,
      env: {},
      onOutput: (l) => lines.push(l.line),
    });
    expect(result.head).toBe('20261110_add_projects');
    expect(lines).toContain('connecting to [redacted]');
    expect(lines).toContain('env: DATABASE_URL,PATH');
    expect(lines.join('\n')).not.toContain(app.url);
  });
});
