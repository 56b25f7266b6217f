/**
 * Run / Retry / Approve / Confirm / Skip / Abort on one step. Each command: authorize, then one
 * atomic mutation under the incident lock that checks the domain rules and writes the timeline;
 * a refusal is recorded and answered, and runs nothing (step-command.ts). Rules that belong to one
 * step live in its folder: select_release's target approval, verify_cutover's known-good record.
 */
import { UserFacingError } from '../domain/errors.ts';
import { approvalRoleFor, missingApprovals, type StepAction } from '../domain/step-actions.ts';
import { advance } from '../domain/step-machine.ts';
import type { StepId } from '../domain/steps.ts';
import { cleanUserText, mentionOf } from '../domain/user-text.ts';
import type { FlowDeps } from './deps.ts';
import type { NewEvent, StepJob } from './ports.ts';
import { describeRoles } from './refuse.ts';
import { allowed, command, enqueue, type StepCommand, situation, whyNot } from './step-command.ts';
import { approveTarget } from './steps/select_release/approve-target.ts';
import { recordConfirmedCutover } from './steps/verify_cutover/on-confirm.ts';

/** What a step does right after a person confirms it, beyond recording the confirmation. */
const AFTER_CONFIRM: Partial<Record<StepId, (deps: FlowDeps, cmd: StepCommand) => Promise<void>>> = {
  verify_cutover: recordConfirmedCutover,
};

/** Run or Retry: queue a new attempt; the job id makes a second enqueue of the same attempt a no-op. */
export async function runStep(deps: FlowDeps, cmd: StepCommand): Promise<StepJob> {
  const job = await command<StepJob>(
    deps,
    cmd,
    'run',
    (snap, record) => {
      const action: StepAction = record.state === 'pending' ? 'run' : 'retry';
      if (!allowed(snap, record, action))
        return { ok: false, code: 'prerequisite_unmet', reason: whyNot(snap, record, action) };
      const queued = advance(record, 'enqueue', deps.now(), cmd.actor);
      const next = { ...queued, output: { ...queued.output, phase: 'run' } };
      const event: NewEvent = {
        kind: 'step_queued',
        actor: cmd.actor,
        at: deps.now(),
        stepId: record.stepId,
        payload: { attempt: next.attempt },
      };
      return {
        ok: true,
        value: { incidentId: cmd.incidentId, stepId: cmd.stepId, attempt: next.attempt },
        events: [event],
        mutation: { steps: [next] },
      };
    },
    (queued) => enqueue(deps, queued),
  );
  return job;
}

export async function approveStep(
  deps: FlowDeps,
  cmd: StepCommand & { target?: string },
): Promise<{ complete: boolean; applying?: StepJob }> {
  const result = await command<{ complete: boolean; applying?: StepJob }>(
    deps,
    cmd,
    'approve',
    (snap, record, roles) => {
      if (!allowed(snap, record, 'approve'))
        return { ok: false, code: 'prerequisite_unmet', reason: whyNot(snap, record, 'approve') };
      const s = situation(snap, record);
      if (s.def.approval?.when === 'after_run') return approveTarget(deps, cmd, snap.incident, record);
      const role = approvalRoleFor(s.def, s.approvals, cmd.actor, roles);
      if (!role) {
        const missing = missingApprovals(s.def, s.approvals);
        return {
          ok: false,
          code: 'forbidden',
          reason: `you already approved \`${record.stepId}\`; the remaining approval (${describeRoles(missing)}) must come from a different person`,
        };
      }
      // Two different people by both measures: a second `--as` from the same OS account is one person.
      const sameAccount = deps.origin && s.approvals.find((a) => a.via?.osUser === deps.origin!.osUser);
      if (sameAccount) {
        return {
          ok: false,
          code: 'forbidden',
          reason: `OS user ${deps.origin!.osUser} already approved \`${record.stepId}\` (as ${sameAccount.userId}); the other approval must come from a different person, not another --as from the same account`,
        };
      }
      const approval = {
        incidentId: cmd.incidentId,
        stepId: record.stepId,
        attempt: record.attempt,
        role,
        userId: cmd.actor,
        at: deps.now(),
      };
      const remaining = missingApprovals(s.def, [...s.approvals, approval]);
      const events: NewEvent[] = [
        {
          kind: 'approval_given',
          actor: cmd.actor,
          at: deps.now(),
          stepId: record.stepId,
          payload: { role, remaining },
        },
      ];
      if (s.def.approval?.when === 'plan' && remaining.length === 0) {
        // Every approval is in: apply exactly the plan that was approved, in the same attempt.
        const applying = advance(record, 'apply', deps.now(), cmd.actor);
        const next = { ...applying, output: { ...applying.output, phase: 'apply' } };
        events.push({
          kind: 'step_queued',
          actor: cmd.actor,
          at: deps.now(),
          stepId: record.stepId,
          payload: { attempt: record.attempt, apply: true },
        });
        const job: StepJob = {
          incidentId: cmd.incidentId,
          stepId: record.stepId,
          attempt: record.attempt,
          kind: 'apply',
        };
        return {
          ok: true,
          value: { complete: true, applying: job },
          events,
          mutation: { approvals: [approval], steps: [next] },
        };
      }
      // The approval changes what the step allows: bump its version so older buttons go stale.
      const touched = { ...record, updatedAt: deps.now() };
      return {
        ok: true,
        value: { complete: remaining.length === 0 },
        events,
        mutation: { approvals: [approval], steps: [touched] },
      };
    },
    async (value) => {
      if (value.applying) await enqueue(deps, value.applying);
    },
  );
  return result;
}

