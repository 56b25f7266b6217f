/**
 * The database half of the runbook, as ports (issue 12 item 2): the app's database (its migrations
 * table, a down migration, validation queries on a restored copy) and the backups (listing them,
 * restoring one into a new database on the restore server, its marker, dropping it). Every call
 * names the database by URL, as the steps hold it; adapters: adapters/target-db/pg-target-database.ts
 * and adapters/backups/pg-backup-store.ts; fakes: test/fakes/.
 */
import type { MigrationsTableConfig } from '../../config/database.ts';
import type { OutputLine } from './commands.ts';

export interface AppliedMigration {
  version: string;
  /** The order column's value as text (a timestamp, or whatever the table orders by). */
  appliedAt: string | null;
}

export interface MigrationState {
  head: AppliedMigration | null;
  /** The newest rows, head first: enough to see what the release before the bad one expects. */
  recent: AppliedMigration[];
}

export interface DownMigration {
  version: string;
  sql: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface DownMigrationResult {
  /** false when the version was already gone: a retry after a revert that did commit. */
  applied: boolean;
  /** The head re-read after the commit. */
  head: AppliedMigration | null;
}

export interface ValidationCheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ValidationReport {
  ok: boolean;
  checks: ValidationCheckResult[];
  headVersion: string | null;
  rowCounts: Record<string, number>;
}

export interface ValidationOptions {
  table: MigrationsTableConfig;
  countTables: readonly string[];
  checks: readonly { name: string; sql: string }[];
  statementTimeoutMs: number;
}

export interface TargetDatabase {
  /** The head of the migrations table and its newest `recent` rows (read-only). */
  readHead(url: string, table: MigrationsTableConfig, options?: { recent?: number }): Promise<MigrationState>;
  /**
   * The down SQL and the deletion of its migrations-table row in ONE transaction; `applied: false`
   * (nothing run) when the version is no longer the head's row — a retry after a commit.
   */
  applyDown(url: string, table: MigrationsTableConfig, down: DownMigration): Promise<DownMigrationResult>;
  /** Read-only checks on a restored database: head, row counts, the configured queries. */
  validate(url: string, options: ValidationOptions): Promise<ValidationReport>;
}

export interface BackupFile {
  path: string;
  name: string;
  takenAt: Date;
  sizeBytes: number;
}

export interface BackupListing {
  /** Newest first. */
  backups: BackupFile[];
  /** Files that match the pattern but whose timestamp cannot be read, so they are never proposed. */
  ignored: { name: string; reason: string }[];
}

export interface RestoreBackupOptions {
  /** A postgres:// URL on the restore server; its database is only used to run CREATE DATABASE. */
  serverUrl: string;
  /** The new database (restoreDatabaseName). */
  database: string;
  incidentId: string;
  backupPath: string;
  timeoutMs: number;
  onOutput?: (line: OutputLine) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface RestoreBackupResult {
  database: string;
  /** Already restored by an earlier attempt: nothing ran this time. */
  resumed: boolean;
  /** A half-made database left by a killed attempt was dropped first. */
  cleanedUp: boolean;
}

export interface RestoredDatabaseRef {
  /** A postgres:// URL on the restore server (any database on it but the restored one). */
  serverUrl: string;
  database: string;
  incidentId: string;
}

export interface BackupStore {
  /** The backups in `directory` whose names match `filenamePattern` (with `{timestamp}`), newest first. */
  list(directory: string, filenamePattern: string): Promise<BackupListing>;
  /** Restores into a NEW database carrying this incident's marker; idempotent per incident. */
  restore(options: RestoreBackupOptions): Promise<RestoreBackupResult>;
  /** Sets the restored database's marker state (promoted before a Secret swap, restored after a reversal). */
  mark(ref: RestoredDatabaseRef, state: 'restored' | 'promoted'): Promise<void>;
  /** Drops it only if it carries this incident's marker and was never promoted; `dropped: false` when already gone. */
  drop(ref: RestoredDatabaseRef): Promise<{ dropped: boolean }>;
}
