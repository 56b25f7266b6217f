/**
 * doctor's database checks (PRODUCT.md): the app database is reachable and the bot may read and
 * delete from its migrations table; the backup directory lists backups; the restore server lets
 * the bot create databases. Only when the `database:` section is configured.
 */
import { listBackups } from '../adapters/backups/list-backups.ts';
import { withPg } from '../adapters/target-db/connect-pg.ts';
import { migrationsTableSql } from '../adapters/target-db/migrations-table-sql.ts';
import { restoreServerUrl } from '../flows/steps/_shared/db-step-support.ts';
import type { AppConfig } from './config.ts';
import type { DoctorCheck } from './doctor.ts';

export function databaseDoctorChecks(config: AppConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  const db = config.runbook.database;
  if (!db)
    return [
      {
        name: 'database steps',
        run: async () => 'not configured (no `database:` section): the database steps will ask for manual work',
      },
    ];
  const urlEnv = config.runbook.target.database_url_env;
  const target = config.target.databaseUrl;
  const checks: DoctorCheck[] = [
    {
      name: 'app database',
      run: async () => {
        if (!target) throw new Error(`${urlEnv} is not set: the migration steps need the app database`);
        const t = migrationsTableSql(db.migrations_table);
        const table = `${db.migrations_table.schema}.${db.migrations_table.table}`;
        return withPg(target, { readOnly: true, connectTimeoutMs: 5000 }, async (client) => {
          const head = await client.query(
            `select ${t.version} as v from ${t.qualified} order by ${t.order} desc limit 1`,
          );
          const may = await client.query<{ del: boolean }>('select has_table_privilege($1, $2) as del', [
            table,
            'DELETE',
          ]);
          if (!may.rows[0]?.del)
            throw new Error(
              `the ${urlEnv} role may not DELETE from ${table}: a revert could not remove its row; grant it`,
            );
          return `head migration ${String(head.rows[0]?.v ?? '(none)')}; may delete from ${table}`;
        });
      },
    },
  ];
  if (db.backups) {
    const backups = db.backups;
    checks.push({
      name: 'backups',
      run: async () => {
        const listing = await listBackups(backups.directory, backups.filename);
        const newest = listing.backups[0];
        if (!newest) throw new Error(`no backup matching ${backups.filename} in ${backups.directory}`);
        return `${listing.backups.length} backups in ${backups.directory}, newest ${newest.name}`;
      },
    });
    checks.push({
      name: 'restore server',
      run: async () => {
        if (!target && !db.restore.server_url_env)
          throw new Error(`${urlEnv} is not set, and no database.restore.server_url_env`);
        const url = restoreServerUrl(db, target ?? '', env);
        return withPg(url, { connectTimeoutMs: 5000 }, async (client) => {
          const res = await client.query<{ ok: boolean }>(
            'select rolcreatedb or rolsuper as ok from pg_roles where rolname = current_user',
          );
          if (!res.rows[0]?.ok) throw new Error('the restore server role may not create databases: grant CREATEDB');
          return 'reachable; may create databases';
        });
      },
    });
  }
  return checks;
}
