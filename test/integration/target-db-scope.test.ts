import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHeadMigration } from '../../src/adapters/target-db/read-head-migration.ts';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import type { MigrationSource } from '../../src/flows/ports.ts';
import { computeMigrationScope } from '../../src/flows/steps/migration_scope/compute-migration-scope.ts';
import { determineMigrationScope } from '../../src/flows/steps/migration_scope/migration-scope.ts';
import { type AppDatabase, createAppDatabase } from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';

const config = databaseConfigSchema.parse({ migrations: { path: 'db/migrations' } });
const table = config.migrations_table;

/** What GitHub's compare says v1.2.3 changed since v1.2.2. */
const RELEASE_FILES = [
  { filename: 'db/migrations/20261120_add_orgs.sql', status: 'added' },
  { filename: 'db/migrations/20261120_add_orgs.down.sql', status: 'added' },
  { filename: 'src/orgs.ts', status: 'added' },
  { filename: 'db/migrations/archive/20250101_old.sql', status: 'added' },
];

describe('reading the app database head', () => {
  let db: AppDatabase;
  beforeAll(async () => {
    db = await createAppDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('returns the newest applied migration by the order column, newest first', async () => {
    const state = await readHeadMigration(db.url, table);
    expect(state.head?.version).toBe('20261120_add_orgs');
    expect(state.recent.map((m) => m.version)).toEqual(['20261120_add_orgs', '20261110_add_projects', '20261101_init']);
  });

  it('reads over a read-only session, so it cannot change production', async () => {
    // The session default is what protects us even if a query were wrong: prove it is set.
    const { connectPg } = await import('../../src/adapters/target-db/connect-pg.ts');
    const client = await connectPg(db.url, { readOnly: true });
    try {
      await expect(client.query('create table should_fail (id int)')).rejects.toThrow(/read-only transaction/);
    } finally {
      await client.end();
    }
  });

  it('names the table and the config keys to fix when the migrations table is missing', async () => {
    const wrong = { ...table, schema: 'supabase_migrations' };
    const err = await readHeadMigration(db.url, wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('supabase_migrations.schema_migrations does not exist');
    expect((err as Error).message).toContain('database.migrations_table.schema and .table');
  });

  it('names the column keys when the order column is missing', async () => {
    const err = await readHeadMigration(db.url, { ...table, order_column: 'applied_at' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('database.migrations_table.version_column and .order_column');
  });

  it('scopes the bad release against the real head: rollback needed, newest first, plain report', async () => {
    const source: MigrationSource = {
      compare: async (base, head) => {
        expect([base, head]).toEqual(['v1.2.2', 'v1.2.3']);
        return { files: RELEASE_FILES };
      },
      getFileContent: async () => null,
      listDirectory: async () => null,
    };
    const scope = await determineMigrationScope({
      ...REAL_PORTS,
      source,
      targetDatabaseUrl: db.url,
      config,
      badVersion: 'v1.2.3',
      targetVersion: 'v1.2.2',
    });
    expect(scope.rollbackNeeded).toBe(true);
    expect(scope.shipped.map((m) => m.name)).toEqual(['20261120_add_orgs']);
    expect(scope.toRevert).toEqual([
      expect.objectContaining({ version: '20261120_add_orgs', previousVersion: '20261110_add_projects' }),
    ]);
    expect(scope.report).toBe(
      'database at 20261120_add_orgs; v1.2.3 shipped 1 migration (20261120_add_orgs); v1.2.2 expects 20261110_add_projects — revert 1 migration, newest first: 20261120_add_orgs',
    );
  });
});

describe('computeMigrationScope', () => {
  const base = { migrationsPath: 'db/migrations', badVersion: 'v1.2.3', targetVersion: 'v1.2.2' };

  it('says no rollback is needed when the shipped migration is not applied', () => {
    const scope = computeMigrationScope({
      ...base,
      head: '20261110_add_projects',
      applied: ['20261110_add_projects'],
      shippedFiles: RELEASE_FILES,
    });
    expect(scope.rollbackNeeded).toBe(false);
    expect(scope.report).toBe(
      'database at 20261110_add_projects; v1.2.3 shipped 1 migration (20261120_add_orgs), none of them at the head — no database rollback needed',
    );
  });

  it('says no rollback is needed when the release shipped no migrations', () => {
    const scope = computeMigrationScope({
      ...base,
      head: '20261110_add_projects',
      shippedFiles: [{ filename: 'src/app.ts', status: 'modified' }],
    });
    expect(scope.report).toBe(
      'database at 20261110_add_projects; v1.2.3 shipped no migrations — no database rollback needed',
    );
  });

  it('lists several shipped migrations newest first, each with the version it returns to', () => {
    const scope = computeMigrationScope({
      ...base,
      head: '20261122_b',
      applied: ['20261122_b', '20261121_a', '20261110_add_projects'],
      shippedFiles: [
        { filename: 'db/migrations/20261121_a.sql', status: 'added' },
        { filename: 'db/migrations/20261122_b.sql', status: 'added' },
      ],
    });
    expect(scope.toRevert.map((m) => [m.version, m.previousVersion])).toEqual([
      ['20261122_b', '20261121_a'],
      ['20261121_a', '20261110_add_projects'],
    ]);
    expect(scope.expectedVersion).toBe('20261110_add_projects');
  });

  it('matches Supabase-style versions (the timestamp prefix) and flags an edited old migration', () => {
    const scope = computeMigrationScope({
      ...base,
      versionStyle: 'timestamp_prefix',
      head: '20261120093000',
      applied: ['20261120093000', '20261101000000'],
      shippedFiles: [
        { filename: 'db/migrations/20261120093000_add_orgs.sql', status: 'added' },
        { filename: 'db/migrations/20261101000000_init.sql', status: 'modified' },
      ],
    });
    expect(scope.toRevert).toEqual([
      expect.objectContaining({ version: '20261120093000', name: '20261120093000_add_orgs' }),
    ]);
    expect(scope.notes).toEqual([
      expect.stringContaining('changed the existing migration db/migrations/20261101000000_init.sql'),
    ]);
  });

  it('notes a shipped migration buried under a newer one instead of reverting past it', () => {
    const scope = computeMigrationScope({
      ...base,
      head: '20261123_hotfix',
      applied: ['20261123_hotfix', '20261120_add_orgs', '20261110_add_projects'],
      shippedFiles: RELEASE_FILES,
    });
    expect(scope.rollbackNeeded).toBe(false);
    expect(scope.notes[0]).toContain('20261120_add_orgs from v1.2.3 is applied but newer migrations sit on top of it');
  });
});

describe('database config', () => {
  it('defaults to the runbook: public.schema_migrations by inserted_at, down files beside the migrations', () => {
    const defaults = databaseConfigSchema.parse({});
    expect(defaults.migrations_table).toEqual({
      schema: 'public',
      table: 'schema_migrations',
      version_column: 'version',
      order_column: 'inserted_at',
    });
    expect(defaults.migrations).toEqual({
      path: 'supabase/migrations',
      version: 'file_name',
      down_file: '{path}/{version}.down.sql',
    });
    expect(defaults).toMatchObject({
      lock_timeout: 5000,
      statement_timeout: 300_000,
      restore: { database_prefix: 'rc_restore', timeout: 3_600_000 },
    });
  });

  it('rejects what would not work, naming the fix', () => {
    const result = databaseConfigSchema.safeParse({
      migrations_table: { table: 'schema migrations' },
      backups: { directory: 'backups', filename: 'prod.dump' },
      revert_command: { argv: [] },
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual([
      'migrations_table.table: a SQL identifier is letters, digits and "_", like schema_migrations',
      'revert_command.argv: give the command as a list, like ["dbmate", "rollback"]',
      'backups.directory: give an absolute directory, like /backups',
      'backups.filename: the pattern must contain {timestamp}',
    ]);
  });
});
