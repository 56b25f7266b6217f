/**
 * Playing a drill: start a scenario's incident, act as one of the three roles, and read the
 * summary and the drill report. Every action goes through the same flows and role checks as a
 * Slack click or a CLI command (flows/step-commands.ts, flows/incident-commands.ts) — the drill's
 * people are just three user ids one person plays.
 */

import { webHostOf } from '../adapters/github/github-issue-comment.ts';
import { type ActionRequest, INCIDENT_ACTIONS, performAction } from '../console/console-actions.ts';
import { type DrillReport, drillReport, renderDrillReport } from '../domain/drill-report.ts';
import { UserFacingError } from '../domain/errors.ts';
import type { Incident } from '../domain/incident.ts';
import type { StepId } from '../domain/steps.ts';
import { startRollback } from '../flows/start-rollback.ts';
import { forwardFixApprovedAt } from '../flows/steps/migration_revert/forward-fix.ts';
import type { Drill } from './drill.ts';
import { DRILL_ROLES, DRILL_USERS, type DrillRole } from './drill-config.ts';
import { DRILL_ISSUE } from './github-seed.ts';
import { isScenarioName, SCENARIO_NAMES, SCENARIOS, type Scenario } from './scenarios.ts';
import { BAD } from './world.ts';

/** The user id the drill's person acts as when they play `role`. */
export function drillUser(role: DrillRole): string {
  return DRILL_USERS[DRILL_ROLES[role]];
}

/**
 * Puts the world where the scenario starts and opens its incident (a drill, started by the SRE,
 * detected now, the first bad request a few minutes earlier). Autopilot is on, as by default.
 */
/** The scenario each drill last started (the console shows its guide and world actions). */
const current = new WeakMap<Drill, Scenario>();
export function currentScenario(drill: Drill): Scenario | null {
  return current.get(drill) ?? null;
}

export async function startDrillScenario(
  drill: Drill,
  name: string,
): Promise<{ incident: Incident; scenario: Scenario }> {
  if (!isScenarioName(name))
    throw new UserFacingError('invalid_input', `no drill scenario "${name}": one of ${SCENARIO_NAMES.join(', ')}`);
  const scenario = SCENARIOS[name];
  const open = await drill.deps.store.findOpen(drill.config.runbook.environment.name);
  if (open) {
    throw new UserFacingError(
      'conflict',
      `drill ${open.id} is still open: finish it (resolve) or abort it as the captain before starting another`,
    );
  }
  const now = drill.deps.now();
  await drill.world.prepare(name, now);
  const incident = await startRollback(drill.deps, {
    badVersion: BAD,
    severity: scenario.severity,
    trigger: scenario.trigger,
    impactStartedAt: new Date(now.getTime() - scenario.impactMinutesBefore * 60_000),
    detectedAt: now,
    actor: drillUser('sre'),
    // The drill's issue on the simulated GitHub: a drill must not comment on it (issue 9 §4).
    issueUrl: `https://${webHostOf(drill.world.github.url)}/${drill.config.runbook.github.owner}/${drill.config.runbook.github.repo}/issues/${DRILL_ISSUE}`,
    drill: true,
  });
  current.set(drill, scenario);
  return { incident, scenario };
}

/** What a drill can do: every console action but correcting times (drills start with the right ones). */
export type DrillAction = Exclude<ActionRequest['action'], 'correct_times'>;

export interface ActOptions {
  /** Default: the open drill incident. */
  incidentId?: string;
  /** The step record's version the button was drawn at (stale buttons are refused, as in Slack). */
  expectedVersion?: number;
  note?: string;
  reason?: string;
  /** approve select_release: another target than the proposal. */
  target?: string;
}

/** Acts as `role`: exactly what that person's click in Slack or command in the CLI would do. */
export async function actAs(
  drill: Drill,
  role: DrillRole,
  action: DrillAction,
  step: StepId | null,
  options: ActOptions = {},
): Promise<string> {
  const incidentId = options.incidentId ?? (await openIncidentId(drill));
  const stepAction = !(INCIDENT_ACTIONS as readonly string[]).includes(action);
  if (stepAction && !step) throw new UserFacingError('invalid_input', `${action} needs a step`);
  // The console's own action path: the same flows, with the same command shape as a click.
  const request = {
    action,
    step: step ?? undefined,
    as: DRILL_ROLES[role],
    version: options.expectedVersion,
    note: options.note,
    reason: options.reason,
    target: options.target,
  };
  return performAction(drill.deps, incidentId, request, drillUser(role));
}

async function openIncidentId(drill: Drill): Promise<string> {
  const open = await drill.deps.store.findOpen(drill.config.runbook.environment.name);
  if (!open) throw new UserFacingError('not_found', 'no drill is open: start one (a scenario) first');
  return open.id;
}

export interface DrillOutcome {
  incident: Incident;
  report: DrillReport;
  /** The resolve summary (Markdown) once resolved, then the drill report. */
  markdown: string;
}

/** The summary and the drill report, from the incident record and its timeline (live while open). */
export async function drillSummary(drill: Drill, incidentId: string): Promise<DrillOutcome> {
  const snap = await drill.deps.store.get(incidentId);
  const events = await drill.deps.store.timeline(incidentId);
  const report = drillReport({
    incident: snap.incident,
    events,
    budgets: drill.config.runbook.sla,
    forwardFixAt: forwardFixApprovedAt(snap.steps, snap.approvals),
    now: drill.deps.now(),
  });
  const resolved = events.find((e) => e.kind === 'incident_resolved');
  const summary = typeof resolved?.payload.summary === 'string' ? resolved.payload.summary : null;
  return {
    incident: snap.incident,
    report,
    markdown: [summary, renderDrillReport(report)].filter(Boolean).join('\n\n'),
  };
}

/** Makes a scenario's world action happen (the console's button, the tests). */
export function applyWorldAction(drill: Drill, id: string): void {
  if (id === 'fix-rollout') {
    drill.world.fixRollouts();
    return;
  }
  throw new UserFacingError('invalid_input', `no world action "${id}": the failed-rollout drill offers fix-rollout`);
}
