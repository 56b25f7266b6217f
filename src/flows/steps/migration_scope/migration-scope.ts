/**
 * Runbook "Determine migration scope": the app database's last applied migration (read-only) and
 * the migrations the bad release shipped (GitHub compare, target tag → bad tag), in plain words.
 * GitHub's compare lists at most 300 changed files and never pages them, so a bigger release is
 * scoped from the migrations directory listed at both tags instead; a listing that may be cut
 * short fails the step rather than report "no database rollback needed" on half a list.
 */
import type { DatabaseConfig } from '../../../config/database.ts';
import { UserFacingError, withContext } from '../../../domain/errors.ts';
import type { TargetDatabase } from '../../ports/database.ts';
import {
  type ChangedFile,
  COMPARE_FILE_CAP,
  DIRECTORY_LISTING_CAP,
  type MigrationSource,
} from '../../ports/migration-source.ts';
import { computeMigrationScope, type MigrationScope } from './compute-migration-scope.ts';

export interface MigrationScopeInput {
  source: MigrationSource;
  database: TargetDatabase;
  targetDatabaseUrl: string;
  config: DatabaseConfig;
  badVersion: string;
  targetVersion: string;
}

export async function determineMigrationScope(input: MigrationScopeInput): Promise<MigrationScope> {
  const { config, badVersion, targetVersion } = input;
  const [state, changed] = await Promise.all([
    input.database.readHead(input.targetDatabaseUrl, config.migrations_table),
    changedFiles(input).catch((err: unknown) => {
      throw withContext(`while listing the files ${badVersion} changed since ${targetVersion}`, err);
    }),
  ]);
  return computeMigrationScope({
    head: state.head?.version ?? null,
    applied: state.recent.map((m) => m.version),
    shippedFiles: changed,
    migrationsPath: config.migrations.path,
    versionStyle: config.migrations.version,
    downFilePattern: config.migrations.down_file,
    badVersion,
    targetVersion,
  });
}

async function changedFiles(input: MigrationScopeInput): Promise<ChangedFile[]> {
  const { files } = await input.source.compare(input.targetVersion, input.badVersion);
  if (files.length < COMPARE_FILE_CAP) return files;
  const dir = input.config.migrations.path.replace(/\/+$/, '');
  const [before, after] = await Promise.all([
    listMigrations(input.source, dir, input.targetVersion),
    listMigrations(input.source, dir, input.badVersion),
  ]);
  const changed: ChangedFile[] = [];
  for (const [path, sha] of after) {
    const old = before.get(path);
    if (old === undefined) changed.push({ filename: path, status: 'added' });
    else if (old !== sha) changed.push({ filename: path, status: 'modified' });
  }
  for (const path of before.keys()) if (!after.has(path)) changed.push({ filename: path, status: 'removed' });
  return changed;
}

async function listMigrations(source: MigrationSource, dir: string, ref: string): Promise<Map<string, string>> {
  const entries = (await source.listDirectory(dir, ref)) ?? [];
  if (entries.length >= DIRECTORY_LISTING_CAP) {
    throw new UserFacingError(
      'upstream_error',
      `the release changed ${COMPARE_FILE_CAP} or more files, and ${dir} at ${ref} lists ${entries.length} entries, ` +
        'which is all GitHub returns, so the list of migrations may be incomplete: work out which migrations ' +
        'the release shipped by hand (git diff --name-status between the two tags) and Skip this step ' +
        'with that list as the reason',
    );
  }
  return new Map(entries.filter((e) => e.type === 'file').map((e) => [e.path, e.sha]));
}
