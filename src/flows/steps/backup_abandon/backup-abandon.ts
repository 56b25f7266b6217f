/**
 * Abandon a restore: drop the restored database. Only a database carrying this incident's restore
 * marker is dropped, and never a promoted one (drop-restored-database.ts checks the marker).
 */
import type { DatabaseConfig } from '../../../config/database.ts';
import { dropRestoredDatabase } from '../../../adapters/backups/drop-restored-database.ts';
import { restoreDatabaseName } from '../../../adapters/backups/restore-marker.ts';

export async function abandonBackupRestore(input: { config: DatabaseConfig; incidentId: string; serverUrl: string }): Promise<{ database: string; dropped: boolean }> {
  const database = restoreDatabaseName(input.config.restore.database_prefix, input.incidentId);
  const { dropped } = await dropRestoredDatabase({ serverUrl: input.serverUrl, database, incidentId: input.incidentId });
  return { database, dropped };
}
