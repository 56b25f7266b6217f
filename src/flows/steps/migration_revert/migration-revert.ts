/**
 * Runbook "Revert latest migration (if reversible), else plan a forward-fix". The runbook's
 * `supabase db rollback` does not exist (API_NOTES.md), so a revert is either the version's down
 * file read at the bad tag (applied in one transaction) or a configured argv command. One
 * migration per run, the head only: plan → show SQL/command → two approvals → run → re-check.
 */
import { createHash } from 'node:crypto';
import type { DatabaseConfig } from '../../../config/database.ts';
import { renderArgv } from '../../../domain/argv-template.ts';
import { childEnv } from '../../../domain/child-env.ts';
import { UserFacingError, withContext } from '../../../domain/errors.ts';
import { pgSecrets } from '../../../domain/pg-url.ts';
import type { CommandRunner, OutputLine } from '../../ports/commands.ts';
import type { TargetDatabase } from '../../ports/database.ts';
import type { MigrationSource } from '../../ports/migration-source.ts';
import type { MigrationScope } from '../migration_scope/compute-migration-scope.ts';
import { describeDestructive } from './describe-destructive.ts';
import type { RevertPlan } from './plan.ts';

export async function planMigrationRevert(input: {
  source: MigrationSource;
  /** migration_scope's answer; only the migrations to revert and its report are read. */
  scope: Pick<MigrationScope, 'toRevert' | 'report'>;
  config: DatabaseConfig;
  badVersion: string;
}): Promise<RevertPlan> {
  const { scope, config, badVersion } = input;
  const migration = scope.toRevert[0];
  if (!migration) throw new UserFacingError('prerequisite_unmet', `nothing to revert: ${scope.report}`);
  if (config.revert_command) {
    const argv = renderArgv(
      config.revert_command.argv,
      { version: migration.version, previous_version: migration.previousVersion },
      'database.revert_command.argv',
    );
    return { kind: 'command', migration, argv, summary: `revert ${migration.name} with \`${argv.join(' ')}\`` };
  }
  const file = downFilePath(config, migration);
  const sql = await input.source.getFileContent(file, badVersion).catch((err: unknown) => {
    throw withContext(`while reading ${file} at ${badVersion}`, err);
  });
  if (sql === null || sql.trim() === '') {
    const reason = `${migration.name} is not reversible here: there is no down migration at ${file} in ${badVersion} and no database.revert_command — plan a forward-fix`;
    return { kind: 'forward_fix', migration, reason, summary: reason };
  }
  const warnings = describeDestructive(sql);
  const sha256 = createHash('sha256').update(sql).digest('hex');
  const warned = warnings.length ? ` — WARNING: ${warnings.map((w) => w.message).join('; ')}` : '';
  return {
    kind: 'down_file',
    migration,
    file,
    ref: badVersion,
    sql,
    sha256,
    warnings,
    summary: `revert ${migration.name} by applying ${file} (${badVersion}) in one transaction${warned}`,
  };
}

export function downFilePath(config: DatabaseConfig, migration: { version: string; name: string }): string {
  return config.migrations.down_file
    .replaceAll('{path}', config.migrations.path)
    .replaceAll('{version}', migration.version)
    .replaceAll('{name}', migration.name);
}

export interface RevertRunInput {
  /** The plan as approved: exactly this SQL or command runs. */
  plan: RevertPlan;
  database: TargetDatabase;
  commands: CommandRunner;
  targetDatabaseUrl: string;
  config: DatabaseConfig;
  /** Where the command's configured variables are read from (the bot's environment). */
  env?: NodeJS.ProcessEnv;
  onOutput?: (line: OutputLine) => void;
  signal?: AbortSignal;
}

export interface RevertRunResult {
  /** The head after the revert: the migration's previous version. */
  head: string | null;
  /** An earlier attempt had already reverted it (a retry after a crash). */
  alreadyReverted: boolean;
  summary: string;
}

export async function runMigrationRevert(input: RevertRunInput): Promise<RevertRunResult> {
  const { plan, config, targetDatabaseUrl: url } = input;
  const { migration } = plan;
  let alreadyReverted = false;
  if (plan.kind === 'forward_fix')
    throw new UserFacingError('prerequisite_unmet', `${migration.name} has no revert: ${plan.reason}`);
  if (plan.kind === 'down_file') {
    const result = await input.database.applyDown(url, config.migrations_table, {
      version: migration.version,
      sql: plan.sql,
      lockTimeoutMs: config.lock_timeout,
      statementTimeoutMs: config.statement_timeout,
    });
    alreadyReverted = !result.applied;
  } else {
    alreadyReverted = await runRevertCommand(input, plan);
  }
  const head = (await input.database.readHead(url, config.migrations_table, { recent: 1 })).head?.version ?? null;
  if (head !== migration.previousVersion) {
    throw new UserFacingError(
      'upstream_error',
      `after reverting ${migration.name} the database is at ${head ?? '(no migrations)'}, not ${migration.previousVersion ?? '(no migrations)'} as expected: check schema_migrations by hand before anything else runs`,
    );
  }
  const how = plan.kind === 'down_file' ? `applied ${plan.file}` : `ran \`${plan.argv.join(' ')}\``;
  const summary = alreadyReverted
    ? `${migration.name} was already reverted; database at ${head ?? '(no migrations)'}`
    : `reverted ${migration.name} (${how}); database at ${head ?? '(no migrations)'}`;
  return { head, alreadyReverted, summary };
}

/** Returns true when there was nothing left to do (the version is already gone). */
async function runRevertCommand(
  input: RevertRunInput,
  plan: Extract<RevertPlan, { kind: 'command' }>,
): Promise<boolean> {
  const command = input.config.revert_command;
  if (!command)
    throw new UserFacingError(
      'config_invalid',
      'database.revert_command was removed from rollback.yml since this revert was planned: plan it again',
    );
  const { migration } = plan;
  // The approved argv must still be what config says: nobody runs a command they did not see.
  const argv = renderArgv(
    command.argv,
    { version: migration.version, previous_version: migration.previousVersion },
    'database.revert_command.argv',
  );
  if (argv.join('\u0000') !== plan.argv.join('\u0000')) {
    throw new UserFacingError(
      'stale',
      'database.revert_command changed since this revert was approved: plan it again and re-approve',
    );
  }
  const state = await input.database.readHead(input.targetDatabaseUrl, input.config.migrations_table);
  if (!state.recent.some((m) => m.version === migration.version)) return true;
  if (state.head?.version !== migration.version) {
    throw new UserFacingError(
      'conflict',
      `${migration.version} is not the newest migration (the database is at ${state.head?.version}): run the migration scope step again`,
    );
  }
  const passed = childEnv(command.env, input.env ?? process.env, 'database.revert_command.env');
  await input.commands.run({
    argv,
    env: { ...passed, [command.database_url_var]: input.targetDatabaseUrl },
    timeoutMs: command.timeout,
    secrets: [...pgSecrets(input.targetDatabaseUrl), ...Object.values(passed)],
    onOutput: input.onOutput,
    signal: input.signal,
    what: 'the revert command (database.revert_command)',
  });
  return false;
}
