/**
 * Abandon: drop the database a restore made. Only a database carrying this incident's marker is
 * dropped, and never one that was promoted — after promotion it is production.
 */
import { UserFacingError, withContext } from '../../domain/errors.ts';
import { describePg } from '../../domain/pg-url.ts';
import type { RestoredDatabaseRef } from '../../flows/ports/database.ts';
import { withPg } from '../target-db/connect-pg.ts';
import { dropDatabase } from './drop-database.ts';
import { type RestoreMarker, readDatabaseStatus, writeRestoreMarker } from './restore-marker.ts';

/** Idempotent: `dropped: false` when the database is already gone. */
export async function dropRestoredDatabase(ref: RestoredDatabaseRef): Promise<{ dropped: boolean }> {
  try {
    return await withPg(ref.serverUrl, {}, async (admin) => {
      const status = await readDatabaseStatus(admin, ref.database);
      if (!status.exists) return { dropped: false };
      if (status.marker?.incident !== ref.incidentId) {
        throw new UserFacingError(
          'forbidden',
          `database ${ref.database} was not made by this incident's restore, so it is not dropped: drop it by hand if it is disposable`,
        );
      }
      if (status.marker.state === 'promoted') {
        throw new UserFacingError(
          'conflict',
          `database ${ref.database} was promoted and serves the app now: swap the connection string back first, then abandon it`,
        );
      }
      await dropDatabase(admin, ref.database);
      return { dropped: true };
    });
  } catch (err) {
    throw withContext(
      `while dropping the restored database ${ref.database} on ${describePg(ref.serverUrl).replace(/\/.*$/, '')}`,
      err,
    );
  }
}

/** Records promotion (or its reversal) on the database itself, so abandon can refuse a live one. */
export async function markRestoredDatabase(ref: RestoredDatabaseRef, state: 'restored' | 'promoted'): Promise<void> {
  try {
    await withPg(ref.serverUrl, {}, async (admin) => {
      const status = await readDatabaseStatus(admin, ref.database);
      if (!status.exists || status.marker?.incident !== ref.incidentId || status.marker.state === 'restoring') {
        throw new UserFacingError(
          'prerequisite_unmet',
          `database ${ref.database} is not a finished restore of this incident: run the restore (and its validation) first`,
        );
      }
      const marker: RestoreMarker = { ...status.marker, state };
      await writeRestoreMarker(admin, ref.database, marker);
    });
  } catch (err) {
    throw withContext(`while marking ${ref.database} as ${state}`, err);
  }
}
