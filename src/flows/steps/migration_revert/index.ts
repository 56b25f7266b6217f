/**
 * The engine's `migration_revert` executor over the database layer (migration-revert.ts, and
 * migration_scope's output). The revert is planned (SQL or argv shown, destructive
 * statements flagged), approved by two people, then applied exactly as shown — one migration per
 * attempt, newest first. Without a down migration the plan is a forward-fix, which approving records.
 */
import ms from 'ms';
import type { DatabaseConfig } from '../../../config/database.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import type { PlannedExecutor, StepContext, StepOutcome } from '../../executor.ts';
import type { TargetDatabase } from '../../ports/database.ts';
import type { MigrationSource } from '../../ports/migration-source.ts';
import {
  type DatabaseStepDeps,
  databaseConfig,
  mentions,
  migrationSource,
  outputOf,
  progressStream,
  targetDatabaseUrl,
} from '../_shared/db-step-support.ts';
import { readOutput, readPlan } from '../_shared/step-output.ts';
import type { MigrationToRevert } from '../migration_scope/compute-migration-scope.ts';
import type { StoredScope } from '../migration_scope/index.ts';
import { migrationScopeOutputSchema } from '../migration_scope/output.ts';
import { planMigrationRevert, runMigrationRevert } from './migration-revert.ts';
import { type MigrationRevertOutput, migrationRevertOutputSchema } from './output.ts';
import { type PlannedRevert, plannedRevertSchema } from './plan.ts';

/** Shown in Slack: enough SQL to judge it; the plan keeps all of it (and its sha256). */
const SQL_SHOWN = 1500;

export function createMigrationRevertStep(deps: DatabaseStepDeps): PlannedExecutor {
  // Only the down-file path needs GitHub: a configured revert command works without a token.
  const source: MigrationSource = {
    compare: async (base, head) => migrationSource(deps).compare(base, head),
    getFileContent: async (path, ref) => migrationSource(deps).getFileContent(path, ref),
    listDirectory: async (path, ref) => migrationSource(deps).listDirectory(path, ref),
  };
  const executor: PlannedExecutor = {
    async plan(ctx) {
      const config = databaseConfig(ctx);
      const scope = readOutput(
        'migration_scope',
        migrationScopeOutputSchema,
        outputOf(ctx, 'migration_scope', 'the list of migrations to revert'),
      );
      const remaining = await stillToRevert(
        deps.database,
        targetDatabaseUrl(ctx, deps),
        config,
        scope,
        ctx.incident.badVersion,
      );
      const revert = await planMigrationRevert({
        source,
        scope: { ...scope, toRevert: remaining },
        config,
        badVersion: ctx.incident.badVersion,
      });
      const planned: PlannedRevert = {
        ...revert,
        head: revert.migration.version,
        remainingAfter: remaining.slice(1).map((m) => m.version),
        expectedVersion: scope.expectedVersion,
        requestedBy: ctx.step.actor,
        ...(revert.kind === 'forward_fix' ? { forwardFix: forwardFixText(ctx, revert.migration, scope) } : {}),
      };
      return {
        summary: describePlan(planned, config, ctx.incident.badVersion),
        plan: planned,
      };
    },

    async apply(ctx) {
      const plan = readPlan('migration_revert', plannedRevertSchema, ctx.plan);
      if (plan.kind === 'forward_fix') return recordForwardFix(ctx, plan);
      const config = databaseConfig(ctx);
      await ctx.progress(
        plan.kind === 'down_file'
          ? `applying ${plan.file} (${plan.ref}) in one transaction`
          : `running \`${plan.argv.join(' ')}\``,
      );
      const stream = progressStream(ctx, { prefix: 'revert command output:' });
      const result = await runMigrationRevert({
        plan,
        database: deps.database,
        commands: deps.commands,
        targetDatabaseUrl: targetDatabaseUrl(ctx, deps),
        config,
        env: deps.env,
        onOutput: stream.onOutput,
        signal: ctx.signal,
      }).finally(() => stream.flush());
      const earlier = readOutput('migration_revert', migrationRevertOutputSchema, ctx.previous).reverted ?? [];
      const reverted = [...new Set([...earlier, plan.migration.version])];
      if (plan.remainingAfter.length > 0) {
        // Each revert needs its own plan and approvals: plan the next one now; the engine starts a
        // new attempt for it, so it waits for two new approvals.
        await ctx.checkpoint({ reverted, head: result.head });
        const next = await executor.plan({ ...ctx, previous: { ...ctx.previous, reverted, head: result.head } });
        const n = plan.remainingAfter.length;
        return {
          outcome: 'awaiting_approval',
          summary: `${result.summary}. ${n} more migration${n === 1 ? '' : 's'} from ${ctx.incident.badVersion} to go, newest first — next: ${next.summary}`,
          output: { reverted, head: result.head, plan: next.plan, plannedAt: ctx.now().toISOString() },
        };
      }
      const expected =
        plan.expectedVersion === result.head ? `, what ${ctx.incident.targetVersion ?? 'the target'} expects` : '';
      return {
        outcome: 'succeeded',
        summary: `${result.summary}${expected}`,
        output: {
          reverted,
          head: result.head,
          alreadyReverted: result.alreadyReverted,
        } satisfies MigrationRevertOutput,
      };
    },
  };
  return executor;
}

