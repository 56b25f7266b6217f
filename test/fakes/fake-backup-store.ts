/**
 * An in-memory BackupStore (flows/ports/database.ts): backup files per directory and restored
 * databases with their markers. Names are read with the real adapter's pure parsers, so both agree
 * on which files are backups. Errors carry the codes of the real store
 * (test/contracts/backup-store.test.ts).
 */
import { backupNameRegex, parseBackupTimestamp } from '../../src/adapters/backups/list-backups.ts';
import { UserFacingError, withContext } from '../../src/domain/errors.ts';
import type { BackupFile, BackupListing, BackupStore } from '../../src/flows/ports.ts';

export interface FakeRestoredDatabase {
  /** null: a database this store did not make (someone else's). */
  marker: { incident: string; state: 'restored' | 'promoted'; backup: string } | null;
}

export interface FakeBackupStore extends BackupStore {
  /** Adds a file to a directory (a valid dump unless `corrupt`). */
  addFile(directory: string, name: string, options?: { sizeBytes?: number; corrupt?: boolean }): void;
  /** Databases on the (one) restore server, by name. */
  databases: Map<string, FakeRestoredDatabase>;
}

export function createFakeBackupStore(): FakeBackupStore {
  const directories = new Map<string, Map<string, { sizeBytes: number; corrupt: boolean }>>();
  const databases = new Map<string, FakeRestoredDatabase>();
  return {
    databases,
    addFile(directory, name, options = {}) {
      const files = directories.get(directory) ?? new Map();
      files.set(name, { sizeBytes: options.sizeBytes ?? 1024, corrupt: options.corrupt ?? false });
      directories.set(directory, files);
    },
    async list(directory, filenamePattern) {
      const files = directories.get(directory);
      if (!files) {
        throw new UserFacingError(
          'not_found',
          `cannot read the backup directory ${directory} (ENOENT): mount the backup volume there, give the bot read access, or fix database.backups.directory`,
        );
      }
      const pattern = backupNameRegex(filenamePattern);
      const backups: BackupFile[] = [];
      const ignored: BackupListing['ignored'] = [];
      for (const [name, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
        const m = pattern.exec(name);
        if (!m) continue;
        const takenAt = parseBackupTimestamp(m[1] as string);
        if (!takenAt) {
          ignored.push({ name, reason: `"${m[1]}" is not a timestamp like 20261124T031500Z or 2026-11-24T03-15-00Z` });
          continue;
        }
        backups.push({ path: `${directory}/${name}`, name, takenAt, sizeBytes: file.sizeBytes });
      }
      backups.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
      return { backups, ignored };
    },
    async restore(options) {
      const { database, incidentId, backupPath } = options;
      const slash = backupPath.lastIndexOf('/');
      const file = directories.get(backupPath.slice(0, slash))?.get(backupPath.slice(slash + 1));
      if (!file)
        throw new UserFacingError(
          'not_found',
          `the backup ${backupPath} is missing or unreadable (ENOENT): check the backup volume, or pick another backup`,
        );
      try {
        const existing = databases.get(database);
        if (existing) {
          if (existing.marker?.incident !== incidentId) {
            throw new UserFacingError(
              'conflict',
              `a database named ${database} already exists on the restore server and was not made by this incident's restore, so it is left alone`,
            );
          }
          if (existing.marker.backup === backupPath) return { database, resumed: true, cleanedUp: false };
          throw new UserFacingError(
            'conflict',
            `database ${database} already holds a restore of ${existing.marker.backup}: abandon it first (which drops it), then restore ${backupPath}`,
          );
        }
        if (file.corrupt)
          throw new UserFacingError(
            'upstream_error',
            `pg_restore failed on ${backupPath}: the file is not a valid archive`,
          );
        databases.set(database, { marker: { incident: incidentId, state: 'restored', backup: backupPath } });
        return { database, resumed: false, cleanedUp: false };
      } catch (err) {
        throw withContext(`while restoring ${backupPath} into ${database}`, err);
      }
    },
    async mark(ref, state) {
      const db = databases.get(ref.database);
      if (!db?.marker || db.marker.incident !== ref.incidentId) {
        throw withContext(
          `while marking ${ref.database} as ${state}`,
          new UserFacingError(
            'prerequisite_unmet',
            `database ${ref.database} is not a finished restore of this incident: run the restore (and its validation) first`,
          ),
        );
      }
      db.marker.state = state;
    },
    async drop(ref) {
      const where = `while dropping the restored database ${ref.database}`;
      const db = databases.get(ref.database);
      if (!db) return { dropped: false };
      if (db.marker?.incident !== ref.incidentId) {
        throw withContext(
          where,
          new UserFacingError(
            'forbidden',
            `database ${ref.database} was not made by this incident's restore, so it is not dropped: drop it by hand if it is disposable`,
          ),
        );
      }
      if (db.marker.state === 'promoted') {
        throw withContext(
          where,
          new UserFacingError(
            'conflict',
            `database ${ref.database} was promoted and serves the app now: swap the connection string back first, then abandon it`,
          ),
        );
      }
      databases.delete(ref.database);
      return { dropped: true };
    },
  };
}
