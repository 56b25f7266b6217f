/**
 * The one place that builds every step's executor, keyed by StepId: adding a runbook step to
 * src/domain/steps.ts without an executor here is a type error. Each step lives in
 * `src/flows/steps/<step_id>/` (its executor in index.ts, its own helpers beside it); what several
 * steps share is in `_shared/`.
 */
import type { StepId } from '../../domain/steps.ts';
import type { StepExecutor } from '../executor.ts';
import type {
  Announcer,
  Backlog,
  CommandRunner,
  Deployments,
  GitOpsControllers,
  IncidentStore,
  IssueComments,
  MetricQuery,
  ReleaseDiffSource,
  SmokeWorkflowSource,
  SourceControl,
} from '../ports.ts';
import type { DatabaseStepDeps } from './_shared/db-step-support.ts';
import { createAnnounce } from './announce/index.ts';
import { createAuthCheck } from './auth_check/index.ts';
import { createBackupAbandonStep } from './backup_abandon/index.ts';
import { createBackupPromoteStep } from './backup_promote/index.ts';
import { createBackupRestoreStep } from './backup_restore/index.ts';
import { createCaptureContext } from './capture_context/index.ts';
import { createMigrationRevertStep } from './migration_revert/index.ts';
import { createMigrationScopeStep } from './migration_scope/index.ts';
import { createPauseDeploys } from './pause_deploys/index.ts';
import { createQueueHealth } from './queue_health/index.ts';
import { createResolve } from './resolve/index.ts';
import { createResumeDeploys } from './resume_deploys/index.ts';
import { createRevertImages } from './revert_images/index.ts';
import { createSelectRelease } from './select_release/index.ts';
import { createSmokeTests } from './smoke_tests/index.ts';
import { createVerifyCutover } from './verify_cutover/index.ts';

/** Everything the executors need, built once by the composition root (src/app/container.ts). */
export interface StepExecutorDeps {
  announcer: Announcer | null;
  /** GitHub; null when no token or app is configured (the GitHub steps then refuse clearly). */
  sourceControl: (SourceControl & ReleaseDiffSource & IssueComments & SmokeWorkflowSource) | null;
  backlog: Backlog | null;
  /** The env var that holds the target Redis URL (named in messages when it is not set). */
  backlogEnv: string;
  store: IncidentStore;
  deployments: Deployments;
  /** Argo CD / Flux objects, for the GitOps guard (issue 11); undefined without a usable kubeconfig. */
  gitops?: GitOpsControllers;
  metrics: MetricQuery | null;
  /** Where auth_check links the runbook's docs (the repo's default branch on GitHub). */
  docBaseUrl: string;
  database: DatabaseStepDeps;
  /** External commands (the smoke-test command). */
  commands: CommandRunner;
}

type Builders = { [K in StepId]: (deps: StepExecutorDeps) => StepExecutor };

const BUILDERS: Builders = {
  announce: (d) => createAnnounce({ announcer: d.announcer }),
  pause_deploys: (d) => createPauseDeploys({ sourceControl: d.sourceControl, gitops: d.gitops }),
  capture_context: (d) => createCaptureContext({ backlog: d.backlog, backlogEnv: d.backlogEnv, gitops: d.gitops }),
  select_release: (d) =>
    createSelectRelease({ store: d.store, deployments: d.deployments, sourceControl: d.sourceControl }),
  revert_images: (d) => createRevertImages({ deployments: d.deployments, gitops: d.gitops }),
  verify_cutover: (d) => createVerifyCutover({ metrics: d.metrics, store: d.store, deployments: d.deployments }),
  migration_scope: (d) => createMigrationScopeStep(d.database),
  migration_revert: (d) => createMigrationRevertStep(d.database),
  backup_restore: (d) => createBackupRestoreStep(d.database),
  backup_promote: (d) => createBackupPromoteStep(d.database),
  backup_abandon: (d) => createBackupAbandonStep(d.database),
  smoke_tests: (d) => createSmokeTests({ sourceControl: d.sourceControl, commands: d.commands }),
  queue_health: (d) => createQueueHealth({ backlog: d.backlog, backlogEnv: d.backlogEnv }),
  auth_check: (d) => createAuthCheck({ docBaseUrl: d.docBaseUrl }),
  resume_deploys: (d) => createResumeDeploys({ sourceControl: d.sourceControl, gitops: d.gitops }),
  resolve: (d) => createResolve({ store: d.store, comments: d.sourceControl }),
};

/** Every step's executor. */
export function createStepExecutors(deps: StepExecutorDeps): Record<StepId, StepExecutor> {
  return Object.fromEntries(Object.entries(BUILDERS).map(([id, build]) => [id, build(deps)])) as Record<
    StepId,
    StepExecutor
  >;
}

export type DatabaseStepId =
  | 'migration_scope'
  | 'migration_revert'
  | 'backup_restore'
  | 'backup_promote'
  | 'backup_abandon';

/** The runbook's "Database Rollback" executors alone (what the database tests drive). */
export function createDatabaseSteps(deps: DatabaseStepDeps): Record<DatabaseStepId, StepExecutor> {
  return {
    migration_scope: createMigrationScopeStep(deps),
    migration_revert: createMigrationRevertStep(deps),
    backup_restore: createBackupRestoreStep(deps),
    backup_promote: createBackupPromoteStep(deps),
    backup_abandon: createBackupAbandonStep(deps),
  };
}