/** The shipped migrations from the database's current head down: a retry continues where the last one stopped. */
async function stillToRevert(
  database: TargetDatabase,
  url: string,
  config: DatabaseConfig,
  scope: StoredScope,
  badVersion: string,
): Promise<MigrationToRevert[]> {
  const head = (await database.readHead(url, config.migrations_table, { recent: 1 })).head?.version ?? null;
  const index = scope.toRevert.findIndex((m) => m.version === head);
  if (index >= 0) return scope.toRevert.slice(index);
  const at = head ?? '(no migrations)';
  if (head === scope.expectedVersion && scope.toRevert.length > 0) {
    throw new UserFacingError(
      'prerequisite_unmet',
      `nothing left to revert: the database is at ${at}, what the target expects — Skip this step with a reason`,
    );
  }
  if (scope.toRevert.length === 0)
    throw new UserFacingError('prerequisite_unmet', `nothing to revert: ${scope.report}`);
  throw new UserFacingError(
    'conflict',
    `the database is at ${at}, which the migration scope did not expect (it found ${scope.toRevert.map((m) => m.version).join(', ')} from ${badVersion} to revert): ` +
      'someone changed it since — check schema_migrations by hand, then Skip this step with a reason',
  );
}

function forwardFixText(ctx: StepContext, migration: MigrationToRevert, scope: StoredScope): string {
  const target = scope.targetVersion ?? ctx.incident.targetVersion ?? 'the target release';
  return (
    `leave ${migration.name} applied (the database stays at ${migration.version}); the owners make ${target} work with it — ` +
    `a new migration that repairs or supersedes it, shipped through the normal pipeline — and keep deploys paused until that fix is merged, ` +
    `so resuming does not ship ${ctx.incident.badVersion}'s code again.`
  );
}

function describePlan(plan: PlannedRevert, config: DatabaseConfig, badVersion: string): string {
  const { migration } = plan;
  const to = migration.previousVersion ?? '(no migrations)';
  const lines: string[] = [];
  if (plan.kind === 'forward_fix') {
    lines.push(
      `${plan.reason}.`,
      `Forward-fix plan: ${plan.forwardFix}`,
      'Approving records this plan with the two approvers as its owners; the database is not touched.',
    );
  } else if (plan.kind === 'down_file') {
    lines.push(
      `Revert ${migration.name}: the database goes from ${migration.version} to ${to}.`,
      `Applies ${plan.file} (at ${plan.ref}, sha256 ${plan.sha256.slice(0, 12)}) and deletes its schema_migrations row in ONE transaction ` +
        `(lock_timeout ${ms(config.lock_timeout)}, statement_timeout ${ms(config.statement_timeout)}); any error rolls everything back.`,
      ...plan.warnings.map((w) => `WARNING: ${w.message}`),
      'SQL:',
      plan.sql.length > SQL_SHOWN
        ? `${plan.sql.slice(0, SQL_SHOWN)}\n… (${plan.sql.length - SQL_SHOWN} more characters; the whole file runs)`
        : plan.sql.trim(),
    );
  } else {
    const timeout = config.revert_command ? ms(config.revert_command.timeout) : '?';
    lines.push(
      `Revert ${migration.name}: the database goes from ${migration.version} to ${to}.`,
      `Runs \`${plan.argv.join(' ')}\` (no shell; the database URL only in its environment; stopped after ${timeout}), then checks the database is at ${to}.`,
    );
  }
  if (plan.remainingAfter.length > 0 && plan.kind !== 'forward_fix') {
    lines.push(
      `One migration at a time: ${plan.remainingAfter.length} more from ${badVersion} (${plan.remainingAfter.join(', ')}) remain after this one; the next is planned when this one is done, and needs its own two approvals.`,
    );
  }
  return lines.join('\n');
}

function recordForwardFix(ctx: StepContext & { plan: Record<string, unknown> }, plan: PlannedRevert): StepOutcome {
  const owners = ctx.snapshot.approvals
    .filter((a) => a.stepId === ctx.step.stepId && a.attempt === ctx.step.attempt)
    .map((a) => a.userId);
  const recordedAt = ctx.now().toISOString();
  const by = plan.requestedBy ? ` (asked for by ${mentions([plan.requestedBy])})` : '';
  return {
    outcome: 'succeeded',
    summary: `Forward-fix plan for ${plan.migration.name} recorded, owned by ${mentions(owners)}${by}: ${plan.forwardFix} The database was not changed.`,
    output: {
      forwardFix: {
        migration: plan.migration.version,
        plan: plan.forwardFix,
        owners,
        requestedBy: plan.requestedBy,
        recordedAt,
      },
    } satisfies MigrationRevertOutput,
  };
}
