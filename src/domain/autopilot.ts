/**
 * Autopilot (issue 8, PRODUCT.md "Autopilot"): steps that need no judgement start by themselves as
 * soon as their prerequisites hold; steps that need a decision wait for it. Pure: given the
 * incident as it will be after a commit, says which pending steps start now. The flows call it
 * inside the same locked mutation as the transition that enabled them, so a start happens
 * exactly once (a pending step can be queued only once) and is never lost to a crash.
 */
import type { Approval, Incident, StepRecord } from './incident.ts';
import { availableActions } from './step-actions.ts';
import { isDone } from './step-machine.ts';
import { RUNBOOK, type StepId, stepDefinition } from './steps.ts';
import { validationDone } from './times.ts';

/** The steps autopilot may start, in runbook order; each can be kept manual in rollback.yml. */
export const AUTOPILOT_STEPS = [
  'pause_deploys',
  'revert_images',
  'verify_cutover',
  'migration_scope',
  'smoke_tests',
  'queue_health',
  'auth_check',
  'resume_deploys',
  'resolve',
] as const satisfies readonly StepId[];
export type AutopilotStepId = (typeof AUTOPILOT_STEPS)[number];
export type AutopilotSettings = Readonly<Record<AutopilotStepId, boolean>>;

/** Who acts when autopilot starts a step: never a person who didn't click. */
export const AUTOPILOT_ACTOR = 'autopilot';

export interface AutopilotView {
  incident: Pick<Incident, 'state' | 'critical' | 'targetVersion' | 'autopilot' | 'createdBy'>;
  steps: ReadonlyMap<StepId, StepRecord>;
  approvals: readonly Approval[];
}

/** The person whose click autopilot acts on, and what they did ("approved the target v1.2.2"). */
export interface AutopilotMandate {
  actor: string;
  what: string;
}

export interface AutomaticStart {
  stepId: AutopilotStepId;
  after: AutopilotMandate;
  /** The prerequisite that now holds, in words: "the revert succeeded". */
  because: string;
}

interface Rule {
  /** Autopilot's own condition, on top of the step's prerequisites and approvals. */
  ready(v: AutopilotView): boolean;
  because: string;
  /** What it waits for while not ready. */
  waitsFor: string;
}

const done = (v: AutopilotView, id: StepId) => {
  const rec = v.steps.get(id);
  return rec !== undefined && isDone(rec.state);
};
const targetApproved = (v: AutopilotView) => done(v, 'select_release') && v.incident.targetVersion !== null;
const rule = (ready: Rule['ready'], because: string, waitsFor: string): Rule => ({ ready, because, waitsFor });
const AFTER_TARGET = rule(targetApproved, 'the target was approved', 'the captain to approve the target');
const AFTER_CUTOVER = rule((v) => done(v, 'verify_cutover'), 'the cutover was verified', 'the cutover to be verified');

const RULES: Record<AutopilotStepId, Rule> = {
  pause_deploys: { ready: () => true, because: 'the incident started', waitsFor: 'the incident to start' },
  revert_images: AFTER_TARGET,
  migration_scope: AFTER_TARGET,
  verify_cutover: rule((v) => done(v, 'revert_images'), 'the revert succeeded', 'the revert to succeed'),
  smoke_tests: AFTER_CUTOVER,
  queue_health: AFTER_CUTOVER,
  auth_check: AFTER_CUTOVER,
  resume_deploys: rule((v) => validationDone(v.steps), 'validation is done', 'validation to finish'),
  // Approve IS the run: the approval gate (a before_run approval) is the only condition.
  resolve: { ready: () => true, because: 'resolve was approved', waitsFor: 'the captain to approve resolve' },
};

/** Autopilot stops at a failed or aborted step; Retry (or Skip) on it resumes autopilot from there. */
export function haltedBy(v: AutopilotView): StepId | null {
  for (const def of RUNBOOK) {
    const state = v.steps.get(def.id)?.state;
    if (state === 'failed' || state === 'aborted') return def.id;
  }
  return null;
}

function canRun(v: AutopilotView, id: StepId): boolean {
  const record = v.steps.get(id);
  if (record?.state !== 'pending') return false;
  const approvals = v.approvals.filter((a) => a.stepId === id && a.attempt === record.attempt);
  const incident = { ...v.incident, state: 'open' as const };
  const situation = { def: stepDefinition(id), record, incident, steps: v.steps, approvals };
  return availableActions(situation).includes('run');
}

function active(v: AutopilotView): boolean {
  return v.incident.state === 'open' && v.incident.autopilot && haltedBy(v) === null;
}

/** The steps autopilot starts now, given the incident as it stands after a commit. */
export function autopilotStarts(v: AutopilotView, settings: AutopilotSettings): AutomaticStart[] {
  if (!active(v)) return [];
  return AUTOPILOT_STEPS.filter((id) => settings[id] && RULES[id].ready(v) && canRun(v, id)).map((id) => ({
    stepId: id,
    after: mandate(v, id),
    because: RULES[id].because,
  }));
}

/** Whose approval autopilot acts on: resolve's approver, else the target's, else the starter. */
function mandate(v: AutopilotView, id: StepId): AutopilotMandate {
  if (id === 'resolve') {
    const record = v.steps.get('resolve');
    const approval = v.approvals.filter((a) => a.stepId === 'resolve' && a.attempt === record?.attempt).at(-1);
    if (approval) return { actor: approval.userId, what: 'approved resolve' };
  }
  const select = v.steps.get('select_release');
  if (targetApproved(v) && select?.state === 'succeeded' && select.actor) {
    return { actor: select.actor, what: `approved the target ${v.incident.targetVersion}` };
  }
  return { actor: v.incident.createdBy, what: 'started the rollback' };
}

export type AutopilotStatus =
  | { state: 'off' }
  | { state: 'halted'; stepId: StepId }
  | { state: 'on'; next: { stepId: AutopilotStepId; waitsFor: string } | null };

/**
 * What autopilot does next and what it waits for, for the checklist header: the first enabled
 * step it has not started yet, and the condition that still holds it back.
 */
export function autopilotStatus(v: AutopilotView, settings: AutopilotSettings): AutopilotStatus {
  if (!v.incident.autopilot) return { state: 'off' };
  const halted = haltedBy(v);
  if (halted) return { state: 'halted', stepId: halted };
  for (const id of AUTOPILOT_STEPS) {
    if (!settings[id] || v.steps.get(id)?.state !== 'pending') continue;
    const rule = RULES[id];
    const unmetNeed = stepDefinition(id).needs.find((n) => !done(v, n));
    const held = id === 'resolve' ? rule.waitsFor : 'its prerequisites';
    const waitsFor = !rule.ready(v) ? rule.waitsFor : unmetNeed ? `\`${unmetNeed}\` to finish` : held;
    return { state: 'on', next: { stepId: id, waitsFor } };
  }
  return { state: 'on', next: null };
}
