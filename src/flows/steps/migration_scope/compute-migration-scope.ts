/**
 * Which migrations the bad release shipped (files added under the migrations path between the
 * target tag and the bad tag) and which of them the database has applied. Pure: the head comes
 * from readHeadMigration, the file list from the GitHub compare API.
 */

import type { ChangedFile } from '../../ports/migration-source.ts';

export interface ShippedMigration {
  /** What schema_migrations stores for it. */
  version: string;
  /** The file name without .sql, e.g. 20261120_add_orgs. */
  name: string;
  file: string;
}

export interface MigrationToRevert extends ShippedMigration {
  /** The version the database is at once this one is reverted (null: no older row was seen). */
  previousVersion: string | null;
}

export interface MigrationScopeInput {
  /** The database's head version, or null for an empty migrations table. */
  head: string | null;
  /** Applied versions newest first, starting with the head; defaults to [head]. */
  applied?: string[];
  shippedFiles: ChangedFile[];
  migrationsPath: string;
  badVersion: string;
  targetVersion: string;
  versionStyle?: 'file_name' | 'timestamp_prefix';
  /** Files matching this pattern are down migrations, not migrations ({path}, {version}, {name}). */
  downFilePattern?: string;
}

export interface MigrationScope {
  head: string | null;
  shipped: ShippedMigration[];
  rollbackNeeded: boolean;
  /** Newest first; revert them one at a time, in this order. */
  toRevert: MigrationToRevert[];
  /** The newest applied migration the target release already had. */
  expectedVersion: string | null;
  notes: string[];
  report: string;
}

const SHIPPED_STATUSES = new Set(['added', 'copied', 'renamed']);

export function computeMigrationScope(input: MigrationScopeInput): MigrationScope {
  const { head, badVersion, targetVersion } = input;
  const applied = input.applied ?? (head === null ? [] : [head]);
  const migrationFiles = input.shippedFiles.filter((f) => isMigrationFile(f.filename, input));
  const shipped = migrationFiles
    .filter((f) => SHIPPED_STATUSES.has(f.status))
    .map((f) => toShipped(f.filename, input.versionStyle ?? 'file_name'))
    .sort((a, b) => a.version.localeCompare(b.version));
  const byVersion = new Map(shipped.map((m) => [m.version, m]));

  const toRevert: MigrationToRevert[] = [];
  let k = 0;
  for (; k < applied.length && byVersion.has(applied[k] as string); k += 1) {
    toRevert.push({
      ...(byVersion.get(applied[k] as string) as ShippedMigration),
      previousVersion: applied[k + 1] ?? null,
    });
  }
  const expectedVersion = applied[k] ?? null;

  const notes: string[] = [];
  for (const version of applied.slice(k)) {
    if (byVersion.has(version)) {
      notes.push(
        `${byVersion.get(version)?.name} from ${badVersion} is applied but newer migrations sit on top of it (head ${head}): revert it by hand or plan a forward-fix`,
      );
    }
  }
  for (const f of migrationFiles.filter((f) => !SHIPPED_STATUSES.has(f.status))) {
    notes.push(
      `${badVersion} ${f.status === 'removed' ? 'removed' : 'changed'} the existing migration ${f.filename}: the database is not reverted for that — check it by hand`,
    );
  }

  const rollbackNeeded = toRevert.length > 0;
  const report = describeScope({ head, shipped, toRevert, expectedVersion, badVersion, targetVersion });
  return { head, shipped, rollbackNeeded, toRevert, expectedVersion, notes, report };
}

function isMigrationFile(filename: string, input: MigrationScopeInput): boolean {
  const dir = input.migrationsPath.replace(/\/+$/, '');
  if (!filename.startsWith(`${dir}/`) || !filename.endsWith('.sql')) return false;
  if (filename.slice(dir.length + 1).includes('/')) return false;
  return (
    !downFileRegex(input.downFilePattern ?? '{path}/{version}.down.sql', dir).test(filename) &&
    !filename.endsWith('.down.sql')
  );
}

function downFileRegex(pattern: string, dir: string): RegExp {
  const parts = pattern.split(/(\{path\}|\{version\}|\{name\})/).map((part) => {
    if (part === '{path}') return escapeRegex(dir);
    if (part === '{version}' || part === '{name}') return '[^/]+';
    return escapeRegex(part);
  });
  return new RegExp(`^${parts.join('')}$`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toShipped(file: string, style: 'file_name' | 'timestamp_prefix'): ShippedMigration {
  const name = (file.split('/').pop() as string).replace(/\.sql$/, '');
  const prefix = /^\d+/.exec(name)?.[0];
  return { version: style === 'timestamp_prefix' && prefix ? prefix : name, name, file };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeScope(s: {
  head: string | null;
  shipped: ShippedMigration[];
  toRevert: MigrationToRevert[];
  expectedVersion: string | null;
  badVersion: string;
  targetVersion: string;
}): string {
  const at = s.head === null ? 'database has no applied migrations' : `database at ${s.head}`;
  const shipped =
    s.shipped.length === 0
      ? `${s.badVersion} shipped no migrations`
      : `${s.badVersion} shipped ${plural(s.shipped.length, 'migration')} (${s.shipped.map((m) => m.name).join(', ')})`;
  if (s.toRevert.length === 0) {
    const why = s.shipped.length === 0 ? '' : s.head === null ? '' : ', none of them at the head';
    return `${at}; ${shipped}${why} — no database rollback needed`;
  }
  const expects =
    s.expectedVersion === null
      ? `${s.targetVersion} expects an older migration not seen in the table`
      : `${s.targetVersion} expects ${s.expectedVersion}`;
  return `${at}; ${shipped}; ${expects} — revert ${plural(s.toRevert.length, 'migration')}, newest first: ${s.toRevert.map((m) => m.name).join(', ')}`;
}
