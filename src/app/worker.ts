/**
 * The step worker: runs BullMQ step jobs through executeStep, and reconciles Postgres with the
 * queue at start and every few seconds so nothing queued is lost when a process dies. It also
 * fires the SLA timers and keeps every open incident's timers in the queue.
 */
import { claimQueuePrefix } from '../adapters/queue/queue-owner.ts';
import { startSlaTimerWorker } from '../adapters/queue/sla-timer-queue.ts';
import { type StepWorker, startStepWorker } from '../adapters/queue/step-worker.ts';
import { abortConfirmed, executeStep } from '../flows/execute-step.ts';
import { reconcile } from '../flows/reconcile.ts';
import { fireSlaTimer, sweepSlaTimers } from '../flows/sla-timers.ts';
import { defaultQueuePrefixFor } from './config.ts';
import type { Container } from './container.ts';

export interface RunningWorker {
  worker: StepWorker;
  close(): Promise<void>;
}

export async function startWorker(
  c: Container,
  options: { concurrency?: number; reconcileEveryMs?: number } = {},
): Promise<RunningWorker> {
  const log = c.deps.log.child({ component: 'worker' });
  const environment = c.config.runbook.environment.name;
  await claimQueuePrefix(c.redis, c.config.env.QUEUE_PREFIX, environment, defaultQueuePrefixFor(environment));
  const worker = await startStepWorker({
    connection: c.redis,
    prefix: c.config.env.QUEUE_PREFIX,
    concurrency: options.concurrency ?? c.config.runbook.queue.concurrency,
    lockDurationMs: c.config.runbook.queue.lock_duration,
    process: (job, attempt) => executeStep(c.deps, c.executors, job, attempt),
    confirmAbort: (job) => abortConfirmed(c.deps, job),
    log,
  });
  // SLA timers run here too: delayed jobs on their own queue, re-checked against Postgres when they fire.
  const timers = await startSlaTimerWorker({
    connection: c.redis,
    prefix: c.config.env.QUEUE_PREFIX,
    fire: (job) => fireSlaTimer(c.deps, job),
    log,
  });
  const sweep = async () => {
    try {
      const { enqueued, failed } = await reconcile(c.deps, c.executors);
      if (enqueued.length || failed.length) log.warn({ enqueued, failed }, 'reconciled steps with the queue');
      await sweepSlaTimers(c.deps);
    } catch (err) {
      log.error({ err }, 'reconcile failed');
    }
  };
  await sweep();
  const timer = setInterval(sweep, options.reconcileEveryMs ?? 15_000);
  timer.unref();
  return {
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
      await timers.close();
    },
  };
}
