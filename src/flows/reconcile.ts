/**
 * Nothing is lost when a process dies: Postgres is the truth. A step queued in Postgres whose job
 * never reached Redis (the process died between commit and enqueue, or Redis was down) is
 * enqueued again; a step whose job BullMQ gave up on is failed visibly so a person can Retry.
 */
import { advance } from '../domain/step-machine.ts';
import { notify, type FlowDeps } from './deps.ts';
import type { NewEvent, StepJob } from './ports.ts';

export async function reconcile(deps: FlowDeps): Promise<{ enqueued: StepJob[]; failed: StepJob[] }> {
  const enqueued: StepJob[] = [];
  const failed: StepJob[] = [];
  for (const step of await deps.store.activeSteps()) {
    const job: StepJob = { incidentId: step.incidentId, stepId: step.stepId, attempt: step.attempt, ...(step.output.phase === 'apply' ? { kind: 'apply' as const } : {}) };
    const state = await deps.queue.jobState(job);
    if (state === null) {
      await deps.queue.enqueue(job);
      enqueued.push(job);
      deps.log.warn({ job }, 're-enqueued a step whose job was missing');
    } else if (state === 'failed' || state === 'completed') {
      if (await failLost(deps, job, state)) failed.push(job);
    }
  }
  return { enqueued, failed };
}

async function failLost(deps: FlowDeps, job: StepJob, jobState: string): Promise<boolean> {
  const error =
    jobState === 'failed'
      ? 'the worker running this step died repeatedly; check the worker logs, then Retry'
      : 'the worker finished this step but could not record the result; check the world, then Retry or Skip';
  const events = await deps.store.mutate(job.incidentId, (snap) => {
    const rec = snap.steps.get(job.stepId);
    if (!rec || rec.attempt !== job.attempt || (rec.state !== 'queued' && rec.state !== 'running')) return { events: [], result: null };
    const evs: NewEvent[] = [{ kind: 'step_failed', actor: 'rollback-commander', at: deps.now(), stepId: job.stepId, payload: { error } }];
    return { steps: [advance(rec, 'fail', deps.now(), null, { error })], events: evs, result: evs };
  });
  if (events) notify(deps, job.incidentId, events);
  return events !== null;
}
