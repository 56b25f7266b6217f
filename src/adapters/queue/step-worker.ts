/**
 * The BullMQ worker that runs step jobs. A worker killed mid-job leaves its lock to expire; BullMQ
 * marks the job stalled and runs it again, and executeStep resumes the same attempt. Aborts from
 * any process arrive on a Redis channel; Redis is not trusted to decide, so a message cancels the
 * local job (through its AbortSignal) only when Postgres confirms the step was aborted.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.ts';
import type { ExecuteResult, JobAttempt } from '../../flows/execute-step.ts';
import type { StepJob } from '../../flows/ports.ts';
import { abortChannel, STEP_QUEUE } from './bullmq-step-queue.ts';

export interface StepWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  process(job: StepJob, attempt: JobAttempt): Promise<ExecuteResult>;
  /** Asked before acting on an abort message: true only when Postgres says the step was aborted. */
  confirmAbort(job: StepJob): Promise<boolean>;
  log: Logger;
}

export interface StepWorker {
  worker: Worker;
  /** Stops taking jobs and waits for the running ones (SIGTERM). */
  close(): Promise<void>;
}

export async function startStepWorker(options: StepWorkerOptions): Promise<StepWorker> {
  // The jobs this process runs now, by id: what an abort message names.
  const running = new Map<string, StepJob>();
  const worker = new Worker<StepJob, ExecuteResult>(
    STEP_QUEUE,
    async (job, _token, signal) => {
      const attempt: JobAttempt = {
        tryNumber: job.attemptsMade + 1,
        maxTries: job.opts.attempts ?? 1,
        signal: signal ?? new AbortController().signal,
      };
      if (job.id) running.set(job.id, job.data);
      let result: ExecuteResult;
      try {
        result = await options.process(job.data, attempt);
      } catch (err) {
        // One a retry cannot fix (our own error, not transient): BullMQ fails the job at once
        // instead of running it again. Unknown errors may be passing: BullMQ retries those.
        if (err instanceof AppError && !err.transient) throw new UnrecoverableError(err.message);
        throw err;
      } finally {
        if (job.id) running.delete(job.id);
      }
      // A transient failure: throwing hands the retry (with backoff) to BullMQ.
      if (result === 'retry') throw new Error(`step ${job.data.stepId} failed transiently; BullMQ retries it`);
      return result;
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: Math.max(500, Math.floor(options.lockDurationMs / 2)),
      // A step may outlive several dying workers; the reconciler fails it visibly after that.
      maxStalledCount: 3,
    },
  );
  worker.on('error', (err) => options.log.error({ err }, 'step worker error'));
  worker.on('stalled', (jobId) => options.log.warn({ jobId }, 'step job stalled (its worker died); it runs again'));

  const subscriber = options.connection.duplicate();
  await subscriber.subscribe(abortChannel(options.prefix));
  subscriber.on('message', (_channel, jobId: string) => {
    const job = running.get(jobId);
    if (!job) return;
    options
      .confirmAbort(job)
      .then((confirmed) => {
        if (!confirmed)
          options.log.warn({ jobId }, 'ignored an abort message: Postgres does not say the step was aborted');
        else if (worker.cancelJob(jobId, 'aborted by a person')) options.log.info({ jobId }, 'step job aborted');
      })
      .catch((err: unknown) => options.log.error({ err, jobId }, 'could not check an abort message against Postgres'));
  });
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await subscriber.quit().catch(() => undefined);
    },
  };
}
