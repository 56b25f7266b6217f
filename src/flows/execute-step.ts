/**
 * The BullMQ job processor's body. Safe to run twice: a job for an attempt that is no longer
 * queued/running does nothing; a job whose worker died (stalled) resumes the same attempt with
 * the executor's checkpoints, and executors check the world before changing it.
 */
import type { RunbookConfig } from '../config/schema.ts';
import { isAppError, isTransient, newErrorId, userFacingText } from '../domain/errors.ts';
import type { StepRecord } from '../domain/incident.ts';
import { missingApprovals } from '../domain/step-actions.ts';
import { advance } from '../domain/step-machine.ts';
import { type StepId, stepDefinition } from '../domain/steps.ts';
import { withAutopilot } from './autopilot.ts';
import { waitForDatabase } from './database-wait.ts';
import type { FlowDeps } from './deps.ts';
import type { Executors, StepContext, StepExecutor, StepOutcome } from './executor.ts';
import { milestonesOnCommit } from './milestones.ts';
import type { IncidentSnapshot, NewEvent, StepJob } from './ports.ts';
import { settleSlaTimers } from './sla-timers.ts';
import { enqueueAutomatic } from './step-command.ts';

export interface JobAttempt {
  /** 1-based try of this BullMQ job (transient failures retry the same step attempt). */
  tryNumber: number;
  maxTries: number;
  signal: AbortSignal;
}

export type ExecuteResult = 'done' | 'stale' | 'retry' | 'failed' | 'aborted';

export async function executeStep(
  deps: FlowDeps,
  executors: Executors,
  job: StepJob,
  run: JobAttempt,
): Promise<ExecuteResult> {
  const begun = await begin(deps, job).catch((err: unknown) => {
    // Another environment's incident (or none): not this bot's to run, whatever the job says.
    if (!isAppError(err) || err.code !== 'not_found') throw err;
    deps.log.warn({ job, err: err.message }, 'ignored a step job for an incident this bot does not run');
    return null;
  });
  if (!begun) return 'stale';
  const { snapshot, record, mode } = begun;
  // From here on `mode` (read from Postgres) decides; the job's own `kind` was only a hint.
  const decided: StepJob = { ...job, kind: mode };
  const executor = executors[job.stepId] ?? manualFallback(job.stepId);
  const ctx = context(deps, job, snapshot, record, run.signal);
  try {
    const outcome = await invoke(executor, ctx, mode);
    return (await finish(deps, decided, outcome)) ? 'done' : 'aborted';
  } catch (err) {
    if (run.signal.aborted) return 'aborted';
    if (isTransient(err) && run.tryNumber < run.maxTries) {
      const event: NewEvent = {
        kind: 'step_retrying',
        actor: 'rollback-commander',
        at: deps.now(),
        stepId: job.stepId,
        payload: { error: messageOf(deps, err, job), try: run.tryNumber, maxTries: run.maxTries },
      };
      await waitForDatabase(deps, job, () => deps.store.append(job.incidentId, [event]));
      return 'retry';
    }
    await fail(deps, job, messageOf(deps, err, job), executor);
    return 'failed';
  }
}

/**
 * An abort message arrives through Redis, which anyone with its password can publish on: act on
 * it only when Postgres says this attempt is no longer to run (aborted, replaced, incident closed).
 */
export async function abortConfirmed(deps: FlowDeps, job: StepJob): Promise<boolean> {
  const snap = await deps.store.get(job.incidentId);
  const rec = snap.steps.get(job.stepId);
  if (snap.incident.state !== 'open' || !rec || rec.attempt !== job.attempt) return true;
  return rec.state === 'aborted';
}

type Begun = { snapshot: IncidentSnapshot; record: StepRecord; mode: 'run' | 'apply' };

