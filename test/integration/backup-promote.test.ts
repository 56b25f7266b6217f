import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseConfigSchema } from '../../src/config/database.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import { restoreDatabaseName } from '../../src/domain/restore-database-name.ts';
import type { RestartableDeployments } from '../../src/flows/ports.ts';
import { abandonBackupRestore } from '../../src/flows/steps/backup_abandon/backup-abandon.ts';
import { promoteBackupRestore } from '../../src/flows/steps/backup_promote/backup-promote.ts';
import type { SecretStore } from '../../src/flows/steps/backup_promote/secret-store.ts';
import { runBackupRestore } from '../../src/flows/steps/backup_restore/backup-restore.ts';
import {
  ADMIN_URL,
  type AppDatabase,
  adminQuery,
  createAppDatabase,
  urlFor,
} from '../fixtures/migrations/app-database.ts';
import { REAL_PORTS } from '../support/database-ports.ts';

const BACKUP = 'prod-20261124T031500Z.dump';
const PROD_URL = 'postgres://app:prod-password@prod-db:5432/app';
const AT = new Date('2026-11-24T04:00:00Z');

let dir: string;
let prod: AppDatabase;
const created: string[] = [];

/** In-memory stand-ins for the K8s Secret and Deployments adapters, logging every call in order. */
function fakeCluster(options: { failRollout?: string } = {}) {
  const log: string[] = [];
  const data = new Map<string, string>([['app-db/DATABASE_URL', PROD_URL]]);
  const secrets: SecretStore = {
    readKey: async (secret, key) => data.get(`${secret}/${key}`) ?? null,
    writeKey: async (secret, key, value) => {
      log.push(`write ${secret}/${key}`);
      data.set(`${secret}/${key}`, value);
    },
  };
  const deployments: RestartableDeployments = {
    restart: async (name, at) => {
      log.push(`restart ${name} at ${at.toISOString()}`);
    },
    waitForRollout: async (name, { onProgress }) => {
      if (name === options.failRollout)
        throw new AppError('rollout_failed', `deployment ${name} exceeded its progress deadline`);
      onProgress?.({ deployment: name, message: `deployment "${name}" successfully rolled out`, done: true });
    },
  };
  return { log, data, secrets, deployments };
}

async function restored(): Promise<{ id: string; database: string }> {
  const id = `inc-${randomBytes(4).toString('hex')}`;
  const database = restoreDatabaseName('rc_restore', id);
  created.push(database);
  await runBackupRestore({ ...REAL_PORTS, config: config(), incidentId: id, backupName: BACKUP, serverUrl: ADMIN_URL });
  return { id, database };
}

const config = () =>
  databaseConfigSchema.parse({
    backups: { directory: dir },
    promotion: { secret: 'app-db', key: 'DATABASE_URL', deployments: ['api', 'worker'], rollout_timeout: '1m' },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-promote-'));
  prod = await createAppDatabase({ seed: true });
  await promisify(execFile)('pg_dump', [
    '-Fc',
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-f',
    join(dir, BACKUP),
    prod.name,
  ]);
});
afterAll(async () => {
  for (const name of created) await adminQuery(`drop database if exists ${name} with (force)`);
  await prod?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('promotion', () => {
  it('records the previous URL before writing the Secret, restarts the Deployments, and keeps the promoted database from being abandoned', async () => {
    const { id, database } = await restored();
    const cluster = fakeCluster();
    const recorded: string[] = [];
    const progress: string[] = [];
    const input = {
      ...REAL_PORTS,
      config: config(),
      incidentId: id,
      serverUrl: ADMIN_URL,
      secrets: cluster.secrets,
      deployments: cluster.deployments,
      restartAt: AT,
      recordPrevious: async (previous: string) => {
        cluster.log.push('record previous');
        recorded.push(previous);
      },
      onProgress: (m: string) => progress.push(m),
    };
    const result = await promoteBackupRestore(input);
    expect(result).toEqual({ previousValue: PROD_URL, alreadySwapped: false, database });
    expect(recorded).toEqual([PROD_URL]);
    expect(cluster.data.get('app-db/DATABASE_URL')).toBe(urlFor(database));
    expect(cluster.log).toEqual([
      'record previous',
      'write app-db/DATABASE_URL',
      'restart api at 2026-11-24T04:00:00.000Z',
      'restart worker at 2026-11-24T04:00:00.000Z',
    ]);
    expect(progress).toContain('deployment "worker" successfully rolled out');

    // A retry (the worker died after the write) neither re-records nor overwrites the previous value.
    expect(await promoteBackupRestore(input)).toMatchObject({ previousValue: null, alreadySwapped: true });
    expect(recorded).toEqual([PROD_URL]);

    const abandon = await abandonBackupRestore({
      ...REAL_PORTS,
      config: config(),
      incidentId: id,
      serverUrl: ADMIN_URL,
    }).catch((e: unknown) => e);
    expect(abandon).toBeInstanceOf(UserFacingError);
    expect((abandon as Error).message).toContain('was promoted and serves the app now');
  });

  it('reports a failed rollout after the swap, saying where the Secret points now', async () => {
    const { id } = await restored();
    const cluster = fakeCluster({ failRollout: 'worker' });
    const err = await promoteBackupRestore({
      ...REAL_PORTS,
      config: config(),
      incidentId: id,
      serverUrl: ADMIN_URL,
      secrets: cluster.secrets,
      deployments: cluster.deployments,
      restartAt: AT,
      recordPrevious: async () => {},
    }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('rollout_failed');
    expect((err as Error).message).toBe(
      'the Secret points at the restored database, but restarting api, worker failed: deployment worker exceeded its progress deadline',
    );
  });

  it('refuses to promote a database that was never restored, leaving the Secret alone', async () => {
    const cluster = fakeCluster();
    const err = await promoteBackupRestore({
      ...REAL_PORTS,
      config: config(),
      incidentId: 'inc-never-restored',
      serverUrl: ADMIN_URL,
      secrets: cluster.secrets,
      deployments: cluster.deployments,
      restartAt: AT,
      recordPrevious: async () => {},
    }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(
      'is not a finished restore of this incident: run the restore (and its validation) first',
    );
    expect(cluster.data.get('app-db/DATABASE_URL')).toBe(PROD_URL);
    expect(cluster.log).toEqual([]);
  });
});
