import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { restoreDatabaseName } from '../../src/domain/restore-database-name.ts';
import { abandonBackupRestore } from '../../src/flows/steps/backup_abandon/backup-abandon.ts';
import { runBackupRestore } from '../../src/flows/steps/backup_restore/backup-restore.ts';
import {
  ADMIN_URL,
  type AppDatabase,
  adminQuery,
  createAppDatabase,
  urlFor,
} from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';
import { until } from '../support/wait.ts';

const run = promisify(execFile);
const GOOD = 'prod-20261124T031500Z.dump';
const TRUNCATED = 'prod-20261123T031500Z.dump';
const SLOW = 'prod-20261122T031500Z.dump';

let dir: string;
let prod: AppDatabase;
let slowSource: AppDatabase;
const created: string[] = [];

async function pgDump(db: AppDatabase, file: string): Promise<void> {
  await run('pg_dump', [
    '-Fc',
    '--host',
    '127.0.0.1',
    '--username',
    'postgres',
    '--no-password',
    '--file',
    join(dir, file),
    db.name,
  ]);
}

async function databaseComment(name: string): Promise<{ state?: string } | null | undefined> {
  const { rows } = await adminQuery(
    `select shobj_description(oid, 'pg_database') as c from pg_database where datname = $1`,
    [name],
  );
  if (!rows[0]) return undefined;
  return rows[0].c ? JSON.parse(rows[0].c) : null;
}

function incident(): string {
  const id = `inc-${randomBytes(4).toString('hex')}`;
  created.push(restoreDatabaseName('rc_restore', id));
  return id;
}

const config = databaseConfigSchema.parse({
  backups: { directory: '/placeholder' },
  restore: { timeout: '30s' },
  validation: {
    count_tables: ['users', 'public.orgs'],
    checks: [
      { name: 'ada belongs to an org', sql: `select org_id is not null from users where email = 'ada@example.com'` },
    ],
  },
});
const withDir = () => ({ ...config, backups: { directory: dir, filename: 'prod-{timestamp}.dump' } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-restore-'));
  prod = await createAppDatabase({ seed: true });
  await pgDump(prod, GOOD);
  const good = await readFile(join(dir, GOOD));
  await writeFile(join(dir, TRUNCATED), good.subarray(0, Math.floor(good.length * 0.6)));
  // A table whose CHECK sleeps per row while it is being restored (not while seeded here): its
  // COPY takes ~10 s, long enough to kill the worker mid-restore and see its pg_restore outlive it.
  slowSource = await createAppDatabase({ seed: true });
  await slowSource.query(
    `create function slow_check(i int) returns boolean language plpgsql immutable as $$
     begin if current_database() like 'rc\\_restore%' then perform pg_sleep(0.4); end if; return true; end $$`,
  );
  await slowSource.query(`create table slow (id int check (slow_check(id)))`);
  await slowSource.query(`insert into slow select generate_series(1, 25)`);
  await pgDump(slowSource, SLOW);
});

