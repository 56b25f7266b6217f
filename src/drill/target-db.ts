/**
 * The drill's app database: a database of its own on the local PostgreSQL (never the bot's), with
 * an `orgs` table and the migrations table the runbook reads, and — for the critical scenario —
 * a pg_dump backup on the backups volume, made the way a nightly job would.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createPgPool } from '../adapters/db/pg-pool.ts';
import { UserFacingError } from '../domain/errors.ts';
import { withDatabase } from './drill-config.ts';

const run = promisify(execFile);

export const BASE_MIGRATION = '20261101090000_create_orgs';
/** What v1.2.3 shipped in the migration scenario: reversible, with a down file. */
export const SHIPPED_MIGRATION = '20261120093000_add_org_plan';
export const SHIPPED_UP = "alter table public.orgs add column plan text not null default 'free';\n";
export const SHIPPED_DOWN = 'alter table public.orgs drop column plan;\n';

export interface TargetDatabase {
  url: string;
  name: string;
  /** Back to the start: orgs and the base migration only, or with v1.2.3's migration applied. */
  reset(options: { shippedMigration: boolean }): Promise<void>;
  query<T extends pg.QueryResultRow>(sql: string): Promise<T[]>;
  /** A custom-format dump into `directory` named for `at` (BACKUP_FILENAME's {timestamp}). */
  dump(directory: string, at: Date): Promise<string>;
  /** Drops the app database and every database a drill restored from it. */
  drop(restorePrefix: string): Promise<void>;
  close(): Promise<void>;
}

const ident = (name: string) => pg.escapeIdentifier(name);

export async function createTargetDatabase(botDatabaseUrl: string, name: string): Promise<TargetDatabase> {
  // The drill drops its own app database `with (force)`, which ends any connection still open.
  const admin = createPgPool({ connectionString: botDatabaseUrl, max: 1 }, () => undefined);
  await admin.query(`drop database if exists ${ident(name)} with (force)`);
  await admin.query(`create database ${ident(name)}`);
  const url = withDatabase(botDatabaseUrl, name);
  const pool = createPgPool({ connectionString: url, max: 2 }, () => undefined);
  return {
    url,
    name,
    async reset({ shippedMigration }) {
      await pool.query(`
        drop table if exists public.orgs, public.schema_migrations;
        create table public.schema_migrations (version text primary key, inserted_at timestamptz not null default now());
        create table public.orgs (id serial primary key, name text not null);
        insert into public.orgs (name) select 'org ' || n from generate_series(1, 25) n;
        insert into public.schema_migrations (version, inserted_at) values ('${BASE_MIGRATION}', now() - interval '30 days');
      `);
      if (shippedMigration) {
        await pool.query(
          `${SHIPPED_UP}insert into public.schema_migrations (version, inserted_at) values ('${SHIPPED_MIGRATION}', now() - interval '1 hour');`,
        );
      }
    },
    async query(sql) {
      return (await pool.query(sql)).rows;
    },
    async dump(directory, at) {
      const stamp = at
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      const file = join(directory, `drill-${stamp}.dump`);
      try {
        // argv, no shell; trust auth locally, so no password to hand over.
        await run('pg_dump', ['-Fc', '--no-owner', `--file=${file}`, `--dbname=${url}`], { timeout: 60_000 });
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        throw new UserFacingError(
          'config_invalid',
          missing
            ? 'the critical-restore drill needs pg_dump and pg_restore: install them with `apt-get install postgresql-client`'
            : `could not make the drill's backup with pg_dump: ${(err as Error).message}`,
          { cause: err },
        );
      }
      return file;
    },
    async drop(restorePrefix) {
      await pool.end().catch(() => undefined);
      const restored = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [
        `${restorePrefix}\\_%`,
      ]);
      for (const { datname } of restored.rows)
        await admin.query(`drop database if exists ${ident(datname)} with (force)`);
      await admin.query(`drop database if exists ${ident(name)} with (force)`);
      await admin.end();
    },
    async close() {
      await pool.end().catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}
