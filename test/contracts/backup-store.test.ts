/**
 * The BackupStore contract (flows/ports/database.ts), run against the real store (backup files on
 * disk, pg_restore into the real Postgres) and the in-memory fake (test/fakes/fake-backup-store.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgBackupStore } from '../../src/adapters/backups/pg-backup-store.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import { restoreDatabaseName } from '../../src/domain/restore-database-name.ts';
import type { BackupStore } from '../../src/flows/ports.ts';
import { createFakeBackupStore } from '../fakes/fake-backup-store.ts';
import { ADMIN_URL, type AppDatabase, adminQuery, createAppDatabase } from '../fixtures/migrations/app-database.ts';

const run = promisify(execFile);
const PATTERN = 'prod-{timestamp}.dump';
const DUMP = 'prod-20261124T031500Z.dump';

interface Harness {
  store: BackupStore;
  serverUrl: string;
  /** A fresh directory holding a valid dump (DUMP) and the given other files. */
  directory(files?: { name: string; corrupt?: boolean }[]): Promise<string>;
  /** A non-empty database on the restore server that no restore made. */
  foreignDatabase(name: string): Promise<void>;
}

let source: AppDatabase;
let dumpBytes: Buffer;
const dirs: string[] = [];
const databases: string[] = [];

beforeAll(async () => {
  source = await createAppDatabase({ seed: true });
  const dir = await mkdtemp(join(tmpdir(), 'rc-contract-dump-'));
  dirs.push(dir);
  await run('pg_dump', [
    '-Fc',
    '--host',
    '127.0.0.1',
    '--username',
    'postgres',
    '--no-password',
    '--file',
    join(dir, DUMP),
    source.name,
  ]);
  dumpBytes = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, DUMP)));
});

afterAll(async () => {
  for (const name of databases) await adminQuery(`drop database if exists ${name} with (force)`);
  await source?.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const implementations: [string, () => Harness][] = [
  [
    'pg_restore (real Postgres, files on disk)',
    () => ({
      store: createPgBackupStore(),
      serverUrl: ADMIN_URL,
      async directory(files = []) {
        const dir = await mkdtemp(join(tmpdir(), 'rc-contract-backups-'));
        dirs.push(dir);
        await writeFile(join(dir, DUMP), dumpBytes);
        for (const f of files)
          await writeFile(
            join(dir, f.name),
            f.corrupt ? dumpBytes.subarray(0, Math.floor(dumpBytes.length / 2)) : dumpBytes,
          );
        return dir;
      },
      async foreignDatabase(name) {
        databases.push(name);
        await adminQuery(`create database ${name}`);
        await adminQuery(
          'create table kept (id int); insert into kept values (1)',
          [],
          ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
        );
      },
    }),
  ],
  [
    'in-memory fake',
    () => {
      const fake = createFakeBackupStore();
      let n = 0;
      return {
        store: fake,
        serverUrl: 'postgres://postgres@fake:5432/postgres',
        async directory(files = []) {
          const dir = `/fake/backups-${n++}`;
          fake.addFile(dir, DUMP);
          for (const f of files) fake.addFile(dir, f.name, { corrupt: f.corrupt });
          return dir;
        },
        async foreignDatabase(name) {
          fake.databases.set(name, { marker: null });
        },
      };
    },
  ],
];

function incident(): { incidentId: string; database: string } {
  const incidentId = `inc-${randomBytes(4).toString('hex')}`;
  const database = restoreDatabaseName('rc_contract', incidentId);
  databases.push(database);
  return { incidentId, database };
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(implementations)('BackupStore contract: %s', (_name, make) => {
  it('lists matching backups newest first, sets aside unreadable timestamps, and names a missing directory', async () => {
    const h = make();
    const dir = await h.directory([
      { name: 'prod-2026-11-23T03-15-00Z.dump' },
      { name: 'prod-12345.dump' },
      { name: 'notes.txt' },
    ]);
    const listing = await h.store.list(dir, PATTERN);
    expect(listing.backups.map((b) => [b.name, b.takenAt.toISOString()])).toEqual([
      [DUMP, '2026-11-24T03:15:00.000Z'],
      ['prod-2026-11-23T03-15-00Z.dump', '2026-11-23T03:15:00.000Z'],
    ]);
    expect(listing.backups.every((b) => b.sizeBytes > 0 && b.path.endsWith(b.name))).toBe(true);
    expect(listing.ignored).toEqual([
      { name: 'prod-12345.dump', reason: '"12345" is not a timestamp like 20261124T031500Z or 2026-11-24T03-15-00Z' },
    ]);
    const err = await failure(h.store.list(`${dir}-missing`, PATTERN));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('cannot read the backup directory');
  });

  it('restores once per incident (a retry resumes), and drops only a database it restored and did not promote', async () => {
    const h = make();
    const dir = await h.directory();
    const [backup] = (await h.store.list(dir, PATTERN)).backups;
    const { incidentId, database } = incident();
    const options = { serverUrl: h.serverUrl, database, incidentId, backupPath: backup!.path, timeoutMs: 60_000 };
    expect(await h.store.restore(options)).toEqual({ database, resumed: false, cleanedUp: false });
    expect(await h.store.restore(options)).toEqual({ database, resumed: true, cleanedUp: false });

    const ref = { serverUrl: h.serverUrl, database, incidentId };
    await h.store.mark(ref, 'promoted');
    const refused = await failure(h.store.drop(ref));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain('was promoted and serves the app now');
    await h.store.mark(ref, 'restored');
    expect(await h.store.drop(ref)).toEqual({ dropped: true });
    expect(await h.store.drop(ref)).toEqual({ dropped: false });
  });

  it("leaves someone else's database alone: no restore over it, no drop, no marker", async () => {
    const h = make();
    const dir = await h.directory();
    const { incidentId, database } = incident();
    await h.foreignDatabase(database);
    const ref = { serverUrl: h.serverUrl, database, incidentId };
    const restore = await failure(h.store.restore({ ...ref, backupPath: `${dir}/${DUMP}`, timeoutMs: 60_000 }));
    expect(restore.code).toBe('conflict');
    expect(restore.message).toContain('was not made by this incident');
    expect((await failure(h.store.drop(ref))).code).toBe('forbidden');
    expect((await failure(h.store.mark(ref, 'promoted'))).code).toBe('prerequisite_unmet');
  });

  it('fails a missing or corrupt backup and leaves no database behind', async () => {
    const h = make();
    const dir = await h.directory([{ name: 'prod-20261123T031500Z.dump', corrupt: true }]);
    const { incidentId, database } = incident();
    const base = { serverUrl: h.serverUrl, database, incidentId, timeoutMs: 60_000 };
    const missing = await failure(h.store.restore({ ...base, backupPath: `${dir}/prod-20261101T000000Z.dump` }));
    expect(missing).toBeInstanceOf(UserFacingError);
    expect(missing.code).toBe('not_found');
    const corrupt = await failure(h.store.restore({ ...base, backupPath: `${dir}/prod-20261123T031500Z.dump` }));
    expect(corrupt).toBeInstanceOf(UserFacingError);
    expect(corrupt.code).toBe('upstream_error');
    expect(await h.store.drop({ serverUrl: h.serverUrl, database, incidentId })).toEqual({ dropped: false });
  });
});
