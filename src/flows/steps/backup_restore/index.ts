/**
 * The engine's `backup_restore` executor (critical incidents only): Run proposes the newest backup
 * taken before the first bad request and shows its time, size and the data-loss window; after two
 * approvals exactly that backup is restored into a NEW database on the restore server and validated.
 * Production is never written here; promote and abandon are their own approved steps.
 */

import { UserFacingError } from '../../../domain/errors.ts';
import { restoreDatabaseName } from '../../../domain/restore-database-name.ts';
import type { PlannedExecutor, StepContext } from '../../executor.ts';
import { type DatabaseStepDeps, progressStream, restoreConfig, restoreServer } from '../_shared/db-step-support.ts';
import { readPlan } from '../_shared/step-output.ts';
import { proposeBackupRestore, runBackupRestore } from './backup-restore.ts';
import type { BackupRestoreOutput } from './output.ts';
import { type BackupRestorePlan, backupRestorePlanSchema } from './plan.ts';
import { formatBytes, formatDuration } from './propose-backup.ts';

export function createBackupRestoreStep(deps: DatabaseStepDeps): PlannedExecutor {
  return {
    async plan(ctx) {
      const config = restoreConfig(ctx, deps);
      const server = restoreServer(ctx, deps, config);
      const badAt = ctx.incident.impactStartedAt ?? ctx.incident.detectedAt;
      const proposal = await proposeBackupRestore({
        config,
        backups: deps.backups,
        firstBadRequestAt: badAt,
        now: ctx.now(),
      });
      if (!proposal.backup || !proposal.dataLoss) {
        const ignored = proposal.listing.ignored.map((i) => `${i.name} (${i.reason})`).join('; ');
        throw new UserFacingError(
          'not_found',
          `no backup to restore: ${proposal.reason}${ignored ? `; ignored: ${ignored}` : ''}. Nothing was restored: put a backup in ${config.backups?.directory} (or correct the first bad request time) and Retry`,
        );
      }
      const { backup, dataLoss } = proposal;
      const plan: BackupRestorePlan = {
        backup: { name: backup.name, takenAt: backup.takenAt.toISOString(), sizeBytes: backup.sizeBytes },
        dataLoss: { from: dataLoss.from.toISOString(), to: dataLoss.to.toISOString(), text: dataLoss.text },
        database: restoreDatabaseName(config.restore.database_prefix, ctx.incident.id),
        server: server.shown,
        firstBadRequestAt: badAt.toISOString(),
      };
      const guessed = ctx.incident.impactStartedAt
        ? ''
        : ' (the first bad request was not entered, so the detection time stands in for it: correct the times if the impact began earlier)';
      const checks = [
        `${config.migrations_table.schema}.${config.migrations_table.table}`,
        ...config.validation.count_tables.map((t) => `rows in ${t}`),
        ...config.validation.checks.map((c) => c.name),
      ];
      const summary = [
        `Backup: ${proposal.reason}${guessed}.`,
        `Into a NEW database ${plan.database} on ${plan.server}, with \`pg_restore --clean --if-exists --no-owner\`, then validate it (${checks.join(', ')}).`,
        `Data-loss window: ${dataLoss.text}.`,
        'Production is not touched: promoting the restored database (Secret swap + restart) or abandoning it are separate steps, each with two approvals.',
      ].join('\n');
      return { summary, plan };
    },

    async apply(ctx) {
      const plan = readPlan('backup_restore', backupRestorePlanSchema, ctx.plan);
      const config = restoreConfig(ctx, deps);
      const server = restoreServer(ctx, deps, config);
      const database = restoreDatabaseName(config.restore.database_prefix, ctx.incident.id);
      if (database !== plan.database || server.shown !== plan.server) {
        throw new UserFacingError(
          'stale',
          `the restore target changed since it was approved (now ${database} on ${server.shown}): Retry to plan again and re-approve`,
        );
      }
      await ctx.progress(
        `restoring ${plan.backup.name} (${formatBytes(plan.backup.sizeBytes)}) into ${plan.database} on ${plan.server}`,
      );
      const stream = progressStream(ctx, { prefix: 'pg_restore output:' });
      const result = await runBackupRestore({
        config,
        backups: deps.backups,
        database: deps.database,
        incidentId: ctx.incident.id,
        backupName: plan.backup.name,
        serverUrl: server.url,
        onOutput: stream.onOutput,
        signal: ctx.signal,
        now: ctx.now,
      }).finally(() => stream.flush());
      return {
        outcome: 'succeeded',
        summary: `${result.summary}\n${lossSoFar(ctx, plan)}\nNext: Promote it (Secret swap + restart) or Abandon it (drops it) — each needs two approvals.`,
        output: {
          database: result.database,
          location: result.location,
          backup: plan.backup,
          validation: result.validation,
          resumed: result.resumed,
          cleanedUp: result.cleanedUp,
        } satisfies BackupRestoreOutput,
      };
    },
  };
}

export function lossSoFar(ctx: StepContext, plan: { backup: { name: string; takenAt: string } }): string {
  const ms = Math.max(0, ctx.now().getTime() - new Date(plan.backup.takenAt).getTime());
  return `Data-loss window if promoted: every write since ${plan.backup.takenAt} (${formatDuration(ms)} so far) is not in ${plan.backup.name}.`;
}
