/**
 * The bot's own Postgres going away for a few seconds (restart, failover) is not a reason to fail
 * a step half-way through: a running step waits for it (bounded by `queue.database_wait`), then
 * carries on and says in the thread how long it waited. Past the bound it stops with that reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError, UserFacingError } from '../domain/errors.ts';
import type { FlowDeps } from './deps.ts';
import type { NewEvent, StepJob } from './ports.ts';

export async function waitForDatabase<R>(deps: FlowDeps, job: StepJob, call: () => Promise<R>): Promise<R> {
  const bound = deps.config.queue.database_wait;
  let since: number | null = null;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    try {
      const result = await call();
      if (since !== null) await reportBack(deps, job, Date.now() - since);
      return result;
    } catch (err) {
      if (!isAppError(err) || err.code !== 'database_unavailable') throw err;
      if (since === null) {
        since = Date.now();
        deps.log.warn(
          { job, err: err.message },
          `the bot's database is unreachable; the step waits up to ${Math.round(bound / 1000)} s`,
        );
      }
      if (Date.now() - since >= bound) {
        throw new UserFacingError(
          'database_unavailable',
          `${err.message} for over ${Math.round(bound / 1000)} s (queue.database_wait)`,
          { cause: err, transient: true },
        );
      }
      await sleep(delay);
    }
  }
}

async function reportBack(deps: FlowDeps, job: StepJob, waitedMs: number): Promise<void> {
  const seconds = Math.max(1, Math.round(waitedMs / 1000));
  deps.log.info({ job, waitedMs }, "the bot's database is back; the step carries on");
  const message = `the bot's database (Postgres) was unreachable for ${seconds} s; the step waited and carried on`;
  const event: NewEvent = {
    kind: 'step_progress',
    actor: 'rollback-commander',
    at: deps.now(),
    stepId: job.stepId,
    payload: { message },
  };
  try {
    await deps.store.append(job.incidentId, [event]);
  } catch (err) {
    deps.log.warn({ err, job }, 'could not record that the database came back');
  }
}
