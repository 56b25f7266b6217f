/**
 * What the database steps share: their dependencies, the checks that turn a missing setting into
 * a message saying what to set, and a progress stream for child-process output (already redacted
 * by runCommand) that batches lines so a verbose pg_restore does not write a timeline row per table.
 */
import { createHash } from 'node:crypto';
import type { DatabaseConfig } from '../../../config/database.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import { describePg } from '../../../domain/pg-url.ts';
import type { StepId } from '../../../domain/steps.ts';
import { mentionOf } from '../../../domain/user-text.ts';
import type { StepContext } from '../../executor.ts';
import type { CommandRunner, OutputLine } from '../../ports/commands.ts';
import type { BackupStore, TargetDatabase } from '../../ports/database.ts';
import type { MigrationSource } from '../../ports/migration-source.ts';
import type { SecretKeys } from '../../ports/secrets.ts';
import type { RestartableDeployments } from '../../ports.ts';

export interface DatabaseStepDeps {
  /** GitHub: compare and file contents; null when GITHUB_TOKEN is not set. */
  source: MigrationSource | null;
  /** The app database URL, from the env var `target.database_url_env` names. */
  targetDatabaseUrl: string | undefined;
  /** The bot's environment: the restore server URL and the revert command's variables are read from it. */
  env: NodeJS.ProcessEnv;
  secrets: SecretKeys;
  deployments: RestartableDeployments;
  /** The app's database (and a restored copy): migrations table, down migration, validation. */
  database: TargetDatabase;
  /** Backup files, restoring one into a new database, its marker, dropping it. */
  backups: BackupStore;
  /** The configured revert command. */
  commands: CommandRunner;
  /**
   * This bot's schema and environment (`<schema>/<environment>`). Incident ids repeat per schema,
   * so restored databases are named per installation: two bots on one restore server never adopt
   * (or drop) each other's restore.
   */
  installation: string;
}

/** The database config with the restore prefix namespaced by installation (see `installation`). */
export function restoreConfig(ctx: StepContext, deps: DatabaseStepDeps): DatabaseConfig {
  const config = databaseConfig(ctx);
  const tag = createHash('sha256').update(deps.installation).digest('hex').slice(0, 6);
  return { ...config, restore: { ...config.restore, database_prefix: `${config.restore.database_prefix}_${tag}` } };
}

export function databaseConfig(ctx: StepContext): DatabaseConfig {
  const config = ctx.config.database;
  if (!config) {
    throw new UserFacingError(
      'config_invalid',
      'rollback.yml has no `database:` section: add one (rollback.example.yml documents each key), or do this runbook line by hand and Skip the step with a reason',
    );
  }
  return config;
}

export function targetDatabaseUrl(ctx: StepContext, deps: DatabaseStepDeps): string {
  if (!deps.targetDatabaseUrl) {
    const name = ctx.config.target.database_url_env;
    throw new UserFacingError(
      'config_invalid',
      `${name} is not set: give the bot the app database's postgres:// URL in ${name} (target.database_url_env names the variable) and restart it`,
    );
  }
  return deps.targetDatabaseUrl;
}

/** The restore server: its own env var when configured, else the app database's server. */
/** The restore server: the configured env var's URL, else the target database's own server. */
export function restoreServerUrl(
  config: DatabaseConfig,
  targetDatabaseUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const name = config.restore.server_url_env;
  if (!name) return targetDatabaseUrl;
  const url = env[name];
  if (!url)
    throw new UserFacingError(
      'config_invalid',
      `database.restore.server_url_env names ${name}, but ${name} is not set: set it to a postgres:// URL of the restore server`,
    );
  return url;
}

export function restoreServer(
  ctx: StepContext,
  deps: DatabaseStepDeps,
  config: DatabaseConfig,
): { url: string; shown: string } {
  const url = config.restore.server_url_env ? restoreServerUrl(config, '', deps.env) : targetDatabaseUrl(ctx, deps);
  return { url, shown: describePg(url).replace(/\/.*$/, '') };
}

export function migrationSource(deps: DatabaseStepDeps): MigrationSource {
  if (!deps.source) {
    throw new UserFacingError(
      'config_invalid',
      'GITHUB_TOKEN is not set, so the migrations the release shipped cannot be listed: set it (Contents read) and Retry, or check by hand and Skip with a reason',
    );
  }
  return deps.source;
}

/** The output of an earlier step this one builds on; its absence is a bug or a skipped step. */
export function outputOf(ctx: StepContext, stepId: StepId, what: string): Record<string, unknown> {
  const rec = ctx.snapshot.steps.get(stepId);
  if (rec?.state !== 'succeeded') {
    throw new UserFacingError(
      'prerequisite_unmet',
      `${what} comes from \`${stepId}\`, which is ${rec?.state.replace('_', ' ') ?? 'missing'}: run it first`,
    );
  }
  return rec.output;
}

export function mentions(userIds: readonly string[]): string {
  return userIds.map(mentionOf).join(' and ') || 'nobody';
}

export interface ProgressStream {
  onOutput(line: OutputLine): void;
  /** Writes what is buffered; await it before the step returns. */
  flush(): Promise<void>;
}

/** Lines go out in batches: at most one progress event per `everyMs`, and all of them at the end. */
export function progressStream(
  ctx: StepContext,
  options: { prefix: string; everyMs?: number; maxLines?: number },
): ProgressStream {
  const everyMs = options.everyMs ?? 2000;
  const maxLines = options.maxLines ?? 40;
  let buffer: string[] = [];
  let last = 0;
  let chain: Promise<void> = Promise.resolve();
  const send = (): void => {
    if (buffer.length === 0) return;
    const lines = buffer;
    buffer = [];
    last = Date.now();
    // A lost progress line must not fail a revert or restore that is half done.
    chain = chain
      .then(() => ctx.progress(`${options.prefix}\n${lines.join('\n')}`))
      .catch((err: unknown) => ctx.log.warn({ err }, 'could not record progress'));
  };
  return {
    onOutput(line) {
      if (line.line.trim() === '') return;
      buffer.push(line.line);
      if (buffer.length >= maxLines || Date.now() - last >= everyMs) send();
    },
    async flush() {
      send();
      await chain;
    },
  };
}
