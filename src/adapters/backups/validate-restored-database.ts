/**
 * Checks on a restored database before anyone may promote it: the migrations table is there and
 * where it stands, row counts of the configured tables, and the team's own SQL checks. Each check
 * runs in its own read-only transaction with a statement timeout, so one failure doesn't hide the rest.
 */
import pg from 'pg';
import { withContext } from '../../domain/errors.ts';
import { describePg } from '../../domain/pg-url.ts';
import type { ValidationCheckResult, ValidationOptions, ValidationReport } from '../../flows/ports/database.ts';
import { withPg } from '../target-db/connect-pg.ts';
import { readRecent } from '../target-db/read-head-migration.ts';

export async function validateRestoredDatabase(url: string, options: ValidationOptions): Promise<ValidationReport> {
  try {
    return await withPg(url, { readOnly: true }, async (client) => {
      const run = <T>(fn: () => Promise<T>) => inReadOnlyTransaction(client, options.statementTimeoutMs, fn);
      const checks: ValidationCheckResult[] = [];
      const rowCounts: Record<string, number> = {};
      let headVersion: string | null = null;

      const migrations = `${options.table.schema}.${options.table.table}`;
      const head = await run(() => readRecent(client, options.table, 1)).catch((err: unknown) => err as Error);
      if (head instanceof Error)
        checks.push({ name: `${migrations} exists`, ok: false, detail: firstLine(head.message) });
      else {
        headVersion = head[0]?.version ?? null;
        checks.push({
          name: `${migrations} exists`,
          ok: headVersion !== null,
          detail: headVersion === null ? 'it is empty' : `head ${headVersion}`,
        });
      }

      for (const table of options.countTables) {
        const count = await run(() =>
          client.query<{ n: string }>(`select count(*)::text as n from ${quoteQualified(table)}`),
        ).catch((err: unknown) => err as Error);
        if (count instanceof Error)
          checks.push({ name: `rows in ${table}`, ok: false, detail: firstLine(count.message) });
        else {
          rowCounts[table] = Number(count.rows[0]?.n ?? 0);
          checks.push({ name: `rows in ${table}`, ok: true, detail: `${rowCounts[table]} rows` });
        }
      }

      for (const check of options.checks) {
        const result = await run(() => client.query({ text: check.sql, rowMode: 'array' })).catch(
          (err: unknown) => err as Error,
        );
        checks.push({ name: check.name, ...judge(result) });
      }
      return { ok: checks.every((c) => c.ok), checks, headVersion, rowCounts };
    });
  } catch (err) {
    throw withContext(`while validating the restored database ${describePg(url)}`, err);
  }
}

async function inReadOnlyTransaction<T>(
  client: pg.Client,
  statementTimeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  await client.query('BEGIN TRANSACTION READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = '${Math.round(statementTimeoutMs)}ms'`);
    return await fn();
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

function judge(result: pg.QueryResult<unknown[]> | Error): { ok: boolean; detail: string } {
  if (result instanceof Error) return { ok: false, detail: firstLine(result.message) };
  const rows = Array.isArray(result) ? (result.at(-1) as pg.QueryResult<unknown[]>).rows : result.rows;
  const value = rows[0]?.[0];
  if (value === undefined)
    return { ok: false, detail: 'returned no rows (a check must return one row whose first column is true)' };
  return value === true
    ? { ok: true, detail: 'true' }
    : { ok: false, detail: `returned ${JSON.stringify(value)}, expected true` };
}

function quoteQualified(name: string): string {
  return name
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
