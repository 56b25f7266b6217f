/**
 * Run / Retry / Approve / Confirm / Skip / Abort on one step. Each command: authorize, then one
 * atomic mutation under the incident lock that checks the domain rules and writes the timeline;
 * a refusal is recorded and answered, and runs nothing.
 */
import { UserFacingError, type ErrorCode } from '../domain/errors.ts';
import type { Incident, StepRecord } from '../domain/incident.ts';
import { availableActions, approvalRoleFor, missingApprovals, rolesFor, unmetPrerequisite, type StepAction } from '../domain/step-actions.ts';
import { advance, describeState } from '../domain/step-machine.ts';
import { stepDefinition, type Role, type StepId } from '../domain/steps.ts';
import { cleanUserText, mentionOf } from '../domain/user-text.ts';
import type { FlowDeps } from './deps.ts';
import type { IncidentSnapshot, Mutation, NewEvent, StepJob } from './ports.ts';
import { describeRoles, refuse, requireRole } from './refuse.ts';
import { recordRestoredImages, taintedWarning } from './known-good.ts';
import { milestonesOnCommit } from './milestones.ts';
import { settleSlaTimers } from './sla-timers.ts';
import { withAutopilot } from './autopilot.ts';
import { readOutput } from './steps/_shared/step-output.ts';
import { selectReleaseOutputSchema } from './steps/select_release/output.ts';

export interface StepCommand {
  incidentId: string;
  stepId: StepId;
  actor: string;
  /** The step version the clicked message showed; a mismatch means the message is out of date. */
  expectedVersion?: number;
}

type Outcome<R> = { ok: true; value: R; events: NewEvent[] } | { ok: false; code: ErrorCode; reason: string };
/** `roles`: the actor's roles, already checked to allow the action. */
type Decide<R> = (snap: IncidentSnapshot, record: StepRecord, roles: readonly Role[]) => Outcome<R> & { mutation?: Omit<Mutation<unknown>, 'result' | 'events'> };

const ACTION_VERBS: Record<StepAction, string> = { run: 'run', retry: 'retry', approve: 'approve', confirm: 'confirm', skip: 'skip', abort: 'abort' };

/**
 * Shared shape of every step command: role check, locked decision, refusal or commit, then
 * `afterCommit` (enqueueing the job). Observers hear of the commit from the store itself; the chat
 * relay debounces, so the job still reaches the queue before the relay starts its own database work.
 */
async function command<R>(deps: FlowDeps, cmd: StepCommand, action: StepAction, decide: Decide<R>, afterCommit?: (value: R) => Promise<void>): Promise<R> {
  const def = stepDefinition(cmd.stepId);
  const at = { incidentId: cmd.incidentId, stepId: cmd.stepId, actor: cmd.actor, action };
  const roles = await requireRole(deps, at, rolesFor(action, def), `${ACTION_VERBS[action]} \`${cmd.stepId}\``);
  const outcome = await deps.store.mutate<Outcome<R> & { autoJobs?: StepJob[] }>(cmd.incidentId, (snap) => {
    const record = snap.steps.get(cmd.stepId);
    const early = precheck(snap, record, cmd);
    if (early) return { events: [], result: early };
    const decided = decide(snap, record!, roles);
    if (!decided.ok) return { events: [], result: decided };
    // The steps this click enables start in the same commit (exactly once, under the row lock).
    const auto = withAutopilot(deps, snap, { steps: decided.mutation?.steps ?? [], approvals: decided.mutation?.approvals, incident: decided.mutation?.incident });
    const milestones = milestonesOnCommit(snap, auto.steps, deps.now());
    const events = [...decided.events, ...milestones.events, ...auto.events];
    const incident = { ...decided.mutation?.incident, ...milestones.incident };
    return { ...decided.mutation, steps: auto.steps, incident, events, result: { ...decided, events, autoJobs: auto.jobs } };
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
    return { ok: false, code: 'conflict', reason: `incident ${snap.incident.id} is ${snap.incident.state}; nothing more can run in it` };
  }
  if (!record) return { ok: false, code: 'not_found', reason: `incident ${snap.incident.id} has no step \`${cmd.stepId}\`` };
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== record.version) {
    const by = record.actor ? ` (last by ${mentionOf(record.actor)})` : '';
    return { ok: false, code: 'stale', reason: `that button is out of date: \`${cmd.stepId}\` is now ${describeState(record.state)}${by}. Nothing was done; use the current checklist` };
  }
  return null;
}

