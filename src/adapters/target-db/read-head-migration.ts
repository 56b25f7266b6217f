/**
 * The runbook's "Fetch the last applied migration"
 * (`select version from schema_migrations order by inserted_at desc limit 1`), with the table and
 * columns from config, over a read-only session: this step only looks at production.
 */
import type pg from 'pg';
import type { MigrationsTableConfig } from '../../config/database.ts';
import { UserFacingError, withContext } from '../../domain/errors.ts';
import { describePg } from '../../domain/pg-url.ts';
import type { AppliedMigration, MigrationState } from '../../flows/ports/database.ts';
import { pgErrorCode, withPg } from './connect-pg.ts';
import { migrationsTableSql } from './migrations-table-sql.ts';

export async function readHeadMigration(
  url: string,
  table: MigrationsTableConfig,
  options: { recent?: number } = {},
): Promise<MigrationState> {
  try {
    return await withPg(url, { readOnly: true }, async (client) => {
      await client.query('BEGIN TRANSACTION READ ONLY');
      try {
        const recent = await readRecent(client, table, options.recent ?? 50);
        return { head: recent[0] ?? null, recent };
      } finally {
        await client.query('ROLLBACK').catch(() => {});
      }
    });
  } catch (err) {
    throw withContext(`while reading the last applied migration from ${describePg(url)}`, err);
  }
}

/** Newest first; used inside other transactions too (the down migration re-checks the head). */
export async function readRecent(
  client: pg.Client,
  table: MigrationsTableConfig,
  limit: number,
  forUpdate = false,
): Promise<AppliedMigration[]> {
  const { qualified, version, order } = migrationsTableSql(table);
  const sql =
    `select ${version}::text as version, ${order}::text as applied_at from ${qualified} ` +
    `order by ${order} desc nulls last, ${version} desc limit ${Number(limit)}${forUpdate ? ' for update' : ''}`;
  try {
    const result = await client.query<{ version: string; applied_at: string | null }>(sql);
    return result.rows.map((r) => ({ version: r.version, appliedAt: r.applied_at }));
  } catch (err) {
    throw explainTableError(table, err);
  }
}

export function explainTableError(table: MigrationsTableConfig, err: unknown): unknown {
  const name = `${table.schema}.${table.table}`;
  switch (pgErrorCode(err)) {
    case '42P01':
    case '3F000':
      return new UserFacingError(
        'config_invalid',
        `the migrations table ${name} does not exist in the app database: set database.migrations_table.schema and .table in rollback.yml ` +
          `to where your migrations are recorded (the Supabase CLI keeps them in supabase_migrations.schema_migrations)`,
        { cause: err },
      );
    case '42703':
      return new UserFacingError(
        'config_invalid',
        `the migrations table ${name} has no column ${table.version_column} or ${table.order_column}: set database.migrations_table.version_column ` +
          `and .order_column in rollback.yml (a table without a timestamp column can order by its version column)`,
        { cause: err },
      );
    case '42501':
      return new UserFacingError(
        'forbidden',
        `the app database user may not read ${name}: grant it SELECT on that table`,
        { cause: err },
      );
    default:
      return err;
  }
}
