/**
 * Nothing is lost when a process dies: Postgres is the truth. A step queued in Postgres whose job
 * never reached Redis (the process died between commit and enqueue, or Redis was down) is
 * enqueued again; a step whose job BullMQ gave up on is failed visibly so a person can Retry.
 */
import { DATABASE_UNAVAILABLE } from '../domain/errors.ts';
import { advance } from '../domain/step-machine.ts';
import type { FlowDeps } from './deps.ts';
import { withProgress } from './execute-step.ts';
import type { Executors } from './executor.ts';
import type { NewEvent, StepJob } from './ports.ts';

export async function reconcile(
  deps: FlowDeps,
  executors: Executors = {},
): Promise<{ enqueued: StepJob[]; failed: StepJob[] }> {
  const enqueued: StepJob[] = [];
  const failed: StepJob[] = [];
  for (const step of await deps.store.activeSteps()) {
    const job: StepJob = {
      incidentId: step.incidentId,
      stepId: step.stepId,
      attempt: step.attempt,
      ...(step.output.phase === 'apply' ? { kind: 'apply' as const } : {}),
    };
    const state = await deps.queue.jobState(job);
    if (state === null) {
      await deps.queue.enqueue(job);
      enqueued.push(job);
      deps.log.warn({ job }, 're-enqueued a step whose job was missing');
    } else if (state === 'failed' || state === 'completed') {
      if (await failLost(deps, job, state, executors)) failed.push(job);
    }
  }
  return { enqueued, failed };
}

async function failLost(deps: FlowDeps, job: StepJob, jobState: string, executors: Executors): Promise<boolean> {
  // The job's reason comes from Redis: it only picks one of our own messages, it is never shown.
  const reason = jobState === 'failed' ? await deps.queue.failedReason?.(job) : null;
  const why =
    jobState !== 'failed'
      ? 'the worker finished this step but could not record the result; check the world, then Retry or Skip'
      : reason?.startsWith(DATABASE_UNAVAILABLE)
        ? `${DATABASE_UNAVAILABLE.replace('is unreachable', 'was unreachable')} for longer than the step waits (queue.database_wait), so it stopped; check what it did, then Retry`
        : 'the worker running this step died repeatedly; check the worker logs, then Retry';
  const events = await deps.store.mutate(job.incidentId, (snap) => {
    const rec = snap.steps.get(job.stepId);
    if (!rec || rec.attempt !== job.attempt || (rec.state !== 'queued' && rec.state !== 'running'))
      return { events: [], result: null };
    const error = withProgress(why, executors[job.stepId], rec.output, deps.config);
    const evs: NewEvent[] = [
      { kind: 'step_failed', actor: 'rollback-commander', at: deps.now(), stepId: job.stepId, payload: { error } },
    ];
    return { steps: [advance(rec, 'fail', deps.now(), null, { error })], events: evs, result: evs };
  });
  return events !== null;
}
