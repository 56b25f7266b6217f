/**
 * When BullMQ jobs are added (waiting), become active and finish, seen through QueueEvents
 * (started at '0-0', as API_NOTES advise, so nothing emitted before it was listening is
 * missed). Times are hrMs() at the moment the event reaches this process — taken the same way
 * for the bot's step queue and for the bare queue it is compared with.
 */
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../test/support/services.ts';
import { hrMs } from './support-http-client.ts';

type Kind = 'waiting' | 'active' | 'completed';

export interface JobWatch {
  /** hrMs() when the job's event arrived (at once if it already has). */
  when(kind: Kind, jobId: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function watchJobs(queue: string, prefix: string): Promise<JobWatch> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const events = new QueueEvents(queue, { connection, prefix, lastEventId: '0-0' });
  const seen: Record<Kind, Map<string, number>> = { waiting: new Map(), active: new Map(), completed: new Map() };
  const waiters = new Map<string, ((at: number) => void)[]>();
  const failures = new Map<string, string>();
  const mark = (kind: Kind, jobId: string) => {
    const at = hrMs();
    if (!seen[kind].has(jobId)) seen[kind].set(jobId, at);
    for (const w of waiters.get(`${kind}/${jobId}`) ?? []) w(seen[kind].get(jobId)!);
    waiters.delete(`${kind}/${jobId}`);
  };
  events.on('waiting', ({ jobId }) => mark('waiting', jobId));
  events.on('active', ({ jobId }) => mark('active', jobId));
  events.on('completed', ({ jobId }) => mark('completed', jobId));
  events.on('failed', ({ jobId, failedReason }) => failures.set(jobId, failedReason));
  await events.waitUntilReady();
  return {
    when(kind, jobId, timeoutMs = 20_000) {
      const at = seen[kind].get(jobId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          const why = failures.has(jobId) ? `it failed: ${failures.get(jobId)}` : 'no event came';
          reject(new Error(`job ${jobId} in ${prefix}:${queue} was never ${kind} within ${timeoutMs} ms (${why})`));
        }, timeoutMs);
        const list = waiters.get(`${kind}/${jobId}`) ?? [];
        list.push((t) => {
          clearTimeout(timer);
          resolve(t);
        });
        waiters.set(`${kind}/${jobId}`, list);
      });
    },
    async close() {
      await events.close();
      connection.disconnect();
    },
  };
}