export async function confirmStep(deps: FlowDeps, cmd: StepCommand & { note?: string }): Promise<void> {
  await command(deps, cmd, 'confirm', (snap, record) => {
    if (!allowed(snap, record, 'confirm'))
      return { ok: false, code: 'prerequisite_unmet', reason: whyNot(snap, record, 'confirm') };
    const note = cmd.note ? cleanUserText(cmd.note).trim() : '';
    const summary = `Confirmed by ${mentionOf(cmd.actor)}${note ? `: ${note}` : ''}`;
    const next = advance(record, 'confirm', deps.now(), cmd.actor, { summary });
    return {
      ok: true,
      value: undefined,
      events: [
        {
          kind: 'step_succeeded',
          actor: cmd.actor,
          at: deps.now(),
          stepId: record.stepId,
          payload: { summary, confirmed: true },
        },
      ],
      mutation: { steps: [next] },
    };
  });
  await AFTER_CONFIRM[cmd.stepId]?.(deps, cmd);
}

export async function skipStep(deps: FlowDeps, cmd: StepCommand & { reason: string }): Promise<void> {
  const reason = cleanUserText(cmd.reason).trim();
  if (!reason)
    throw new UserFacingError(
      'invalid_input',
      'a skip needs a reason (it goes in the timeline and the summary): add `--reason "…"`',
    );
  await command(deps, cmd, 'skip', (snap, record) => {
    if (!allowed(snap, record, 'skip')) return { ok: false, code: 'conflict', reason: whyNot(snap, record, 'skip') };
    const next = advance(record, 'skip', deps.now(), cmd.actor, {
      summary: `Skipped by ${mentionOf(cmd.actor)}: ${reason}`,
    });
    return {
      ok: true,
      value: undefined,
      events: [{ kind: 'step_skipped', actor: cmd.actor, at: deps.now(), stepId: record.stepId, payload: { reason } }],
      mutation: { steps: [next] },
    };
  });
}

export async function abortStep(deps: FlowDeps, abort: StepCommand & { reason?: string }): Promise<void> {
  const cmd = { ...abort, reason: cleanUserText(abort.reason ?? '').trim() || undefined };
  const job = await command<StepJob | null>(deps, cmd, 'abort', (snap, record) => {
    if (!allowed(snap, record, 'abort')) return { ok: false, code: 'conflict', reason: whyNot(snap, record, 'abort') };
    const wasActive = record.state === 'queued' || record.state === 'running';
    const next = advance(record, 'abort', deps.now(), cmd.actor, {
      summary: `Aborted by ${mentionOf(cmd.actor)}${cmd.reason ? `: ${cmd.reason}` : ''}`,
    });
    const event: NewEvent = {
      kind: 'step_aborted',
      actor: cmd.actor,
      at: deps.now(),
      stepId: record.stepId,
      payload: { reason: cmd.reason ?? null },
    };
    return {
      ok: true,
      value: wasActive ? { incidentId: cmd.incidentId, stepId: record.stepId, attempt: record.attempt } : null,
      events: [event],
      mutation: { steps: [next] },
    };
  });
  if (job)
    await deps.queue
      .abort(job, cmd.reason ?? 'aborted')
      .catch((err) => deps.log.error({ err, job }, 'could not signal the abort to the worker'));
}
