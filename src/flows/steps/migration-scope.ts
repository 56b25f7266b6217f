/**
 * Runbook "Determine migration scope": the app database's last applied migration (read-only) and
 * the migrations the bad release shipped (GitHub compare, target tag → bad tag), in plain words.
 */
import type { DatabaseConfig } from '../../app/config-database.ts';
import { withContext } from '../../domain/errors.ts';
import { computeMigrationScope, type ChangedFile, type MigrationScope } from '../../adapters/target-db/compute-migration-scope.ts';
import { readHeadMigration } from '../../adapters/target-db/read-head-migration.ts';

/** What these steps need from GitHub (the GitHub adapter satisfies it). */
export interface MigrationSource {
  /** Files changed between two refs, as GitHub's compare API lists them. */
  compare(base: string, head: string): Promise<{ files: ChangedFile[] }>;
  /** A file's text at a ref; null when it does not exist there. */
  getFileContent(path: string, ref: string): Promise<string | null>;
}

export interface MigrationScopeInput {
  source: MigrationSource;
  targetDatabaseUrl: string;
  config: DatabaseConfig;
  badVersion: string;
  targetVersion: string;
}

export async function determineMigrationScope(input: MigrationScopeInput): Promise<MigrationScope> {
  const { config, badVersion, targetVersion } = input;
  const [state, changed] = await Promise.all([
    readHeadMigration(input.targetDatabaseUrl, config.migrations_table),
    input.source.compare(targetVersion, badVersion).catch((err: unknown) => {
      throw withContext(`while listing the files ${badVersion} changed since ${targetVersion}`, err);
    }),
  ]);
  return computeMigrationScope({
    head: state.head?.version ?? null,
    applied: state.recent.map((m) => m.version),
    shippedFiles: changed.files,
    migrationsPath: config.migrations.path,
    versionStyle: config.migrations.version,
    downFilePattern: config.migrations.down_file,
    badVersion,
    targetVersion,
  });
}