function situation(snap: IncidentSnapshot, record: StepRecord) {
  const def = stepDefinition(record.stepId);
  // Approvals belong to one attempt: a Retry plans again and needs new approvals.
  const approvals = snap.approvals.filter((a) => a.stepId === record.stepId && a.attempt === record.attempt);
  return { def, record, incident: snap.incident, steps: snap.steps, approvals };
}

/** Why an action is not available now, in words a person can act on. */
function whyNot(snap: IncidentSnapshot, record: StepRecord, action: StepAction): string {
  const s = situation(snap, record);
  const prereq = unmetPrerequisite(s);
  if (prereq && (action === 'run' || action === 'retry' || action === 'approve')) return `\`${record.stepId}\` cannot ${action} yet: it ${prereq}`;
  const missing = s.def.approval?.when === 'before_run' ? missingApprovals(s.def, s.approvals) : [];
  if ((action === 'run' || action === 'retry') && missing.length) {
    return `\`${record.stepId}\` needs approval first by the ${missing.map((r) => describeRoles([r])).join(' and the ')}`;
  }
  return `\`${record.stepId}\` is ${describeState(record.state)}: it cannot be ${action === 'run' ? 'run' : `${action}d`} now`;
}

function allowed(snap: IncidentSnapshot, record: StepRecord, action: StepAction): boolean {
  return availableActions(situation(snap, record)).includes(action);
}

/** Run or Retry: queue a new attempt; the job id makes a second enqueue of the same attempt a no-op. */
export async function runStep(deps: FlowDeps, cmd: StepCommand): Promise<StepJob> {
  const job = await command<StepJob>(deps, cmd, 'run', (snap, record) => {
    const action: StepAction = record.state === 'pending' ? 'run' : 'retry';
    if (!allowed(snap, record, action)) return { ok: false, code: 'prerequisite_unmet', reason: whyNot(snap, record, action) };
    const queued = advance(record, 'enqueue', deps.now(), cmd.actor);
    const next = { ...queued, output: { ...queued.output, phase: 'run' } };
    const event: NewEvent = { kind: 'step_queued', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { attempt: next.attempt } };
    return { ok: true, value: { incidentId: cmd.incidentId, stepId: cmd.stepId, attempt: next.attempt }, events: [event], mutation: { steps: [next] } };
  }, (queued) => enqueue(deps, queued));
  return job;
}

/** Autopilot's jobs: the click that enabled them succeeded; with Redis down the reconciler enqueues them later. */
export async function enqueueAutomatic(deps: FlowDeps, jobs: readonly StepJob[]): Promise<void> {
  await Promise.all(jobs.map((job) => enqueue(deps, job).catch((err: unknown) => deps.log.warn({ err, job }, 'step queued in Postgres only; the reconciler will enqueue it'))));
}

export async function enqueue(deps: FlowDeps, job: StepJob): Promise<void> {
  try {
    await deps.queue.enqueue(job);
  } catch (err) {
    // The step stays queued in Postgres; the worker's reconciler enqueues it once Redis is back.
    deps.log.error({ err, job }, 'could not enqueue a step job');
    throw new UserFacingError('upstream_unavailable', `\`${job.stepId}\` is queued, but the job queue (Redis) is unreachable: it will start when the worker reconnects`, { cause: err, transient: true });
  }
}

