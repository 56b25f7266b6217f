/**
 * Runbook "Restore from backup (critical only)": propose the newest backup taken before the
 * first bad request and show the data-loss window; after two approvals restore it into a new
 * database named from the incident, then validate it. Production is never written here.
 */
import type { DatabaseConfig } from '../../../config/database.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import { describePg, withDatabase } from '../../../domain/pg-url.ts';
import { restoreDatabaseName } from '../../../domain/restore-database-name.ts';
import type { OutputLine } from '../../ports/commands.ts';
import type { BackupFile, BackupListing, BackupStore, TargetDatabase, ValidationReport } from '../../ports/database.ts';
import { type BackupProposal, type DataLossWindow, dataLossWindow, proposeBackup } from './propose-backup.ts';

export interface BackupRestoreProposal extends BackupProposal {
  dataLoss: DataLossWindow | null;
  listing: BackupListing;
}

export async function proposeBackupRestore(input: {
  config: DatabaseConfig;
  backups: Pick<BackupStore, 'list'>;
  firstBadRequestAt: Date;
  now: Date;
}): Promise<BackupRestoreProposal> {
  const backups = backupsConfig(input.config);
  const listing = await input.backups.list(backups.directory, backups.filename);
  const proposal = proposeBackup(listing.backups, input.firstBadRequestAt);
  return { ...proposal, dataLoss: proposal.backup ? dataLossWindow(proposal.backup, input.now) : null, listing };
}

export interface BackupRestoreInput {
  config: DatabaseConfig;
  backups: Pick<BackupStore, 'list' | 'restore'>;
  /** Validates the restored copy. */
  database: Pick<TargetDatabase, 'validate'>;
  incidentId: string;
  /** The approved backup's file name; it must still be listed in the backup directory. */
  backupName: string;
  serverUrl: string;
  onOutput?: (line: OutputLine) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface BackupRestoreResult {
  database: string;
  /** host:port/database — no credentials. */
  location: string;
  backup: BackupFile;
  resumed: boolean;
  cleanedUp: boolean;
  validation: ValidationReport;
  summary: string;
}

export async function runBackupRestore(input: BackupRestoreInput): Promise<BackupRestoreResult> {
  const { config, incidentId } = input;
  const backups = backupsConfig(config);
  const { backups: listed } = await input.backups.list(backups.directory, backups.filename);
  const backup = listed.find((b) => b.name === input.backupName);
  if (!backup) {
    throw new UserFacingError(
      'not_found',
      `the backup ${input.backupName} is no longer in ${backups.directory}: list the backups again and pick one`,
    );
  }
  const database = restoreDatabaseName(config.restore.database_prefix, incidentId);
  const restored = await input.backups.restore({
    serverUrl: input.serverUrl,
    database,
    incidentId,
    backupPath: backup.path,
    timeoutMs: config.restore.timeout,
    onOutput: input.onOutput,
    signal: input.signal,
    now: input.now,
  });
  const url = withDatabase(input.serverUrl, database);
  const validation = await input.database.validate(url, {
    table: config.migrations_table,
    countTables: config.validation.count_tables,
    checks: config.validation.checks,
    statementTimeoutMs: config.validation.statement_timeout,
  });
  const location = describePg(url);
  const lines = validation.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('\n');
  if (!validation.ok) {
    throw new UserFacingError(
      'prerequisite_unmet',
      `the restored database ${location} failed validation:\n${lines}\nIt was kept for inspection: look into it, then Abandon (drops it) or restore another backup.`,
    );
  }
  const summary = `${backup.name} restored into ${location}${restored.resumed ? ' (by an earlier attempt)' : ''}; validation passed:\n${lines}`;
  return { database, location, backup, resumed: restored.resumed, cleanedUp: restored.cleanedUp, validation, summary };
}

function backupsConfig(config: DatabaseConfig): NonNullable<DatabaseConfig['backups']> {
  if (!config.backups) {
    throw new UserFacingError(
      'config_invalid',
      'no backup location is configured: set database.backups.directory (and .filename) in rollback.yml',
    );
  }
  return config.backups;
}
