/**
 * An in-memory TargetDatabase (flows/ports/database.ts): databases by URL, each a migrations table
 * (or none) and tables with row counts. A down migration is recorded, not run, except that
 * `drop table <name>` removes the table, so validation sees it gone. Checks understand
 * `select true` and `select false`. Errors carry the codes the real adapter uses
 * (test/contracts/target-database.test.ts).
 */

import type { MigrationsTableConfig } from '../../src/config/database.ts';
import { UserFacingError, withContext } from '../../src/domain/errors.ts';
import { describePg } from '../../src/domain/pg-url.ts';
import { splitSqlStatements } from '../../src/domain/sql-statements.ts';
import type { AppliedMigration, TargetDatabase } from '../../src/flows/ports.ts';

export interface FakeDatabase {
  /** Oldest first; null: there is no migrations table. */
  migrations: { version: string; appliedAt: string }[] | null;
  /** Row counts by table name. */
  tables: Map<string, number>;
  /** Every down migration's SQL that was applied, in order. */
  downSql: string[];
}

export interface FakeTargetDatabase extends TargetDatabase {
  databases: Map<string, FakeDatabase>;
  /** Adds a database at `url`: migrations applied one day apart, oldest first; tables with row counts. */
  add(url: string, seed: { migrations: readonly string[] | null; tables?: Record<string, number> }): FakeDatabase;
}

const TRANSACTION_CONTROL =
  /^(BEGIN|COMMIT|ROLLBACK|END|ABORT|START\s+TRANSACTION|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION)\b/i;

export function createFakeTargetDatabase(): FakeTargetDatabase {
  const databases = new Map<string, FakeDatabase>();
  const open = (url: string): FakeDatabase => {
    const db = databases.get(url);
    if (!db) throw new UserFacingError('not_found', `could not connect to ${describePg(url)}: database does not exist`);
    return db;
  };
  const recent = (db: FakeDatabase, table: MigrationsTableConfig, limit: number): AppliedMigration[] => {
    if (!db.migrations) {
      throw new UserFacingError(
        'config_invalid',
        `the migrations table ${table.schema}.${table.table} does not exist in the app database: set database.migrations_table.schema and .table in rollback.yml`,
      );
    }
    return [...db.migrations]
      .sort((a, b) => b.appliedAt.localeCompare(a.appliedAt) || b.version.localeCompare(a.version))
      .slice(0, limit)
      .map((m) => ({ version: m.version, appliedAt: m.appliedAt }));
  };
  return {
    databases,
    add(url, seed) {
      const db: FakeDatabase = {
        migrations: seed.migrations
          ? seed.migrations.map((version, i) => ({
              version,
              appliedAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
            }))
          : null,
        tables: new Map(Object.entries(seed.tables ?? {})),
        downSql: [],
      };
      databases.set(url, db);
      return db;
    },
    async readHead(url, table, options = {}) {
      try {
        const rows = recent(open(url), table, options.recent ?? 50);
        return { head: rows[0] ?? null, recent: rows };
      } catch (err) {
        throw withContext(`while reading the last applied migration from ${describePg(url)}`, err);
      }
    },
    async applyDown(url, table, down) {
      const control = splitSqlStatements(down.sql).find((s) => TRANSACTION_CONTROL.test(s));
      if (control) {
        throw new UserFacingError(
          'invalid_input',
          `the down migration for ${down.version} contains "${control.slice(0, 40)}": it must not manage its own transaction — remove that statement from the down file`,
        );
      }
      try {
        const db = open(url);
        const [head] = recent(db, table, 1);
        if (!db.migrations?.some((m) => m.version === down.version)) return { applied: false, head: head ?? null };
        if (head?.version !== down.version) {
          throw new UserFacingError(
            'conflict',
            `${down.version} is applied but is not the newest migration (the database is at ${head?.version}): migrations are reverted one at a time, newest first`,
          );
        }
        for (const statement of splitSqlStatements(down.sql)) {
          const dropped = /^drop\s+table\s+(?:if\s+exists\s+)?([\w.]+)/i.exec(statement.trim());
          if (dropped?.[1]) db.tables.delete(dropped[1]);
        }
        db.downSql.push(down.sql);
        db.migrations = db.migrations.filter((m) => m.version !== down.version);
        return { applied: true, head: recent(db, table, 1)[0] ?? null };
      } catch (err) {
        throw withContext(`while reverting migration ${down.version} on ${describePg(url)}`, err);
      }
    },
    async validate(url, options) {
      const db = open(url);
      const checks: { name: string; ok: boolean; detail: string }[] = [];
      const rowCounts: Record<string, number> = {};
      let headVersion: string | null = null;
      const migrations = `${options.table.schema}.${options.table.table}`;
      try {
        headVersion = recent(db, options.table, 1)[0]?.version ?? null;
        checks.push({
          name: `${migrations} exists`,
          ok: headVersion !== null,
          detail: headVersion === null ? 'it is empty' : `head ${headVersion}`,
        });
      } catch {
        checks.push({ name: `${migrations} exists`, ok: false, detail: `relation "${migrations}" does not exist` });
      }
      for (const table of options.countTables) {
        const rows = db.tables.get(table);
        if (rows === undefined)
          checks.push({ name: `rows in ${table}`, ok: false, detail: `relation "${table}" does not exist` });
        else {
          rowCounts[table] = rows;
          checks.push({ name: `rows in ${table}`, ok: true, detail: `${rows} rows` });
        }
      }
      for (const check of options.checks) {
        const value = /^\s*select\s+(true|false)\s*;?\s*$/i.exec(check.sql)?.[1]?.toLowerCase();
        if (value === 'true') checks.push({ name: check.name, ok: true, detail: 'true' });
        else if (value === 'false')
          checks.push({ name: check.name, ok: false, detail: 'returned false, expected true' });
        else
          checks.push({
            name: check.name,
            ok: false,
            detail: `the fake runs only "select true" and "select false", not: ${check.sql}`,
          });
      }
      return { ok: checks.every((c) => c.ok), checks, headVersion, rowCounts };
    },
  };
}
