/**
 * The engine's `migration_scope` executor over the database layer (migration-scope.ts): which
 * migrations the bad release shipped, and which of them migration_revert must undo, newest first.
 */
import { UserFacingError } from '../../../domain/errors.ts';
import type { RunExecutor } from '../../executor.ts';
import {
  type DatabaseStepDeps,
  databaseConfig,
  migrationSource,
  targetDatabaseUrl,
} from '../_shared/db-step-support.ts';
import { determineMigrationScope } from './migration-scope.ts';
import type { MigrationScopeOutput } from './output.ts';

/** What this step's output holds that migration_revert reads (output.ts). */
export type StoredScope = MigrationScopeOutput;

export function createMigrationScopeStep(deps: DatabaseStepDeps): RunExecutor {
  return {
    async run(ctx) {
      const config = databaseConfig(ctx);
      const url = targetDatabaseUrl(ctx, deps);
      const target = ctx.incident.targetVersion;
      if (!target) {
        throw new UserFacingError(
          'prerequisite_unmet',
          'no target release is approved yet: approve `select_release` first (the scope compares the target tag with the bad tag)',
        );
      }
      const scope = await determineMigrationScope({
        source: migrationSource(deps),
        database: deps.database,
        targetDatabaseUrl: url,
        config,
        badVersion: ctx.incident.badVersion,
        targetVersion: target,
      });
      const { head, shipped, rollbackNeeded, toRevert, expectedVersion, notes, report } = scope;
      return {
        outcome: 'succeeded',
        summary: [report, ...notes.map((n) => `Note: ${n}`)].join('\n'),
        output: {
          head,
          shipped,
          rollbackNeeded,
          toRevert,
          expectedVersion,
          notes,
          report,
          targetVersion: target,
        } satisfies MigrationScopeOutput,
      };
    },
  };
}
