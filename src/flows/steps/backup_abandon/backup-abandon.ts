/**
 * Abandon a restore: drop the restored database. Only a database carrying this incident's restore
 * marker is dropped, and never a promoted one (drop-restored-database.ts checks the marker).
 */
import type { DatabaseConfig } from '../../../config/database.ts';
import { restoreDatabaseName } from '../../../domain/restore-database-name.ts';
import type { BackupStore } from '../../ports/database.ts';

export async function abandonBackupRestore(input: {
  config: DatabaseConfig;
  backups: Pick<BackupStore, 'drop'>;
  incidentId: string;
  serverUrl: string;
}): Promise<{ database: string; dropped: boolean }> {
  const database = restoreDatabaseName(input.config.restore.database_prefix, input.incidentId);
  const { dropped } = await input.backups.drop({ serverUrl: input.serverUrl, database, incidentId: input.incidentId });
  return { database, dropped };
}