afterAll(async () => {
  for (const name of created) await adminQuery(`drop database if exists ${name} with (force)`);
  await prod?.drop();
  await slowSource?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('backup restore', () => {
  it('restores a real pg_dump -Fc backup into a new database with pg_restore, validates it, and abandon drops it', async () => {
    const id = incident();
    const lines: string[] = [];
    const result = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      backupName: GOOD,
      serverUrl: ADMIN_URL,
      onOutput: (l) => lines.push(l.line),
    });
    expect(result.database).toBe(restoreDatabaseName('rc_restore', id));
    expect(result.location).toBe(`127.0.0.1:5432/${result.database}`);
    expect(lines).toContain('pg_restore: processing data for table "public.users"');
    expect(result.validation.checks).toEqual([
      { name: 'public.schema_migrations exists', ok: true, detail: 'head 20261120_add_orgs' },
      { name: 'rows in users', ok: true, detail: '2 rows' },
      { name: 'rows in public.orgs', ok: true, detail: '1 rows' },
      { name: 'ada belongs to an org', ok: true, detail: 'true' },
    ]);
    const restored = await adminQuery(`select email from users order by email`, [], urlFor(result.database));
    expect(restored.rows).toEqual([{ email: 'ada@example.com' }, { email: 'grace@example.com' }]);
    expect(await databaseComment(result.database)).toMatchObject({ state: 'restored' });

    const again = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      backupName: GOOD,
      serverUrl: ADMIN_URL,
      onOutput: (l) => lines.push(`again: ${l.line}`),
    });
    expect(again.resumed).toBe(true);
    expect(lines.filter((l) => l.startsWith('again:'))).toEqual([]);

    expect(
      await abandonBackupRestore({ ...REAL_PORTS, config: withDir(), incidentId: id, serverUrl: ADMIN_URL }),
    ).toEqual({ database: result.database, dropped: true });
    expect(await databaseComment(result.database)).toBeUndefined();
    expect(
      await abandonBackupRestore({ ...REAL_PORTS, config: withDir(), incidentId: id, serverUrl: ADMIN_URL }),
    ).toMatchObject({ dropped: false });
  });

  it('refuses a restore target that already exists and leaves it untouched', async () => {
    const id = incident();
    const name = restoreDatabaseName('rc_restore', id);
    await adminQuery(`create database ${name}`);
    await adminQuery(`create table keep_me (id int); insert into keep_me values (7)`, [], urlFor(name));
    const err = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      backupName: GOOD,
      serverUrl: ADMIN_URL,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain(
      `a database named ${name} already exists on the restore server and was not made by this incident's restore`,
    );
    expect((err as Error).message).toContain(`DROP DATABASE "${name}"`);
    expect((await adminQuery('select id from keep_me', [], urlFor(name))).rows).toEqual([{ id: 7 }]);
    const abandon = await abandonBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      serverUrl: ADMIN_URL,
    }).catch((e: unknown) => e);
    expect((abandon as Error).message).toContain('was not made by this incident');
  });

  it('fails on a corrupt dump with pg_restore’s reason and drops the partial database', async () => {
    const id = incident();
    const err = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      backupName: TRUNCATED,
      serverUrl: ADMIN_URL,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    const message = (err as Error).message;
    expect(message).toMatch(/pg_restore exited with status 1/);
    expect(message).toMatch(/pg_restore: error: could not read from input file/);
    expect(message).toContain(
      'was dropped. A corrupt or truncated dump fails like this: check the file, or pick another backup.',
    );
    expect(await databaseComment(restoreDatabaseName('rc_restore', id))).toBeUndefined();
  });

  it('keeps a restore that fails validation for inspection and says what to do', async () => {
    const id = incident();
    const strict = {
      ...withDir(),
      validation: {
        ...config.validation,
        count_tables: ['invoices'],
        checks: [{ name: 'at least 5 users', sql: 'select count(*) >= 5 from users' }],
      },
    };
    const err = await runBackupRestore({
      ...REAL_PORTS,
      config: strict,
      incidentId: id,
      backupName: GOOD,
      serverUrl: ADMIN_URL,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(
      'failed validation:\n✓ public.schema_migrations exists: head 20261120_add_orgs\n✗ rows in invoices: relation "invoices" does not exist\n✗ at least 5 users: returned false, expected true',
    );
    expect((err as Error).message).toContain('Abandon (drops it)');
    expect(await databaseComment(restoreDatabaseName('rc_restore', id))).toMatchObject({ state: 'restored' });
  });

  it('after a worker is killed mid-restore, the retry drops the half-made database and starts over', async () => {
    const id = incident();
    const name = restoreDatabaseName('rc_restore', id);
    const options = {
      serverUrl: ADMIN_URL,
      database: name,
      incidentId: id,
      backupPath: join(dir, SLOW),
      timeoutMs: 30_000,
    };
    const child = spawn(
      'node',
      [join(import.meta.dirname, '../fixtures/migrations/restore-in-child.ts'), JSON.stringify(options)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('processing data for table "public.slow"')) resolve();
      });
      child.on('exit', () => reject(new Error('the restore finished before it could be killed')));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    // Its pg_restore dies with it rather than loading on alone (the slow table takes ~10 s).
    await until('the killed worker’s pg_restore to end', async () => (await restoresInto(name)).length === 0, 5000);
    expect(await databaseComment(name)).toMatchObject({ state: 'restoring' });

    // The retry restores another backup: that the slow table is gone proves it started over.
    const result = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      backupName: GOOD,
      serverUrl: ADMIN_URL,
    });
    expect(result).toMatchObject({ database: name, resumed: false, cleanedUp: true, validation: { ok: true } });
    expect((await adminQuery(`select to_regclass('public.slow') as t`, [], urlFor(name))).rows).toEqual([{ t: null }]);
  });

  it('treats an empty, unmarked database of that name as a creation cut short by a kill, and restores', async () => {
    const id = incident();
    const name = restoreDatabaseName('rc_restore', id);
    await adminQuery(`create database ${name}`);
    const result = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: id,
      backupName: GOOD,
      serverUrl: ADMIN_URL,
    });
    expect(result).toMatchObject({ database: name, cleanedUp: true, validation: { ok: true } });
  });

  it('says so when the approved backup is gone from the directory', async () => {
    const err = await runBackupRestore({
      ...REAL_PORTS,
      config: withDir(),
      incidentId: incident(),
      backupName: 'prod-20261001T000000Z.dump',
      serverUrl: ADMIN_URL,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `the backup prod-20261001T000000Z.dump is no longer in ${dir}: list the backups again and pick one`,
    );
  });
});

/** Live pg_restore processes loading into `database` (a zombie awaiting its reaper is not alive). */
async function restoresInto(database: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const program = cmdline.split('\0')[0] ?? '';
    const zombie = /^\d+ \(.*\) Z/.test(stat);
    if (program.endsWith('pg_restore') && cmdline.includes(`--dbname=${database}\0`) && !zombie) pids.push(Number(pid));
  }
  return pids;
}
