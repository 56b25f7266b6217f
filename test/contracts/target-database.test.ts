/**
 * The TargetDatabase contract (flows/ports/database.ts), run against node-postgres on the real
 * Postgres and the in-memory fake (test/fakes/fake-target-database.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgTargetDatabase } from '../../src/adapters/target-db/pg-target-database.ts';
import { migrationsTableSchema } from '../../src/config/database.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import type { TargetDatabase } from '../../src/flows/ports.ts';
import { createFakeTargetDatabase } from '../fakes/fake-target-database.ts';
import { adminQuery, urlFor } from '../fixtures/migrations/app-database.ts';

interface Seed {
  /** Applied oldest first; null: no migrations table. */
  migrations: readonly string[] | null;
  /** Tables and how many rows each holds. */
  tables?: Record<string, number>;
}

interface Harness {
  db: TargetDatabase;
  /** A new database holding `seed`; returns its URL. */
  create(seed: Seed): Promise<string>;
}

const created: string[] = [];

afterAll(async () => {
  for (const name of created) await adminQuery(`drop database if exists ${name} with (force)`);
});

async function createRealDatabase(seed: Seed): Promise<string> {
  const name = `rc_contract_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  created.push(name);
  const url = urlFor(name);
  const statements: string[] = [];
  if (seed.migrations) {
    statements.push('create table schema_migrations (version text primary key, inserted_at timestamptz not null)');
    for (const [i, version] of seed.migrations.entries())
      statements.push(
        `insert into schema_migrations values ('${version}', timestamptz '2026-11-01T00:00:00Z' + ${i} * interval '1 day')`,
      );
  }
  for (const [table, rows] of Object.entries(seed.tables ?? {})) {
    statements.push(`create table ${table} (id int)`, `insert into ${table} select generate_series(1, ${rows})`);
  }
  if (statements.length) await adminQuery(statements.join(';\n'), [], url);
  return url;
}

const implementations: [string, () => Harness][] = [
  ['node-postgres (real Postgres)', () => ({ db: createPgTargetDatabase(), create: createRealDatabase })],
  [
    'in-memory fake',
    () => {
      const fake = createFakeTargetDatabase();
      return {
        db: fake,
        create: async (seed) => {
          const url = `postgres://app@fake:5432/db_${randomBytes(4).toString('hex')}`;
          fake.add(url, seed);
          return url;
        },
      };
    },
  ],
];

const TABLE = migrationsTableSchema.parse({});
const MIGRATIONS = ['20261101_init', '20261110_add_projects', '20261120_add_orgs'];
const down = (version: string, sql = 'drop table orgs') => ({
  version,
  sql,
  lockTimeoutMs: 5000,
  statementTimeoutMs: 10_000,
});
const versions = (rows: { version: string }[]) => rows.map((r) => r.version);

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(implementations)('TargetDatabase contract: %s', (_name, make) => {
  it('reads the head and the newest rows, newest first, as many as asked for', async () => {
    const h = make();
    const url = await h.create({ migrations: MIGRATIONS });
    const state = await h.db.readHead(url, TABLE);
    expect(state.head?.version).toBe('20261120_add_orgs');
    expect(state.head?.appliedAt).toBeTruthy();
    expect(versions(state.recent)).toEqual([...MIGRATIONS].reverse());
    expect(versions((await h.db.readHead(url, TABLE, { recent: 1 })).recent)).toEqual(['20261120_add_orgs']);
    expect(await h.db.readHead(await h.create({ migrations: [] }), TABLE)).toEqual({ head: null, recent: [] });
  });

  it('says to configure the migrations table when it does not exist', async () => {
    const h = make();
    const err = await failure(h.db.readHead(await h.create({ migrations: null }), TABLE));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('config_invalid');
    expect(err.message).toContain('the migrations table public.schema_migrations does not exist');
  });

  it('reverts the head migration once: a second apply (a retry after the commit) changes nothing', async () => {
    const h = make();
    const url = await h.create({ migrations: MIGRATIONS, tables: { orgs: 2, users: 3 } });
    const first = await h.db.applyDown(url, TABLE, down('20261120_add_orgs'));
    expect(first).toMatchObject({ applied: true, head: { version: '20261110_add_projects' } });
    const again = await h.db.applyDown(url, TABLE, down('20261120_add_orgs'));
    expect(again).toMatchObject({ applied: false, head: { version: '20261110_add_projects' } });
    expect(versions((await h.db.readHead(url, TABLE)).recent)).toEqual(['20261110_add_projects', '20261101_init']);
    const report = await h.db.validate(url, {
      table: TABLE,
      countTables: ['users', 'orgs'],
      checks: [],
      statementTimeoutMs: 5000,
    });
    expect(report.rowCounts).toEqual({ users: 3 });
    expect(report.checks.find((c) => c.name === 'rows in orgs')).toMatchObject({
      ok: false,
      detail: 'relation "orgs" does not exist',
    });
  });

  it('refuses to revert a migration that is not the newest, and changes nothing', async () => {
    const h = make();
    const url = await h.create({ migrations: MIGRATIONS, tables: { projects: 1 } });
    const err = await failure(h.db.applyDown(url, TABLE, down('20261110_add_projects', 'drop table projects')));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('conflict');
    expect(err.message).toContain('20261110_add_projects is applied but is not the newest migration');
    expect(versions((await h.db.readHead(url, TABLE)).recent)).toEqual([...MIGRATIONS].reverse());
    expect(
      (await h.db.validate(url, { table: TABLE, countTables: ['projects'], checks: [], statementTimeoutMs: 5000 }))
        .rowCounts,
    ).toEqual({ projects: 1 });
  });

  it('refuses a down migration that manages its own transaction', async () => {
    const h = make();
    const url = await h.create({ migrations: MIGRATIONS, tables: { orgs: 1 } });
    const err = await failure(h.db.applyDown(url, TABLE, down('20261120_add_orgs', 'BEGIN; drop table orgs; COMMIT;')));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('must not manage its own transaction');
    expect((await h.db.readHead(url, TABLE)).head?.version).toBe('20261120_add_orgs');
  });

  it('validates: the head, row counts and each check, ok only when every one passes', async () => {
    const h = make();
    const url = await h.create({ migrations: MIGRATIONS, tables: { users: 4 } });
    const pass = await h.db.validate(url, {
      table: TABLE,
      countTables: ['users'],
      checks: [{ name: 'always', sql: 'select true' }],
      statementTimeoutMs: 5000,
    });
    expect(pass).toEqual({
      ok: true,
      headVersion: '20261120_add_orgs',
      rowCounts: { users: 4 },
      checks: [
        { name: 'public.schema_migrations exists', ok: true, detail: 'head 20261120_add_orgs' },
        { name: 'rows in users', ok: true, detail: '4 rows' },
        { name: 'always', ok: true, detail: 'true' },
      ],
    });
    const fail = await h.db.validate(url, {
      table: TABLE,
      countTables: [],
      checks: [{ name: 'never', sql: 'select false' }],
      statementTimeoutMs: 5000,
    });
    expect(fail.ok).toBe(false);
    expect(fail.checks.at(-1)).toEqual({ name: 'never', ok: false, detail: 'returned false, expected true' });
    const empty = await h.db.validate(await h.create({ migrations: [] }), {
      table: TABLE,
      countTables: [],
      checks: [],
      statementTimeoutMs: 5000,
    });
    expect(empty).toMatchObject({
      ok: false,
      headVersion: null,
      checks: [{ name: 'public.schema_migrations exists', ok: false, detail: 'it is empty' }],
    });
  });
});
