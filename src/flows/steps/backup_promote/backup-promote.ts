/**
 * After a validated restore, two approvals decide: promote (the app's Secret points at the
 * restored database, Deployments restarted) or abandon (the restored database is dropped).
 * The database's own marker says "promoted" before the Secret changes, so abandon can never drop
 * a database that may be serving the app.
 */
import type { DatabaseConfig } from '../../../config/database.ts';
import { UserFacingError } from '../../../domain/errors.ts';
import { withDatabase } from '../../../domain/pg-url.ts';
import { restoreDatabaseName } from '../../../domain/restore-database-name.ts';
import type { BackupStore } from '../../ports/database.ts';
import type { RestartableDeployments } from '../../ports.ts';
import { type PromoteResult, promoteRestoredDatabase } from './promote-restored-database.ts';
import type { SecretStore } from './secret-store.ts';

export interface BackupPromoteInput {
  config: DatabaseConfig;
  /** Where the restored database's marker is kept (promoted before the swap). */
  backups: Pick<BackupStore, 'mark'>;
  incidentId: string;
  serverUrl: string;
  secrets: SecretStore;
  deployments: RestartableDeployments;
  /** Fixed per attempt (store it at the first try) so a retry does not restart twice. */
  restartAt: Date;
  recordPrevious: (previous: string) => Promise<void>;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export async function promoteBackupRestore(input: BackupPromoteInput): Promise<PromoteResult & { database: string }> {
  const promotion = promotionConfig(input.config);
  const ref = {
    serverUrl: input.serverUrl,
    database: restoreDatabaseName(input.config.restore.database_prefix, input.incidentId),
    incidentId: input.incidentId,
  };
  await input.backups.mark(ref, 'promoted');
  const result = await promoteRestoredDatabase({
    secrets: input.secrets,
    secretName: promotion.secret,
    key: promotion.key,
    newUrl: withDatabase(input.serverUrl, ref.database),
    deployments: input.deployments,
    deploymentNames: promotion.deployments,
    restartAt: input.restartAt,
    rolloutTimeoutMs: promotion.rollout_timeout,
    recordPrevious: input.recordPrevious,
    onProgress: input.onProgress,
    signal: input.signal,
  });
  return { ...result, database: ref.database };
}

function promotionConfig(config: DatabaseConfig): NonNullable<DatabaseConfig['promotion']> {
  if (!config.promotion) {
    throw new UserFacingError(
      'config_invalid',
      'promotion is not configured: set database.promotion.secret, .key and .deployments in rollback.yml (or swap the connection string by hand)',
    );
  }
  return config.promotion;
}
