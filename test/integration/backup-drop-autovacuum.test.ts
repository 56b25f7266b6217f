/**
 * Abandon (and the retry's clean-up) as a restore role with only CREATEDB: DROP DATABASE … WITH
 * (FORCE) may not end an autovacuum worker, and other roles' sessions need pg_signal_backend.
 * Autovacuum is proven on a cluster of its own whose launcher wakes every second (the shared test
 * cluster runs without autovacuum), with a table whose vacuum is throttled so the worker stays.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropRestoredDatabase } from '../../src/adapters/backups/drop-restored-database.ts';
import { writeRestoreMarker } from '../../src/adapters/backups/restore-marker.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { restoreDatabaseName } from '../../src/domain/restore-database-name.ts';
import { ADMIN_URL, adminQuery, urlFor } from '../fixtures/migrations/app-database.ts';
import { ensurePasswordCluster, type PasswordCluster } from '../support/password-cluster.ts';
import { until } from '../support/wait.ts';

const suffix = randomBytes(4).toString('hex');
const restoreRole = `rc_restorer_${suffix}`;
const appRole = `rc_app_${suffix}`;
let cluster: PasswordCluster;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What restoreBackup leaves: a database the restore role created, marked restored for the incident. */
async function restoredDatabase(serverUrl: string, incidentId: string): Promise<string> {
  const database = restoreDatabaseName('rc_restore', incidentId);
  await withClient(serverUrl, async (admin) => {
    await admin.query(`create database ${database}`);
    const startedAt = new Date().toISOString();
    const marker = { incident: incidentId, state: 'restored', backup: '/b/x.dump', startedAt } as const;
    await writeRestoreMarker(admin, database, { tool: 'rollback-commander', ...marker });
  });
  return database;
}

async function exists(serverUrl: string, database: string): Promise<boolean> {
  const rows = await withClient(serverUrl, (c) => c.query('select 1 from pg_database where datname = $1', [database]));
  return rows.rowCount === 1;
}

beforeAll(async () => {
  cluster = await ensurePasswordCluster({ name: 'rcav', settings: { autovacuum: 'on', autovacuum_naptime: '1s' } });
  await adminQuery(`create role ${restoreRole} login createdb`);
  await adminQuery(`create role ${appRole} login`);
}, 120_000);

afterAll(async () => {
  const mine = `rc\\_restore\\_drop\\_${suffix}%`;
  const { rows } = await adminQuery(`select datname from pg_database where datname like $1`, [mine]);
  for (const row of rows) await adminQuery(`drop database ${row.datname} with (force)`);
  await adminQuery(`drop role if exists ${restoreRole}`);
  await adminQuery(`drop role if exists ${appRole}`);
});

describe('dropping a restored database as a CREATEDB-only restore role', () => {
  it('drops it while an autovacuum worker is vacuuming its fresh tables', async () => {
    const incidentId = `drop-${suffix}-av`;
    const database = await restoredDatabase(cluster.url, incidentId);
    const dbUrl = urlFor(database, cluster.url);
    await withClient(dbUrl, async (c) => {
      // Every dead row makes the table due; a cost limit of 1 with 100 ms sleeps keeps a worker in it.
      await c.query(`create table events (id int) with (autovacuum_vacuum_threshold = 0,
        autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1)`);
      await c.query('insert into events select generate_series(1, 100000)');
      await c.query('delete from events');
    });
    // An autovacuum worker runs as no role: usesysid is null (visible to every role).
    const autovacuum = `select 1 from pg_stat_activity where datname = $1 and usesysid is null`;
    const workers = () => withClient(cluster.url, (c) => c.query(autovacuum, [database]));
    await until('an autovacuum worker in the restored database', async () => (await workers()).rowCount, 90_000);

    expect(await dropRestoredDatabase({ serverUrl: cluster.url, database, incidentId })).toEqual({ dropped: true });
    expect(await exists(cluster.url, database)).toBe(false);
  }, 120_000);

  it('ends its own role’s sessions (an orphaned pg_restore), says what to grant for other roles’', async () => {
    const restoreUrl = urlFor('test', ADMIN_URL).replace('postgres@', `${restoreRole}@`);
    const incidentId = `drop-${suffix}-roles`;
    const database = await restoredDatabase(restoreUrl, incidentId);
    const app = new pg.Client({ connectionString: urlFor(database, ADMIN_URL).replace('postgres@', `${appRole}@`) });
    const own = new pg.Client({ connectionString: urlFor(database, restoreUrl) });
    await app.connect();
    await own.connect();
    app.on('error', () => {});
    own.on('error', () => {});
    try {
      const err = await dropRestoredDatabase({ serverUrl: restoreUrl, database, incidentId }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserFacingError);
      expect((err as Error).message).toBe(
        `while dropping the restored database ${database} on 127.0.0.1:5432: database ${database} is in use by ` +
          `sessions of ${appRole}, which the restore role ${restoreRole} may not end: on the restore server run ` +
          `GRANT pg_signal_backend TO "${restoreRole}" (or end those sessions by hand), then retry`,
      );
      expect(await exists(ADMIN_URL, database)).toBe(true);
    } finally {
      await app.end();
    }
    // Only its own role's session is left: it is ended and the database dropped.
    expect(await dropRestoredDatabase({ serverUrl: restoreUrl, database, incidentId })).toEqual({ dropped: true });
    expect(await exists(ADMIN_URL, database)).toBe(false);
    await own.end().catch(() => {});
  });
});
