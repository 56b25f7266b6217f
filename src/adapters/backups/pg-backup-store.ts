/**
 * The BackupStore port (flows/ports/database.ts): pg_dump files in a directory, restored with
 * pg_restore into a new database on the restore server, which carries the incident's marker.
 */
import type { BackupStore } from '../../flows/ports/database.ts';
import { dropRestoredDatabase, markRestoredDatabase } from './drop-restored-database.ts';
import { listBackups } from './list-backups.ts';
import { restoreBackup } from './restore-backup.ts';

export function createPgBackupStore(): BackupStore {
  return {
    list: listBackups,
    restore: restoreBackup,
    mark: markRestoredDatabase,
    drop: dropRestoredDatabase,
  };
}
