/**
 * SLA timers as delayed BullMQ jobs on their own queue, so a long delay never sits in front of a
 * step and the step worker's lock settings don't apply. Delayed jobs live in Redis: they survive
 * a restart of every process. Ids are deterministic (incident, milestone, mark, due time) and
 * use '_' because BullMQ rejects ':' in custom ids.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SlaTimerJob, SlaTimerQueue } from '../../flows/ports.ts';

export const SLA_TIMER_QUEUE = 'sla-timers';

export function timerJobId(job: SlaTimerJob): string {
  return `sla_${job.incidentId}_${job.milestone}_${job.percent}_${new Date(job.dueAt).getTime()}`;
}

export interface BullmqSlaTimerQueue extends SlaTimerQueue {
  queue: Queue<SlaTimerJob>;
  close(): Promise<void>;
}

export function createSlaTimerQueue(options: { connection: Redis; prefix: string }): BullmqSlaTimerQueue {
  const queue = new Queue<SlaTimerJob>(SLA_TIMER_QUEUE, { connection: options.connection, prefix: options.prefix });
  // Without a listener BullMQ prints connection errors to the console; settleSlaTimers logs failures.
  queue.on('error', () => undefined);
  return {
    queue,
    async schedule(job, delayMs) {
      await queue.add(`${job.milestone}-${job.percent}`, job, {
        jobId: timerJobId(job),
        delay: Math.max(0, Math.round(delayMs)),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        // Kept a day so a resync re-adding a timer that already fired is a no-op, not a second notice.
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
    async pending(incidentId) {
      const jobs = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
      return jobs.filter((j) => j && (incidentId === undefined || j.data.incidentId === incidentId)).map((j) => j.data);
    },
    async cancel(job) {
      // 0 when the job is running right now: it re-checks the incident itself and will not notify.
      await queue.remove(timerJobId(job));
    },
    close: () => queue.close(),
  };
}

export interface SlaTimerWorker {
  worker: Worker<SlaTimerJob>;
  close(): Promise<void>;
}

export async function startSlaTimerWorker(options: {
  connection: Redis;
  prefix: string;
  fire(job: SlaTimerJob): Promise<'sent' | 'stale'>;
  log: Logger;
}): Promise<SlaTimerWorker> {
  const worker = new Worker<SlaTimerJob, 'sent' | 'stale'>(SLA_TIMER_QUEUE, async (job) => options.fire(job.data), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 4,
  });
  worker.on('error', (err) => options.log.error({ err }, 'SLA timer worker error'));
  worker.on('failed', (job, err) => options.log.error({ err, timer: job?.data }, 'SLA timer failed'));
  await worker.waitUntilReady();
  return { worker, close: () => worker.close() };
}