export async function approveStep(deps: FlowDeps, cmd: StepCommand & { target?: string }): Promise<{ complete: boolean; applying?: StepJob }> {
  const result = await command<{ complete: boolean; applying?: StepJob }>(deps, cmd, 'approve', (snap, record, roles) => {
    if (!allowed(snap, record, 'approve')) return { ok: false, code: 'prerequisite_unmet', reason: whyNot(snap, record, 'approve') };
    const s = situation(snap, record);
    if (s.def.approval?.when === 'after_run') return approveProposal(deps, cmd, snap.incident, record);
    const role = approvalRoleFor(s.def, s.approvals, cmd.actor, roles);
    if (!role) {
      const missing = missingApprovals(s.def, s.approvals);
      return { ok: false, code: 'forbidden', reason: `you already approved \`${record.stepId}\`; the remaining approval (${describeRoles(missing)}) must come from a different person` };
    }
    // Two different people by both measures: a second `--as` from the same OS account is one person.
    const sameAccount = deps.origin && s.approvals.find((a) => a.via?.osUser === deps.origin!.osUser);
    if (sameAccount) {
      return { ok: false, code: 'forbidden', reason: `OS user ${deps.origin!.osUser} already approved \`${record.stepId}\` (as ${sameAccount.userId}); the other approval must come from a different person, not another --as from the same account` };
    }
    const approval = { incidentId: cmd.incidentId, stepId: record.stepId, attempt: record.attempt, role, userId: cmd.actor, at: deps.now() };
    const remaining = missingApprovals(s.def, [...s.approvals, approval]);
    const events: NewEvent[] = [{ kind: 'approval_given', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { role, remaining } }];
    if (s.def.approval?.when === 'plan' && remaining.length === 0) {
      // Every approval is in: apply exactly the plan that was approved, in the same attempt.
      const applying = advance(record, 'apply', deps.now(), cmd.actor);
      const next = { ...applying, output: { ...applying.output, phase: 'apply' } };
      events.push({ kind: 'step_queued', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { attempt: record.attempt, apply: true } });
      const job: StepJob = { incidentId: cmd.incidentId, stepId: record.stepId, attempt: record.attempt, kind: 'apply' };
      return { ok: true, value: { complete: true, applying: job }, events, mutation: { approvals: [approval], steps: [next] } };
    }
    // The approval changes what the step allows: bump its version so older buttons go stale.
    const touched = { ...record, updatedAt: deps.now() };
    return { ok: true, value: { complete: remaining.length === 0 }, events, mutation: { approvals: [approval], steps: [touched] } };
  }, async (value) => {
    if (value.applying) await enqueue(deps, value.applying);
  });
  return result;
}

/** After-run approval: the captain accepts (or overrides) what the step proposed — today only the target release. */
function approveProposal(deps: FlowDeps, cmd: StepCommand & { target?: string }, incident: Incident, record: StepRecord): Outcome<{ complete: boolean; applying?: StepJob }> & { mutation?: Omit<Mutation<unknown>, 'result' | 'events'> } {
  const output = readOutput('select_release', selectReleaseOutputSchema, record.output);
  const proposal = output.proposal;
  const valid = output.validTargets ?? [];
  const target = cmd.target ?? proposal?.version;
  if (!target) return { ok: false, code: 'invalid_input', reason: 'there is no proposed target: name one with `--to <tag>` (or pick it in the modal)' };
  // A version an earlier incident rolled back away from is approvable only by naming it, and says so.
  const taintedBy = cmd.target ? output.taintedTargets?.[target] : undefined;
  if (!valid.includes(target) && !taintedBy) {
    return { ok: false, code: 'invalid_input', reason: `${target} is not a release this cluster or repo knows (${valid.slice(0, 8).join(', ') || 'none found'}): pick one of those` };
  }
  const now = deps.now();
  const chosen = cmd.target && cmd.target !== proposal?.version ? `chosen by ${mentionOf(cmd.actor)}` : (proposal?.source ?? 'unknown');
  const source = taintedBy && !valid.includes(target) ? `${chosen}; ${taintedWarning(target, taintedBy)}` : chosen;
  const next = advance(record, 'approve', now, cmd.actor, { summary: `Target ${target} approved (${source})` });
  const events: NewEvent[] = [
    { kind: 'approval_given', actor: cmd.actor, at: now, stepId: record.stepId, payload: { role: 'release_captain', remaining: [] } },
    { kind: 'target_approved', actor: cmd.actor, at: now, stepId: record.stepId, payload: { targetVersion: target, badVersion: incident.badVersion, source } },
  ];
  return { ok: true, value: { complete: true }, events, mutation: { steps: [next], incident: { targetVersion: target, targetSource: source, decidedAt: now } } };
}