async function begin(deps: FlowDeps, job: StepJob): Promise<Begun | null> {
  const result = await waitForDatabase(deps, job, () =>
    deps.store.mutate(job.incidentId, (snap) => {
      const rec = snap.steps.get(job.stepId);
      const live =
        rec &&
        rec.attempt === job.attempt &&
        (rec.state === 'queued' || rec.state === 'running') &&
        snap.incident.state === 'open';
      if (!live) return { events: [], result: null };
      const mode = modeOf(snap, rec);
      if (job.kind === 'apply' && mode !== 'apply') {
        // Redis is not trusted to say "apply": a forged or left-over job plans again instead.
        deps.log.warn(
          { job },
          'the job asked to apply a plan that Postgres holds no complete approvals for; planning instead',
        );
      }
      const resumed = rec.state === 'running';
      const next = advance(rec, 'start', deps.now(), null);
      const event: NewEvent = {
        kind: resumed ? 'step_resumed' : 'step_started',
        actor: 'rollback-commander',
        at: deps.now(),
        stepId: job.stepId,
        payload: { attempt: job.attempt },
      };
      return {
        steps: [next],
        events: [event],
        result: { snapshot: snap, record: { ...next, version: next.version + 1 }, mode, event },
      };
    }),
  );
  return result;
}

/**
 * Read under the incident's row lock: a planned step applies only when Postgres says this attempt
 * is in its apply phase, holds a plan made in this attempt, and has every approval for this attempt.
 * A plan from an earlier attempt (output survives Retry) is never applied.
 */
function modeOf(snap: IncidentSnapshot, rec: StepRecord): 'run' | 'apply' {
  const def = stepDefinition(rec.stepId);
  if (def.approval?.when !== 'plan' || rec.output.phase !== 'apply') return 'run';
  const approvals = snap.approvals.filter((a) => a.stepId === rec.stepId && a.attempt === rec.attempt);
  const approved = rec.output.plannedAttempt === rec.attempt && storedPlan(rec.output) !== null;
  return approved && missingApprovals(def, approvals).length === 0 ? 'apply' : 'run';
}

/** The plan a planned step stored when it planned (each step reads its own shape with readPlan). */
function storedPlan(output: Record<string, unknown>): Record<string, unknown> | null {
  const plan = output.plan;
  return typeof plan === 'object' && plan !== null && !Array.isArray(plan) ? { ...plan } : null;
}

function context(
  deps: FlowDeps,
  job: StepJob,
  snapshot: IncidentSnapshot,
  record: StepRecord,
  signal: AbortSignal,
): StepContext {
  const log = deps.log.child({ incidentId: job.incidentId, stepId: job.stepId, attempt: job.attempt });
  return {
    incident: snapshot.incident,
    step: record,
    snapshot,
    config: deps.config,
    previous: { ...record.output },
    checkpoint: (patch) =>
      waitForDatabase(deps, job, () => deps.store.checkpoint(job.incidentId, job.stepId, job.attempt, patch)),
    async progress(message, data) {
      const event: NewEvent = {
        kind: 'step_progress',
        actor: 'rollback-commander',
        at: deps.now(),
        stepId: job.stepId,
        payload: { message, ...data },
      };
      await waitForDatabase(deps, job, () => deps.store.append(job.incidentId, [event]));
    },
    signal,
    now: deps.now,
    log,
  };
}

/** Plain steps run; planned steps plan, or apply the plan Postgres says is approved (modeOf). */
async function invoke(executor: StepExecutor, ctx: StepContext, mode: 'run' | 'apply'): Promise<StepOutcome> {
  if ('run' in executor) return executor.run(ctx);
  if (mode === 'apply') return executor.apply({ ...ctx, plan: storedPlan(ctx.previous) ?? {} });
  const planned = await executor.plan(ctx);
  const output = {
    plan: planned.plan,
    plannedAt: ctx.now().toISOString(),
    plannedAttempt: ctx.step.attempt,
    phase: 'run',
  };
  return { outcome: 'awaiting_approval', summary: planned.summary, output };
}

const OUTCOME_EVENTS = {
  succeeded: 'succeed',
  awaiting_approval: 'await_approval',
  awaiting_confirmation: 'await_confirmation',
} as const;

