/**
 * The runbook as data (../shared/ROLLBACK_RUNBOOK.md, PRODUCT.md "The runbook as steps").
 * Step ids and phases live here and nowhere else.
 */
export const STEP_IDS = [
  'announce',
  'pause_deploys',
  'capture_context',
  'select_release',
  'revert_images',
  'verify_cutover',
  'migration_scope',
  'migration_revert',
  'backup_restore',
  'backup_promote',
  'backup_abandon',
  'smoke_tests',
  'queue_health',
  'auth_check',
  'resume_deploys',
  'resolve',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export const PHASES = ['immediate', 'application', 'database', 'validation', 'closing'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_TITLES: Record<Phase, string> = {
  immediate: 'Immediate actions',
  application: 'Rollback (application)',
  database: 'Database rollback',
  validation: 'Post-rollback validation',
  closing: 'Closing',
};

export type Role = 'release_captain' | 'oncall_sre' | 'database_owner';
export const ROLES: readonly Role[] = ['release_captain', 'oncall_sre', 'database_owner'];

/**
 * When a step's approval is given:
 * - `before_run`: the step may not run until every required approval is recorded;
 * - `after_run`: the step runs, proposes something, and succeeds once it is approved;
 * - `plan`: Run computes a plan (the SQL, the backup and its data-loss window, what resuming
 *   ships) and shows it; once every approval is in, the step applies exactly that plan.
 * `approvers` lists one role per required approval; two entries mean two different people.
 * Approvals belong to one attempt: a Retry plans again and needs new approvals.
 */
export interface ApprovalRule {
  when: 'before_run' | 'after_run' | 'plan';
  approvers: Role[];
}

export interface StepDefinition {
  id: StepId;
  phase: Phase;
  title: string;
  runbookLine: string;
  /** Steps that must have succeeded (or been skipped) first. */
  needs: StepId[];
  approval?: ApprovalRule;
  /** Only offered for critical incidents (security exposure / data corruption). */
  criticalOnly?: boolean;
  /** A database step: the Database Owner may run it too. */
  database?: boolean;
  /** Counts toward `restored_at` (PRODUCT.md "Times and metrics"). */
  validation?: boolean;
  /**
   * Approving or running this step may meet an SLA milestone by itself, so the SLA timers are
   * recomputed after its events (migration_revert: an approved forward-fix plan meets a P2's
   * restore — flows/steps/migration_revert/forward-fix.ts).
   */
  mayMeetSlaMilestone?: boolean;
  /**
   * This step's own prerequisite beyond `needs` and `criticalOnly`: why it cannot run now, or null.
   * Checked after those two (domain/step-actions.ts unmetPrerequisite).
   */
  blockedBy?: (s: StepFacts) => string | null;
}

/** What a step's own prerequisite may look at: the incident's target and the other steps' records. */
export interface StepFacts {
  incident: { targetVersion: string | null };
  steps: ReadonlyMap<StepId, { state: string; output: Record<string, unknown> }>;
}

const CAPTAIN: ApprovalRule['approvers'] = ['release_captain'];
const TWO_PERSON: ApprovalRule['approvers'] = ['release_captain', 'database_owner'];

export const RUNBOOK: readonly StepDefinition[] = [
  {
    id: 'announce',
    phase: 'immediate',
    title: 'Announce the rollback',
    runbookLine: 'Announce rollback in #incidents and #releases with issue link and version',
    needs: [],
  },
  {
    id: 'pause_deploys',
    phase: 'immediate',
    title: 'Pause deploys',
    runbookLine: 'Pause ongoing deployments: disable auto-merge and cancel running workflows',
    needs: [],
  },
  {
    id: 'capture_context',
    phase: 'immediate',
    title: 'Capture timestamps and backlog',
    runbookLine: 'Capture timestamps for the first bad request and current backlog depth',
    needs: [],
  },
  {
    id: 'select_release',
    phase: 'application',
    title: 'Select last known-good release',
    runbookLine: 'Identify previous tag',
    needs: [],
    approval: { when: 'after_run', approvers: CAPTAIN },
  },
  {
    id: 'revert_images',
    phase: 'application',
    title: 'Revert container images',
    runbookLine: 'kubectl set image … && kubectl rollout status --timeout=5m',
    needs: ['select_release'],
    blockedBy: (s) =>
      s.incident.targetVersion ? null : 'no target release has been approved yet: approve `select_release` first',
  },
  {
    id: 'verify_cutover',
    phase: 'application',
    title: 'Verify traffic cutover',
    runbookLine: 'Check error rates drop in Grafana 00-Prod Overview',
    needs: ['revert_images'],
  },
  {
    id: 'migration_scope',
    phase: 'database',
    title: 'Determine migration scope',
    runbookLine: 'Fetch the last applied migration',
    needs: [],
    database: true,
  },
  {
    id: 'migration_revert',
    phase: 'database',
    title: 'Revert latest migration',
    runbookLine: 'Revert latest migration (if reversible), else plan a forward-fix',
    needs: ['migration_scope'],
    database: true,
    approval: { when: 'plan', approvers: TWO_PERSON },
    mayMeetSlaMilestone: true,
    blockedBy: (s) => {
      const scope = s.steps.get('migration_scope');
      return scope?.state === 'succeeded' && scope.output.rollbackNeeded === false
        ? 'the migration scope found nothing to revert'
        : null;
    },
  },
  {
    id: 'backup_restore',
    phase: 'database',
    title: 'Restore from backup',
    runbookLine: 'Restore from backup into a new instance (critical only)',
    needs: [],
    database: true,
    criticalOnly: true,
    approval: { when: 'plan', approvers: TWO_PERSON },
  },
  {
    id: 'backup_promote',
    phase: 'database',
    title: 'Promote the restored database',
    runbookLine: 'Swap connection strings or promote the restored instance after verification',
    needs: ['backup_restore'],
    database: true,
    criticalOnly: true,
    approval: { when: 'plan', approvers: TWO_PERSON },
    blockedBy: (s) =>
      s.steps.get('backup_abandon')?.state === 'succeeded' ? 'the restored database was abandoned' : null,
  },
  {
    id: 'backup_abandon',
    phase: 'database',
    title: 'Abandon the restored database',
    runbookLine: 'Drop the restored instance instead of promoting it',
    needs: ['backup_restore'],
    database: true,
    criticalOnly: true,
    approval: { when: 'plan', approvers: TWO_PERSON },
    blockedBy: (s) =>
      s.steps.get('backup_promote')?.state === 'succeeded'
        ? 'the restored database was promoted: it is production now'
        : null,
  },
  {
    id: 'smoke_tests',
    phase: 'validation',
    title: 'Run smoke tests',
    runbookLine: 'npm run test:smoke -- --env production',
    needs: ['revert_images'],
    validation: true,
  },
  {
    id: 'queue_health',
    phase: 'validation',
    title: 'Confirm queue health',
    runbookLine: 'redis-cli LLEN agent:pending',
    needs: ['revert_images'],
    validation: true,
  },
  {
    id: 'auth_check',
    phase: 'validation',
    title: 'Validate RLS/auth flows',
    runbookLine: 'Validate RLS/auth flows (docs/ops/troubleshooting/rls-failures.md)',
    needs: ['revert_images'],
    validation: true,
  },
  {
    id: 'resume_deploys',
    phase: 'closing',
    title: 'Resume deploys',
    runbookLine: 'Undo the pause once the fix is known',
    needs: ['pause_deploys'],
    approval: { when: 'plan', approvers: CAPTAIN },
  },
  {
    id: 'resolve',
    phase: 'closing',
    title: 'Resolve the incident',
    runbookLine: 'Update incident with time-to-detect and time-to-recover',
    needs: ['resume_deploys', 'smoke_tests', 'queue_health', 'auth_check'],
    approval: { when: 'before_run', approvers: CAPTAIN },
  },
];

const BY_ID = new Map(RUNBOOK.map((s) => [s.id, s]));

export function isStepId(value: string): value is StepId {
  return BY_ID.has(value as StepId);
}

export function stepDefinition(id: StepId): StepDefinition {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`unknown step ${id}`);
  return def;
}

/** Read-only steps the bot queues itself when an incident opens, so their results are ready at once. */
export const AUTO_RUN_AT_START: readonly StepId[] = ['announce', 'capture_context', 'select_release'];
