/** The real adapters behind the database ports, for tests that drive the step helpers directly. */
import { createPgBackupStore } from '../../src/adapters/backups/pg-backup-store.ts';
import { createChildProcessRunner } from '../../src/adapters/process/child-process-runner.ts';
import { createPgTargetDatabase } from '../../src/adapters/target-db/pg-target-database.ts';
import type { BackupStore, CommandRunner, TargetDatabase } from '../../src/flows/ports.ts';

export const REAL_PORTS: { database: TargetDatabase; backups: BackupStore; commands: CommandRunner } = {
  database: createPgTargetDatabase(),
  backups: createPgBackupStore(),
  commands: createChildProcessRunner(),
};
