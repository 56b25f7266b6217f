/**
 * The drill scenarios (issue 9 §3): how each one sets the world up, how its incident opens, and
 * the moves the people are expected to make — shown as the drill's guide, never played for them.
 */
import type { Severity, Trigger } from '../domain/incident.ts';
import type { StepId } from '../domain/steps.ts';
import type { DrillRole } from './drill-config.ts';

export const SCENARIO_NAMES = ['app-only', 'failed-rollout', 'migration', 'critical-restore'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

export type MoveAction = 'run' | 'approve' | 'confirm' | 'skip' | 'abort' | 'retry';

export interface Move {
  role: DrillRole;
  action: MoveAction;
  step: StepId;
  /** What the person checks before making the move. */
  why: string;
}

/** Something that happens in the simulated world when a person says so (the console offers it as a button). */
export interface WorldAction {
  id: 'fix-rollout';
  title: string;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** One paragraph: what happened and what the team rehearses. */
  story: string;
  severity: Severity;
  trigger: Trigger;
  /** The first bad request, this long before detection (TTD). */
  impactMinutesBefore: number;
  /** v1.2.3 shipped a migration that the database has applied. */
  shippedMigration: boolean;
  /** The target image never becomes ready: its rollout hits the progress deadline. */
  failingRollout: boolean;
  /** A backup dump is on the volume (taken before v1.2.3 shipped). */
  backup: boolean;
  /** The moves the people make, in order (autopilot does the rest). */
  guide: Move[];
  /** What the people can make happen in the world during this drill. */
  worldActions: WorldAction[];
}

const APP_MOVES: Move[] = [
  {
    role: 'captain',
    action: 'approve',
    step: 'select_release',
    why: 'the proposal is v1.2.2, the last release before the bad one',
  },
  { role: 'sre', action: 'confirm', step: 'verify_cutover', why: 'error rates are back to baseline on the dashboard' },
  {
    role: 'sre',
    action: 'confirm',
    step: 'auth_check',
    why: 'sign-in and row-level security work (the troubleshooting doc)',
  },
  { role: 'captain', action: 'approve', step: 'resume_deploys', why: 'the fix is merged: deploys may ship again' },
  { role: 'captain', action: 'approve', step: 'resolve', why: 'everything is validated: close the incident' },
];

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'app-only': {
    name: 'app-only',
    title: 'P1: roll the application back',
    story:
      'v1.2.3 went out ten minutes ago and the API error rate jumped. Roll api, web and worker back to the last good release, validate, resume deploys and resolve within the P1 SLAs.',
    severity: 'P1',
    trigger: 'slo_breach',
    impactMinutesBefore: 3,
    shippedMigration: false,
    failingRollout: false,
    backup: false,
    guide: APP_MOVES,
    worldActions: [],
  },
  'failed-rollout': {
    name: 'failed-rollout',
    title: 'P1: the rollback itself gets stuck',
    story:
      'Same P1, but the v1.2.2 pods never become ready (an image pull secret expired): the rollout hits its progress deadline. Read the failure, fix the cause (the world action "fix the rollout"), and Retry.',
    severity: 'P1',
    trigger: 'slo_breach',
    impactMinutesBefore: 3,
    shippedMigration: false,
    failingRollout: true,
    backup: false,
    guide: [
      APP_MOVES[0]!,
      {
        role: 'sre',
        action: 'retry',
        step: 'revert_images',
        why: 'revert_images failed on the progress deadline; once the pods can start, retry it',
      },
      ...APP_MOVES.slice(1),
    ],
    worldActions: [
      { id: 'fix-rollout', title: 'Fix the rollout: the image pull secret is renewed and the pods can start' },
    ],
  },
  migration: {
    name: 'migration',
    title: 'P1 with a database migration',
    story:
      'v1.2.3 also shipped a reversible migration (orgs.plan). Roll the app back, then scope the migration, review the revert plan and give the two approvals (captain and database owner) before the down migration runs.',
    severity: 'P1',
    trigger: 'slo_breach',
    impactMinutesBefore: 5,
    shippedMigration: true,
    failingRollout: false,
    backup: false,
    guide: [
      APP_MOVES[0]!,
      {
        role: 'db_owner',
        action: 'run',
        step: 'migration_revert',
        why: "migration_scope found v1.2.3's migration at the head: plan its revert",
      },
      {
        role: 'captain',
        action: 'approve',
        step: 'migration_revert',
        why: 'the plan runs the down file in one transaction',
      },
      {
        role: 'db_owner',
        action: 'approve',
        step: 'migration_revert',
        why: 'the second approval, from a different person',
      },
      ...APP_MOVES.slice(1),
    ],
    worldActions: [],
  },
  'critical-restore': {
    name: 'critical-restore',
    title: 'Critical: data corruption, restore from backup',
    story:
      "v1.2.3 corrupted org rows. Roll the app back, restore last night's backup into a NEW database, check the validation, then promote it (the app's connection string is swapped and api/worker restart).",
    severity: 'P1',
    trigger: 'data_corruption',
    impactMinutesBefore: 8,
    shippedMigration: false,
    failingRollout: false,
    backup: true,
    guide: [
      APP_MOVES[0]!,
      {
        role: 'db_owner',
        action: 'run',
        step: 'backup_restore',
        why: 'plan the restore: which backup, how much data is lost',
      },
      { role: 'captain', action: 'approve', step: 'backup_restore', why: 'the data-loss window is acceptable' },
      {
        role: 'db_owner',
        action: 'approve',
        step: 'backup_restore',
        why: 'the second approval: pg_restore into a new database',
      },
      { role: 'db_owner', action: 'run', step: 'backup_promote', why: 'validation passed: plan the promotion' },
      { role: 'captain', action: 'approve', step: 'backup_promote', why: 'swap the connection string' },
      {
        role: 'db_owner',
        action: 'approve',
        step: 'backup_promote',
        why: 'the second approval: api and worker restart on the restored database',
      },
      ...APP_MOVES.slice(1),
    ],
    worldActions: [],
  },
};
