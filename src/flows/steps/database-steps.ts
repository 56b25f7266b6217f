/**
 * The runbook's "Database Rollback" section as engine executors: migration scope, revert (or a
 * forward-fix plan), and the critical-only backup restore with its promote / abandon decision.
 * Each planned step shows its plan and runs only after two different people approved it.
 */
import type { StepExecutor } from '../executor.ts';
import { createBackupAbandonStep, createBackupPromoteStep } from './db-backup-promote-steps.ts';
import { createBackupRestoreStep } from './db-backup-restore-step.ts';
import { createMigrationRevertStep, createMigrationScopeStep } from './db-migration-steps.ts';
import type { DatabaseStepDeps } from './db-step-support.ts';

export type { DatabaseStepDeps, SecretKeys } from './db-step-support.ts';

export type DatabaseStepId = 'migration_scope' | 'migration_revert' | 'backup_restore' | 'backup_promote' | 'backup_abandon';

export function createDatabaseSteps(deps: DatabaseStepDeps): Record<DatabaseStepId, StepExecutor> {
  return {
    migration_scope: createMigrationScopeStep(deps),
    migration_revert: createMigrationRevertStep(deps),
    backup_restore: createBackupRestoreStep(deps),
    backup_promote: createBackupPromoteStep(deps),
    backup_abandon: createBackupAbandonStep(deps),
  };
}
