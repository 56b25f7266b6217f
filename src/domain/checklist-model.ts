/**
 * The checklist as data: the runbook's phases, each step's state, who ran or approved it and when,
 * what it waits for, and the actions it allows now. The Slack checklist (Block Kit) and the web
 * console (HTML, JSON API) both render this one model, so the two can never disagree on the rules.
 * Pure: same incident in, same model out.
 */
import type { Approval, Incident, StepRecord } from './incident.ts';
import type { CliOrigin } from './origin.ts';
import {
  availableActions,
  owedApprovals,
  type StepAction,
  type StepSituation,
  unmetPrerequisite,
} from './step-actions.ts';
import { isDone } from './step-machine.ts';
import {
  PHASE_TITLES,
  PHASES,
  type Phase,
  type Role,
  RUNBOOK,
  type StepDefinition,
  type StepId,
  stepDefinition,
} from './steps.ts';

export interface ChecklistInput {
  incident: Incident;
  /** A list, or the store's IncidentSnapshot.steps map as it is. */
  steps: readonly StepRecord[] | ReadonlyMap<StepId, StepRecord>;
  approvals: readonly Approval[];
}

/** What happened to the step last, for the "run by … at … (took …)" line. */
export interface StepActivity {
  verb: 'queued' | 'skipped' | 'planned' | 'proposed' | 'run' | 'started';
  actor: string | null;
  via: CliOrigin | null | undefined;
  at: Date | null;
  /** Set when the step ran for a second or more. */
  tookMs: number | null;
}

export interface StepRow {
  kind: 'step';
  def: StepDefinition;
  record: StepRecord;
  /** Approvals of the current attempt. */
  approvals: readonly Approval[];
  activity: StepActivity | null;
  /** Prerequisites met: a missing approval, if any, is what holds the step up. */
  ready: boolean;
  /** Approvals owed now, at the step's approval gate. */
  owed: Role[];
  /** A planned step not run yet: Run shows the plan, then it needs these approvals. */
  planNeeds: Role[] | null;
  /** A pending step: the steps it waits for, or else why it cannot run yet. */
  waitsFor: StepDefinition[];
  blocked: string | null;
  /** The error of a failed step, the summary of any other. */
  detail: { kind: 'error' | 'summary'; text: string } | null;
  actions: StepAction[];
}

export interface MissingRow {
  kind: 'missing';
  def: StepDefinition;
}

/** The critical-only steps of a phase share one row: the same reason three times is noise. */
export interface NotOfferedRow {
  kind: 'not_offered';
  defs: StepDefinition[];
}

export type ChecklistRow = StepRow | MissingRow | NotOfferedRow;

export interface PhaseModel {
  phase: Phase;
  title: string;
  rows: ChecklistRow[];
}

export function checklistModel(input: ChecklistInput): PhaseModel[] {
  const records = byStepId(input.steps);
  return PHASES.map((phase) => {
    const defs = RUNBOOK.filter((d) => d.phase === phase);
    const notOffered = defs.filter((d) => d.criticalOnly && !input.incident.critical);
    const rows: ChecklistRow[] = [];
    for (const def of defs) {
      if (notOffered[0] === def) rows.push({ kind: 'not_offered', defs: notOffered });
      else if (!notOffered.includes(def)) rows.push(stepRow(input, def, records));
    }
    return { phase, title: PHASE_TITLES[phase], rows };
  });
}

export function byStepId(steps: ChecklistInput['steps']): ReadonlyMap<StepId, StepRecord> {
  return isRecordList(steps) ? new Map(steps.map((s) => [s.stepId, s])) : steps;
}

function isRecordList(steps: ChecklistInput['steps']): steps is readonly StepRecord[] {
  return Array.isArray(steps);
}

function stepRow(
  input: ChecklistInput,
  def: StepDefinition,
  records: ReadonlyMap<StepId, StepRecord>,
): StepRow | MissingRow {
  const record = records.get(def.id);
  if (!record) return { kind: 'missing', def };
  const approvals = input.approvals.filter((a) => a.stepId === def.id && a.attempt === record.attempt);
  const situation: StepSituation = { def, record, incident: input.incident, steps: records, approvals };
  const blocked = unmetPrerequisite(situation);
  const pending = record.state === 'pending';
  const waitsFor = pending
    ? def.needs.filter((id) => !isDone(records.get(id)?.state ?? 'pending')).map(stepDefinition)
    : [];
  const rule = def.approval;
  const planNeeds = rule?.when === 'plan' && pending ? rule.approvers : null;
  const text = record.state === 'failed' ? record.error : record.summary;
  return {
    kind: 'step',
    def,
    record,
    approvals,
    activity: activityOf(def, record),
    ready: blocked === null,
    owed: planNeeds ? [] : owedApprovals(def, record, approvals),
    planNeeds,
    waitsFor,
    blocked: pending && waitsFor.length === 0 ? blocked : null,
    detail: text ? { kind: record.state === 'failed' ? 'error' : 'summary', text } : null,
    actions: availableActions(situation),
  };
}

function activityOf(def: StepDefinition, record: StepRecord): StepActivity | null {
  const base = { actor: record.actor, via: record.actorVia, tookMs: null };
  switch (record.state) {
    case 'pending':
      return null;
    case 'queued':
      return { ...base, verb: 'queued', at: record.updatedAt };
    case 'skipped':
      return { ...base, verb: 'skipped', at: record.finishedAt ?? record.updatedAt };
    case 'awaiting_approval':
      return {
        ...base,
        verb: def.approval?.when === 'plan' ? 'planned' : 'proposed',
        at: record.startedAt ?? record.updatedAt,
      };
    default: {
      const ms = record.startedAt && record.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : 0;
      return {
        ...base,
        verb: record.finishedAt ? 'run' : 'started',
        at: record.startedAt,
        tookMs: ms >= 1000 ? ms : null,
      };
    }
  }
}
