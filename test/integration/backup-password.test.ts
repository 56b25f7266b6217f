/**
 * The database password never appears in any process's argv, in streamed output, in results or
 * in errors — proven against a cluster that really requires it (test/support/password-cluster.ts).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { restoreDatabaseName } from '../../src/domain/restore-database-name.ts';
import { abandonBackupRestore } from '../../src/flows/steps/backup_abandon/backup-abandon.ts';
import { runBackupRestore } from '../../src/flows/steps/backup_restore/backup-restore.ts';
import { type AppDatabase, createAppDatabase } from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';
import { ensurePasswordCluster, PASSWORD_ROLE, type PasswordCluster } from '../support/password-cluster.ts';

const run = promisify(execFile);
const BACKUP = 'prod-20261124T031500Z.dump';
const CORRUPT = 'prod-20261123T031500Z.dump';

let cluster: PasswordCluster;
let dir: string;
let source: AppDatabase;

beforeAll(async () => {
  cluster = await ensurePasswordCluster();
  dir = await mkdtemp(join(tmpdir(), 'rc-pw-'));
  // A seeded app database whose restore takes ~1 s (a CHECK that sleeps per row, only while
  // restoring), so /proc is sampled while pg_restore is certainly running.
  source = await createAppDatabase({ seed: true });
  await source.query(
    `create function slow_check(i int) returns boolean language plpgsql immutable as $$
     begin if current_database() like 'rc\\_restore%' then perform pg_sleep(0.3); end if; return true; end $$`,
  );
  await source.query(`create table slow (id int check (slow_check(id)))`);
  await source.query(`insert into slow select generate_series(1, 3)`);
  await run('pg_dump', ['-Fc', '-h', '127.0.0.1', '-U', 'postgres', '-f', join(dir, BACKUP), source.name]);
  await writeFile(join(dir, CORRUPT), 'PGDMP but not really a dump');
}, 120_000);

afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every process's argv right now (a postgres backend's argv is its status line: user, db, client). */
function sampleArgv(): string[] {
  const all: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      all.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // the process ended between readdir and read
    }
  }
  return all;
}

function leaks(text: string): boolean {
  return text.includes(cluster.password) || text.includes(encodeURIComponent(cluster.password));
}

describe('the database password', () => {
  it('is required by this cluster: the same pg_restore fails without PGPASSWORD and connects with it', async () => {
    // --schema=none matches nothing, so this only connects: nothing is written to the postgres database.
    const args = [
      '--host',
      '127.0.0.1',
      '--port',
      String(cluster.port),
      '--username',
      PASSWORD_ROLE,
      '--no-password',
      '--dbname=postgres',
      '--schema=none',
      join(dir, BACKUP),
    ];
    const without = await run('pg_restore', args, { env: { PATH: process.env.PATH } }).then(
      () => 'connected',
      (e: { stderr?: string }) => e.stderr ?? String(e),
    );
    expect(without).toContain('no password supplied');
    const withPassword = await run('pg_restore', args, {
      env: { PATH: process.env.PATH, PGPASSWORD: cluster.password },
    }).then(
      () => 'connected',
      (e: { stderr?: string }) => e.stderr ?? String(e),
    );
    expect(withPassword).toBe('connected');
  });

  it('reaches pg_restore only through PGPASSWORD: never in argv, output, results or errors', async () => {
    const config = databaseConfigSchema.parse({
      backups: { directory: dir },
      validation: { count_tables: ['users', 'slow'] },
    });
    const incidentId = `inc-pw-${Date.now().toString(36)}`;
    const database = restoreDatabaseName('rc_restore', incidentId);
    const samples: string[] = [];
    const output: string[] = [];
    const sampler = setInterval(() => samples.push(...sampleArgv()), 20);
    let result: Awaited<ReturnType<typeof runBackupRestore>>;
    try {
      result = await runBackupRestore({
        ...REAL_PORTS,
        config,
        incidentId,
        backupName: BACKUP,
        serverUrl: cluster.url,
        onOutput: (l) => {
          output.push(l.line);
          samples.push(...sampleArgv());
        },
      });
    } finally {
      clearInterval(sampler);
    }
    expect(result.validation.ok).toBe(true);
    expect(result.validation.rowCounts).toEqual({ users: 2, slow: 3 });
    // The sampler really saw pg_restore and its server session while they ran…
    // (Debian's pg_restore is the pg_wrapper script, which execs /usr/lib/postgresql/<v>/bin/pg_restore.)
    expect(
      samples.some(
        (s) => /^\S*pg_restore --clean --if-exists --no-owner /.test(s) && s.includes(`--dbname=${database}`),
      ),
    ).toBe(true);
    expect(
      samples.some((s) => s.includes(`postgres: ${cluster.version}/rcpw: ${PASSWORD_ROLE} ${database} 127.0.0.1`)),
    ).toBe(true);
    // …and never the password.
    expect(samples.filter(leaks)).toEqual([]);
    expect(output.length).toBeGreaterThan(3);
    expect(output.filter(leaks)).toEqual([]);
    expect(leaks(JSON.stringify(result))).toBe(false);

    expect(await abandonBackupRestore({ ...REAL_PORTS, config, incidentId, serverUrl: cluster.url })).toEqual({
      database,
      dropped: true,
    });
  });

  it('stays out of errors: a corrupt dump and a wrong password fail without echoing it', async () => {
    const config = databaseConfigSchema.parse({ backups: { directory: dir } });
    const corrupt = await runBackupRestore({
      ...REAL_PORTS,
      config,
      incidentId: `inc-pw-bad-${Date.now().toString(36)}`,
      backupName: CORRUPT,
      serverUrl: cluster.url,
    }).catch((e: Error) => e);
    expect(corrupt).toBeInstanceOf(Error);
    expect((corrupt as Error).message).toContain('pg_restore exited with status 1');
    expect(leaks(String((corrupt as Error).message) + String((corrupt as Error).stack))).toBe(false);

    const wrongUrl = cluster.url.replace(
      encodeURIComponent(cluster.password),
      encodeURIComponent(`${cluster.password}-wrong`),
    );
    const denied = await runBackupRestore({
      ...REAL_PORTS,
      config,
      incidentId: 'inc-pw-denied',
      backupName: BACKUP,
      serverUrl: wrongUrl,
    }).catch((e: Error) => e);
    expect((denied as Error).message).toContain(`password authentication failed for user "${PASSWORD_ROLE}"`);
    expect(leaks((denied as Error).message)).toBe(false);
  });
});
