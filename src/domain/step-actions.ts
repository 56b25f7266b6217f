/**
 * What a step allows now (the buttons the checklist shows), and who may do it
 * (PRODUCT.md's role × action table). Pure: the caller passes every record it needs.
 */
import type { Approval, Incident, StepRecord } from './incident.ts';
import { canTransition, isDone } from './step-machine.ts';
import type { Role, StepDefinition, StepId } from './steps.ts';

export const STEP_ACTIONS = ['run', 'retry', 'approve', 'confirm', 'skip', 'abort'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export interface StepSituation {
  def: StepDefinition;
  record: StepRecord;
  incident: Pick<Incident, 'state' | 'critical' | 'targetVersion'>;
  steps: ReadonlyMap<StepId, StepRecord>;
  /** Approvals recorded for this step's current attempt. */
  approvals: readonly Approval[];
}

/** Why the step cannot run yet, or null when its prerequisites are met. */
export function unmetPrerequisite(s: StepSituation): string | null {
  if (s.def.criticalOnly && !s.incident.critical) {
    return 'only offered for critical incidents (security exposure or data corruption); mark the incident critical first';
  }
  for (const need of s.def.needs) {
    const rec = s.steps.get(need);
    if (!rec || !isDone(rec.state))
      return `needs \`${need}\` to finish first (it is ${rec?.state.replace('_', ' ') ?? 'missing'})`;
  }
  // A step's own rule lives in its definition (domain/steps.ts).
  return s.def.blockedBy?.(s) ?? null;
}

/** Roles still missing an approval, each to be filled by a different person. */
export function missingApprovals(def: StepDefinition, approvals: readonly Approval[]): Role[] {
  const missing: Role[] = [];
  const used = new Set<string>();
  for (const role of def.approval?.approvers ?? []) {
    const match = approvals.find((a) => a.role === role && !used.has(a.userId));
    if (match) used.add(match.userId);
    else missing.push(role);
  }
  return missing;
}

/**
 * The approvals a step is waiting for now: before it runs (before_run) or on what it proposed or
 * planned (after_run, plan). Empty when the step is not at its approval gate.
 */
export function owedApprovals(def: StepDefinition, record: StepRecord, approvals: readonly Approval[]): Role[] {
  const rule = def.approval;
  if (!rule) return [];
  const atGate =
    rule.when === 'before_run'
      ? ['pending', 'failed', 'aborted'].includes(record.state)
      : record.state === 'awaiting_approval';
  return atGate ? missingApprovals(def, approvals) : [];
}

export function availableActions(s: StepSituation): StepAction[] {
  if (s.incident.state !== 'open') return [];
  const state = s.record.state;
  const actions: StepAction[] = [];
  const ready = unmetPrerequisite(s) === null;
  const gate = s.def.approval?.when === 'before_run' ? missingApprovals(s.def, s.approvals) : [];
  if (state === 'pending' && ready && gate.length === 0) actions.push('run');
  if ((state === 'failed' || state === 'aborted') && ready && gate.length === 0) actions.push('retry');
  if (state === 'awaiting_approval') actions.push('approve', 'retry');
  if ((state === 'pending' || state === 'failed' || state === 'aborted') && gate.length > 0 && ready)
    actions.push('approve');
  if (state === 'awaiting_confirmation') actions.push('confirm');
  if (canTransition(state, 'skip')) actions.push('skip');
  if (state === 'queued' || state === 'running' || state === 'awaiting_confirmation') actions.push('abort');
  return actions;
}

/** The roles allowed to take an action on a step (PRODUCT.md's role table). */
export function rolesFor(action: StepAction, def: StepDefinition): Role[] {
  switch (action) {
    case 'run':
    case 'retry':
    case 'confirm':
      return def.database ? ['release_captain', 'oncall_sre', 'database_owner'] : ['release_captain', 'oncall_sre'];
    case 'approve':
      return def.approval ? [...new Set(def.approval.approvers)] : ['release_captain'];
    case 'skip':
    case 'abort':
      return ['release_captain'];
  }
}

export type IncidentAction = 'start' | 'correct_times' | 'mark_critical' | 'abort_incident';

export function rolesForIncident(action: IncidentAction): Role[] {
  return action === 'abort_incident' ? ['release_captain'] : ['release_captain', 'oncall_sre'];
}

/** The role a new approval fills: the first missing one the user holds, if the user hasn't approved yet. */
export function approvalRoleFor(
  def: StepDefinition,
  approvals: readonly Approval[],
  userId: string,
  userRoles: readonly Role[],
): Role | null {
  if (approvals.some((a) => a.userId === userId)) return null;
  return missingApprovals(def, approvals).find((r) => userRoles.includes(r)) ?? null;
}
