/**
 * The runbook's restore, into a NEW database on the restore server:
 * `pg_restore --clean --if-exists --no-owner --dbname=<new>` — --if-exists because plain --clean
 * exits 1 on a fresh database (API_NOTES.md). The password reaches pg_restore only through
 * PGPASSWORD in its environment; argv carries host, port, user and database name.
 */
import { access, constants } from 'node:fs/promises';
import type pg from 'pg';
import { AppError, UserFacingError, withContext } from '../../domain/errors.ts';
import { describePg, libpqArgs, libpqEnv, parsePgUrl, pgSecrets, withDatabase } from '../../domain/pg-url.ts';
import type { RestoreBackupOptions, RestoreBackupResult } from '../../flows/ports/database.ts';
import { runCommand } from '../process/run-command.ts';
import { withPg } from '../target-db/connect-pg.ts';
import { dropDatabase } from './drop-database.ts';
import { type RestoreMarker, readDatabaseStatus, writeRestoreMarker } from './restore-marker.ts';

export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreBackupResult> {
  const { serverUrl, database, backupPath } = options;
  const where = `${describePg(serverUrl).replace(/\/.*$/, '')}/${database}`;
  await access(backupPath, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new UserFacingError(
      'not_found',
      `the backup ${backupPath} is missing or unreadable (${err.code}): check the backup volume, or pick another backup`,
      { cause: err },
    );
  });
  try {
    const prepared = await withPg(serverUrl, {}, (admin) => prepareDatabase(admin, options));
    if (prepared.resumed) return { database, resumed: true, cleanedUp: false };
    await runPgRestore(options).catch((err: unknown) => failedRestore(options, err));
    await withPg(serverUrl, {}, (admin) =>
      writeRestoreMarker(admin, database, { ...prepared.marker, state: 'restored' }),
    );
    return { database, resumed: false, cleanedUp: prepared.cleanedUp };
  } catch (err) {
    throw withContext(`while restoring ${backupPath} into ${where}`, err);
  }
}

async function prepareDatabase(
  admin: pg.Client,
  options: RestoreBackupOptions,
): Promise<{ resumed: boolean; cleanedUp: boolean; marker: RestoreMarker }> {
  const { database, incidentId, backupPath } = options;
  const marker: RestoreMarker = {
    tool: 'rollback-commander',
    incident: incidentId,
    state: 'restoring',
    backup: backupPath,
    startedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  const status = await readDatabaseStatus(admin, database);
  let cleanedUp = false;
  if (status.exists) {
    const ours = status.marker?.incident === incidentId;
    // Restored (or already promoted): never dropped here, whatever a retry asks.
    if (ours && status.marker?.state !== 'restoring') {
      if (status.marker?.backup === backupPath) return { resumed: true, cleanedUp, marker: status.marker };
      throw new UserFacingError(
        'conflict',
        `database ${database} already holds a restore of ${status.marker?.backup}: abandon it first (which drops it), then restore ${backupPath}`,
      );
    }
    if (!ours && !(status.marker === null && (await isEmptyDatabase(options.serverUrl, database)))) {
      throw new UserFacingError(
        'conflict',
        `a database named ${database} already exists on the restore server and was not made by this incident's restore, so it is left alone: ` +
          `if it is disposable drop it (DROP DATABASE "${database}"), else set database.restore.database_prefix to restore under another name`,
      );
    }
    // Half-made by a killed attempt (marker "restoring"), or created empty just before a kill.
    await dropDatabase(admin, database);
    cleanedUp = true;
  }
  await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  await writeRestoreMarker(admin, database, marker);
  return { resumed: false, cleanedUp, marker };
}

/**
 * A failed or timed-out pg_restore leaves a half-made database: drop it so nobody mistakes it for
 * a restore. An abort leaves it as it is (PRODUCT.md: abort changes nothing); its "restoring"
 * marker lets the retry or abandon clean it up.
 */
async function failedRestore(options: RestoreBackupOptions, err: unknown): Promise<never> {
  if (err instanceof AppError && err.code === 'aborted') throw err;
  const dropped = await withPg(options.serverUrl, {}, (admin) => dropDatabase(admin, options.database)).then(
    () => `The partial database ${options.database} was dropped.`,
    () => `The partial database ${options.database} could not be dropped: a retry or abandon drops it.`,
  );
  const hint =
    err instanceof AppError && err.code === 'timeout'
      ? 'Raise database.restore.timeout, or restore a smaller backup.'
      : 'A corrupt or truncated dump fails like this: check the file, or pick another backup.';
  const message = err instanceof Error ? err.message : String(err);
  throw new UserFacingError(err instanceof AppError ? err.code : 'upstream_error', `${message}\n${dropped} ${hint}`, {
    cause: err,
  });
}

async function isEmptyDatabase(serverUrl: string, database: string): Promise<boolean> {
  return withPg(withDatabase(serverUrl, database), { readOnly: true }, async (client) => {
    const result = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'`,
    );
    return result.rows[0]?.n === 0;
  });
}

function runPgRestore(options: RestoreBackupOptions): Promise<unknown> {
  const conn = parsePgUrl(options.serverUrl, 'the restore server URL');
  return runCommand({
    argv: [
      'pg_restore',
      '--clean',
      '--if-exists',
      '--no-owner',
      '--verbose',
      ...libpqArgs(conn),
      `--dbname=${options.database}`,
      options.backupPath,
    ],
    env: libpqEnv(conn),
    timeoutMs: options.timeoutMs,
    secrets: pgSecrets(options.serverUrl),
    onOutput: options.onOutput,
    signal: options.signal,
    what: 'pg_restore',
  });
}
