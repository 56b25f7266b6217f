/**
 * The built-in revert: the version's down SQL and the removal of its schema_migrations row in ONE
 * transaction, under SET LOCAL lock_timeout/statement_timeout so it gives up instead of queueing
 * behind production traffic. Any failure rolls everything back: schema and table stay as they were.
 */
import type pg from 'pg';
import type { MigrationsTableConfig } from '../../config/database.ts';
import { AppError, UserFacingError, withContext } from '../../domain/errors.ts';
import { describePg } from '../../domain/pg-url.ts';
import { splitSqlStatements } from '../../domain/sql-statements.ts';
import type { DownMigration, DownMigrationResult } from '../../flows/ports/database.ts';
import { pgErrorCode, withPg } from './connect-pg.ts';
import { migrationsTableSql } from './migrations-table-sql.ts';
import { explainTableError, readRecent } from './read-head-migration.ts';

const TRANSACTION_CONTROL =
  /^(BEGIN|COMMIT|ROLLBACK|END|ABORT|START\s+TRANSACTION|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION)\b/i;

export async function applyDownMigration(
  url: string,
  table: MigrationsTableConfig,
  down: DownMigration,
): Promise<DownMigrationResult> {
  const control = splitSqlStatements(down.sql).find((s) => TRANSACTION_CONTROL.test(s));
  if (control) {
    throw new UserFacingError(
      'invalid_input',
      `the down migration for ${down.version} contains "${control.slice(0, 40)}": it must not manage its own transaction, ` +
        `because Rollback Commander runs it in one so a failure changes nothing — remove that statement from the down file`,
    );
  }
  try {
    return await withPg(url, {}, async (client) => {
      await client.query('BEGIN');
      try {
        const result = await revertInTransaction(client, table, down);
        await client.query(result.applied ? 'COMMIT' : 'ROLLBACK');
        const [head] = await readRecent(client, table, 1);
        return { applied: result.applied, head: head ?? null };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw explainFailure(down, err);
      }
    });
  } catch (err) {
    throw withContext(`while reverting migration ${down.version} on ${describePg(url)}`, err);
  }
}

async function revertInTransaction(
  client: pg.Client,
  table: MigrationsTableConfig,
  down: DownMigration,
): Promise<{ applied: boolean }> {
  const { qualified, version } = migrationsTableSql(table);
  await client.query(`SET LOCAL lock_timeout = '${Math.round(down.lockTimeoutMs)}ms'`);
  await client.query(`SET LOCAL statement_timeout = '${Math.round(down.statementTimeoutMs)}ms'`);
  // Keeps a deploy from recording a new migration while this one is reverted.
  await client.query(`LOCK TABLE ${qualified} IN SHARE ROW EXCLUSIVE MODE`).catch((err: unknown) => {
    throw explainTableError(table, err);
  });
  const [head] = await readRecent(client, table, 1);
  const present = await client.query(`select 1 from ${qualified} where ${version}::text = $1`, [down.version]);
  if (present.rowCount === 0) return { applied: false };
  if (head?.version !== down.version) {
    throw new UserFacingError(
      'conflict',
      `${down.version} is applied but is not the newest migration (the database is at ${head?.version}): migrations are reverted one at a time, newest first — run the migration scope step again`,
    );
  }
  await client.query(down.sql);
  await client.query(`delete from ${qualified} where ${version}::text = $1`, [down.version]);
  return { applied: true };
}

function explainFailure(down: DownMigration, err: unknown): unknown {
  if (err instanceof AppError) return err;
  const code = pgErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const unchanged = 'the transaction was rolled back, nothing was changed';
  if (code === '55P03') {
    return new UserFacingError(
      'timeout',
      `could not get a lock within lock_timeout (${down.lockTimeoutMs} ms): live traffic holds locks on these tables; ${unchanged}. Retry, or raise database.lock_timeout`,
      { cause: err, transient: true },
    );
  }
  if (code === '57014') {
    return new UserFacingError(
      'timeout',
      `the down migration ran longer than statement_timeout (${down.statementTimeoutMs} ms); ${unchanged}. Raise database.statement_timeout or plan a forward-fix`,
      { cause: err },
    );
  }
  const position = Number((err as { position?: string }).position);
  const line =
    Number.isFinite(position) && position > 0
      ? ` (line ${down.sql.slice(0, position).split('\n').length} of the down file)`
      : '';
  return new UserFacingError(
    'upstream_error',
    `the down migration failed: ${message}${line}; ${unchanged}. Fix the down file, or plan a forward-fix instead`,
    { cause: err },
  );
}
