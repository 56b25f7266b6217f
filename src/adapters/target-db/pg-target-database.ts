/** The TargetDatabase port (flows/ports/database.ts) over node-postgres: one short connection per call. */
import type { TargetDatabase } from '../../flows/ports/database.ts';
import { validateRestoredDatabase } from '../backups/validate-restored-database.ts';
import { applyDownMigration } from './apply-down-migration.ts';
import { readHeadMigration } from './read-head-migration.ts';

export function createPgTargetDatabase(): TargetDatabase {
  return {
    readHead: readHeadMigration,
    applyDown: applyDownMigration,
    validate: validateRestoredDatabase,
  };
}