export async function confirmStep(deps: FlowDeps, cmd: StepCommand & { note?: string }): Promise<void> {
  await command(deps, cmd, 'confirm', (snap, record) => {
    if (!allowed(snap, record, 'confirm')) return { ok: false, code: 'prerequisite_unmet', reason: whyNot(snap, record, 'confirm') };
    const note = cmd.note ? cleanUserText(cmd.note).trim() : '';
    const summary = `Confirmed by ${mentionOf(cmd.actor)}${note ? `: ${note}` : ''}`;
    const next = advance(record, 'confirm', deps.now(), cmd.actor, { summary });
    return { ok: true, value: undefined, events: [{ kind: 'step_succeeded', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { summary, confirmed: true } }], mutation: { steps: [next] } };
  });
  // A person confirmed the cutover: what the revert put in place is now known to be good — if it still runs.
  if (cmd.stepId === 'verify_cutover') await recordConfirmedCutover(deps, cmd);
}

export async function skipStep(deps: FlowDeps, cmd: StepCommand & { reason: string }): Promise<void> {
  const reason = cleanUserText(cmd.reason).trim();
  if (!reason) throw new UserFacingError('invalid_input', 'a skip needs a reason (it goes in the timeline and the summary): add `--reason "…"`');
  await command(deps, cmd, 'skip', (snap, record) => {
    if (!allowed(snap, record, 'skip')) return { ok: false, code: 'conflict', reason: whyNot(snap, record, 'skip') };
    const next = advance(record, 'skip', deps.now(), cmd.actor, { summary: `Skipped by ${mentionOf(cmd.actor)}: ${reason}` });
    return { ok: true, value: undefined, events: [{ kind: 'step_skipped', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { reason } }], mutation: { steps: [next] } };
  });
}

export async function abortStep(deps: FlowDeps, abort: StepCommand & { reason?: string }): Promise<void> {
  const cmd = { ...abort, reason: cleanUserText(abort.reason ?? '').trim() || undefined };
  const job = await command<StepJob | null>(deps, cmd, 'abort', (snap, record) => {
    if (!allowed(snap, record, 'abort')) return { ok: false, code: 'conflict', reason: whyNot(snap, record, 'abort') };
    const wasActive = record.state === 'queued' || record.state === 'running';
    const next = advance(record, 'abort', deps.now(), cmd.actor, { summary: `Aborted by ${mentionOf(cmd.actor)}${cmd.reason ? `: ${cmd.reason}` : ''}` });
    const event: NewEvent = { kind: 'step_aborted', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { reason: cmd.reason ?? null } };
    return { ok: true, value: wasActive ? { incidentId: cmd.incidentId, stepId: record.stepId, attempt: record.attempt } : null, events: [event], mutation: { steps: [next] } };
  });
  if (job) await deps.queue.abort(job, cmd.reason ?? 'aborted').catch((err) => deps.log.error({ err, job }, 'could not signal the abort to the worker'));
}

async function recordConfirmedCutover(deps: FlowDeps, cmd: StepCommand): Promise<void> {
  const live = deps.deployments ? { deployments: deps.deployments, config: deps.config } : undefined;
  const snap = await deps.store.get(cmd.incidentId);
  const result = await recordRestoredImages(deps.store, snap, cmd.actor, deps.now(), live);
  if (result.recorded) return;
  const message = `Not recorded as known-good: ${result.reason}`;
  const event: NewEvent = {
    kind: 'step_progress', actor: 'rollback-commander', at: deps.now(), stepId: cmd.stepId, payload: { message },
  };
  await deps.store.append(cmd.incidentId, [event]);
}
