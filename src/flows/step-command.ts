/**
 * The shape every step command shares (step-commands.ts): the role check, one locked decision
 * under the incident lock that checks the domain rules and writes the timeline, a refusal that is
 * recorded and answered, or the commit and what follows it (enqueueing the job).
 */
import { type ErrorCode, UserFacingError } from '../domain/errors.ts';
import type { StepRecord } from '../domain/incident.ts';
import {
  availableActions,
  missingApprovals,
  rolesFor,
  type StepAction,
  unmetPrerequisite,
} from '../domain/step-actions.ts';
import { describeState } from '../domain/step-machine.ts';
import { type Role, type StepId, stepDefinition } from '../domain/steps.ts';
import { mentionOf } from '../domain/user-text.ts';
import { withAutopilot } from './autopilot.ts';
import type { FlowDeps } from './deps.ts';
import { milestonesOnCommit } from './milestones.ts';
import type { IncidentSnapshot, Mutation, NewEvent, StepJob } from './ports.ts';
import { describeRoles, refuse, requireRole } from './refuse.ts';
import { settleSlaTimers } from './sla-timers.ts';

export interface StepCommand {
  incidentId: string;
  stepId: StepId;
  actor: string;
  /** The step version the clicked message showed; a mismatch means the message is out of date. */
  expectedVersion?: number;
}

export type Outcome<R> = { ok: true; value: R; events: NewEvent[] } | { ok: false; code: ErrorCode; reason: string };
/** `roles`: the actor's roles, already checked to allow the action. */
export type Decide<R> = (
  snap: IncidentSnapshot,
  record: StepRecord,
  roles: readonly Role[],
) => Outcome<R> & { mutation?: Omit<Mutation<unknown>, 'result' | 'events'> };

/**
 * Shared shape of every step command: role check, locked decision, refusal or commit, then
 * `afterCommit` (enqueueing the job). Observers hear of the commit from the store itself; the chat
 * relay debounces, so the job still reaches the queue before the relay starts its own database work.
 */
export async function command<R>(
  deps: FlowDeps,
  cmd: StepCommand,
  action: StepAction,
  decide: Decide<R>,
  afterCommit?: (value: R) => Promise<void>,
): Promise<R> {
  const def = stepDefinition(cmd.stepId);
  const at = { incidentId: cmd.incidentId, stepId: cmd.stepId, actor: cmd.actor, action };
  const roles = await requireRole(deps, at, rolesFor(action, def), `${action} \`${cmd.stepId}\``);
  const outcome = await deps.store.mutate<Outcome<R> & { autoJobs?: StepJob[] }>(cmd.incidentId, (snap) => {
    const record = snap.steps.get(cmd.stepId);
    const early = precheck(snap, record, cmd);
    if (early) return { events: [], result: early };
    const decided = decide(snap, record!, roles);
    if (!decided.ok) return { events: [], result: decided };
    // The steps this click enables start in the same commit (exactly once, under the row lock).
    const auto = withAutopilot(deps, snap, {
      steps: decided.mutation?.steps ?? [],
      approvals: decided.mutation?.approvals,
      incident: decided.mutation?.incident,
    });
    const milestones = milestonesOnCommit(snap, auto.steps, deps.now());
    const events = [...decided.events, ...milestones.events, ...auto.events];
    const incident = { ...decided.mutation?.incident, ...milestones.incident };
    return {
      ...decided.mutation,
      steps: auto.steps,
      incident,
      events,
      result: { ...decided, events, autoJobs: auto.jobs },
    };
  });
  if (!outcome.ok) return refuse(deps, at, outcome.code, outcome.reason);
  try {
    await afterCommit?.(outcome.value);
    await enqueueAutomatic(deps, outcome.autoJobs ?? []);
  } finally {
    await settleSlaTimers(deps, cmd.incidentId, outcome.events);
  }
  return outcome.value;
}

function precheck(snap: IncidentSnapshot, record: StepRecord | undefined, cmd: StepCommand): Outcome<never> | null {
  if (snap.incident.state !== 'open') {
    return {
      ok: false,
      code: 'conflict',
      reason: `incident ${snap.incident.id} is ${snap.incident.state}; nothing more can run in it`,
    };
  }
  if (!record)
    return { ok: false, code: 'not_found', reason: `incident ${snap.incident.id} has no step \`${cmd.stepId}\`` };
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== record.version) {
    const by = record.actor ? ` (last by ${mentionOf(record.actor)})` : '';
    return {
      ok: false,
      code: 'stale',
      reason: `that button is out of date: \`${cmd.stepId}\` is now ${describeState(record.state)}${by}. Nothing was done; use the current checklist`,
    };
  }
  return null;
}

export function situation(snap: IncidentSnapshot, record: StepRecord) {
  const def = stepDefinition(record.stepId);
  // Approvals belong to one attempt: a Retry plans again and needs new approvals.
  const approvals = snap.approvals.filter((a) => a.stepId === record.stepId && a.attempt === record.attempt);
  return { def, record, incident: snap.incident, steps: snap.steps, approvals };
}

/** Why an action is not available now, in words a person can act on. */
export function whyNot(snap: IncidentSnapshot, record: StepRecord, action: StepAction): string {
  const s = situation(snap, record);
  const prereq = unmetPrerequisite(s);
  if (prereq && (action === 'run' || action === 'retry' || action === 'approve'))
    return `\`${record.stepId}\` cannot ${action} yet: it ${prereq}`;
  const missing = s.def.approval?.when === 'before_run' ? missingApprovals(s.def, s.approvals) : [];
  if ((action === 'run' || action === 'retry') && missing.length) {
    return `\`${record.stepId}\` needs approval first by the ${missing.map((r) => describeRoles([r])).join(' and the ')}`;
  }
  return `\`${record.stepId}\` is ${describeState(record.state)}: it cannot be ${action === 'run' ? 'run' : `${action}d`} now`;
}

export function allowed(snap: IncidentSnapshot, record: StepRecord, action: StepAction): boolean {
  return availableActions(situation(snap, record)).includes(action);
}

/** Autopilot's jobs: the click that enabled them succeeded; with Redis down the reconciler enqueues them later. */
export async function enqueueAutomatic(deps: FlowDeps, jobs: readonly StepJob[]): Promise<void> {
  await Promise.all(
    jobs.map((job) =>
      enqueue(deps, job).catch((err: unknown) =>
        deps.log.warn({ err, job }, 'step queued in Postgres only; the reconciler will enqueue it'),
      ),
    ),
  );
}

export async function enqueue(deps: FlowDeps, job: StepJob): Promise<void> {
  try {
    await deps.queue.enqueue(job);
  } catch (err) {
    // The step stays queued in Postgres; the worker's reconciler enqueues it once Redis is back.
    deps.log.error({ err, job }, 'could not enqueue a step job');
    throw new UserFacingError(
      'upstream_unavailable',
      `\`${job.stepId}\` is queued, but the job queue (Redis) is unreachable: it will start when the worker reconnects`,
      { cause: err, transient: true },
    );
  }
}
