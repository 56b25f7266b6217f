/**
 * The engine's `backup_abandon` executor: instead of promoting the restored database, drop it.
 * Production and the app's Secret are not touched.
 */

import { UserFacingError } from '../../../domain/errors.ts';
import { restoreDatabaseName } from '../../../domain/restore-database-name.ts';
import type { PlannedExecutor } from '../../executor.ts';
import { type DatabaseStepDeps, restoreConfig, restoreServer } from '../_shared/db-step-support.ts';
import { readOutput } from '../_shared/step-output.ts';
import { backupRestoreOutputSchema } from '../backup_restore/output.ts';
import { abandonBackupRestore } from './backup-abandon.ts';

export function createBackupAbandonStep(deps: DatabaseStepDeps): PlannedExecutor {
  return {
    async plan(ctx) {
      const config = restoreConfig(ctx, deps);
      const server = restoreServer(ctx, deps, config);
      const database = restoreDatabaseName(config.restore.database_prefix, ctx.incident.id);
      const restored = readOutput(
        'backup_restore',
        backupRestoreOutputSchema.partial(),
        ctx.snapshot.steps.get('backup_restore')?.output,
      );
      const from = restored?.backup ? ` (the restore of ${restored.backup.name})` : '';
      return {
        summary:
          `Drop database ${database} on ${server.shown}${from}. Only a database carrying this incident's restore marker is dropped, and never a promoted one; ` +
          'production and the Secret are not touched.',
        plan: { database, server: server.shown },
      };
    },

    async apply(ctx) {
      const config = restoreConfig(ctx, deps);
      const server = restoreServer(ctx, deps, config);
      if (
        ctx.plan.database !== restoreDatabaseName(config.restore.database_prefix, ctx.incident.id) ||
        ctx.plan.server !== server.shown
      ) {
        throw new UserFacingError(
          'stale',
          'the restore server or database prefix changed since this was approved: Retry to plan again and re-approve',
        );
      }
      const { database, dropped } = await abandonBackupRestore({
        config,
        backups: deps.backups,
        incidentId: ctx.incident.id,
        serverUrl: server.url,
      });
      return {
        outcome: 'succeeded',
        summary: dropped
          ? `Dropped ${database} on ${server.shown}; production was not touched`
          : `${database} on ${server.shown} was already gone; nothing to drop`,
        output: { database, dropped },
      };
    },
  };
}