async function finish(deps: FlowDeps, job: StepJob, outcome: StepOutcome): Promise<boolean> {
  const done = await waitForDatabase(deps, job, () =>
    deps.store.mutate(job.incidentId, (snap) => {
      const rec = snap.steps.get(job.stepId);
      if (!rec || rec.attempt !== job.attempt || rec.state !== 'running') return { events: [], result: null };
      const advanced = advance(rec, OUTCOME_EVENTS[outcome.outcome], deps.now(), null, {
        summary: outcome.summary,
        output: { ...rec.output, ...outcome.output },
      });
      // An apply that ends with a new plan (the next of several migrations) starts a new attempt:
      // approvals belong to an attempt, so the new plan needs its own.
      const replanned = job.kind === 'apply' && outcome.outcome === 'awaiting_approval';
      const next = replanned
        ? {
            ...advanced,
            attempt: rec.attempt + 1,
            output: { ...advanced.output, phase: 'run', plannedAttempt: rec.attempt + 1 },
          }
        : advanced;
      // What this outcome enables starts in the same commit: a redelivered job finds the step no
      // longer running and commits nothing, so no automatic start happens twice.
      const auto = withAutopilot(deps, snap, { steps: [next], incident: outcome.incident });
      const milestones = milestonesOnCommit(snap, auto.steps, deps.now());
      const evs: NewEvent[] = [
        {
          kind: `step_${outcome.outcome}`,
          actor: 'rollback-commander',
          at: deps.now(),
          stepId: job.stepId,
          payload: { summary: outcome.summary, attempt: next.attempt },
        },
        ...milestones.events,
        ...auto.events,
      ];
      return {
        steps: auto.steps,
        incident: { ...outcome.incident, ...milestones.incident },
        events: evs,
        result: { events: evs, jobs: auto.jobs },
      };
    }),
  );
  if (!done) return false;
  await enqueueAutomatic(deps, done.jobs);
  await settleSlaTimers(deps, job.incidentId, done.events);
  return true;
}

async function fail(deps: FlowDeps, job: StepJob, reason: string, executor: StepExecutor): Promise<void> {
  await waitForDatabase(deps, job, () =>
    deps.store.mutate(job.incidentId, (snap) => {
      const rec = snap.steps.get(job.stepId);
      if (!rec || rec.attempt !== job.attempt || rec.state !== 'running') return { events: [], result: null };
      const hint = snap.incident.autopilot
        ? 'Autopilot stopped here: Retry it once the cause is fixed (autopilot resumes from there), or Skip it with a reason.'
        : 'Retry it once the cause is fixed, or Skip it with a reason.';
      const error = withProgress(reason, executor, rec.output, deps.config);
      const next = advance(rec, 'fail', deps.now(), null, { error });
      const evs: NewEvent[] = [
        {
          kind: 'step_failed',
          actor: 'rollback-commander',
          at: deps.now(),
          stepId: job.stepId,
          payload: { error, hint },
        },
      ];
      return { steps: [next], events: evs, result: null };
    }),
  );
}

/** A failure part-way through says what the step did and did not do (from its checkpoints). */
export function withProgress(
  reason: string,
  executor: StepExecutor | undefined,
  output: Record<string, unknown>,
  config: RunbookConfig,
): string {
  const progress = executor?.describeProgress?.(output, config);
  return progress ? `${reason}. So far: ${progress}` : reason;
}

/** Only a UserFacingError's text is shown; anything else becomes an error id, logged with its stack. */
function messageOf(deps: FlowDeps, err: unknown, job: StepJob): string {
  const text = userFacingText(err);
  if (text !== null) return text;
  const id = newErrorId();
  deps.log.error({ err, errorId: id, job }, 'step failed with an unexpected error');
  return `internal error ${id} (the bot's log has the details under errorId=${id})`;
}

/** A step with no automation configured asks a person to do the runbook line and confirm. */
function manualFallback(stepId: StepId): StepExecutor {
  const def = stepDefinition(stepId);
  return {
    run: async () => ({
      outcome: 'awaiting_confirmation',
      summary: `Not automated: do it by hand (${def.runbookLine}), then press Confirm`,
      output: { manual: true },
    }),
  };
}
