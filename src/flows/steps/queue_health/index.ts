/**
 * Runbook: `redis-cli -u "$REDIS_URL" LLEN agent:pending`. Healthy when the backlog is under the
 * configured threshold, or — a backlog that built up during the bad release — when it drains
 * over the sampling window: no sample above the first, and the last one lower. Every sample is
 * reported so the thread shows the trend, not a verdict alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import ms from 'ms';
import { UserFacingError, withContext } from '../../../domain/errors.ts';
import type { RunExecutor, StepContext } from '../../executor.ts';
import type { Backlog } from '../../ports.ts';

export type BacklogSample = { at: string; depth: number };

/** Draining: the backlog never grew past where it started, and ended lower. */
export function isDraining(samples: readonly BacklogSample[]): boolean {
  const first = samples[0];
  const last = samples.at(-1);
  return (
    samples.length >= 2 &&
    first !== undefined &&
    last !== undefined &&
    last.depth < first.depth &&
    samples.every((s) => s.depth <= first.depth)
  );
}

export function createQueueHealth(deps: { backlog: Backlog | null; backlogEnv: string }): RunExecutor {
  return {
    async run(ctx) {
      const key = ctx.config.target.backlog_key;
      const { threshold, window } = ctx.config.validation.queue_health;
      if (!deps.backlog) {
        throw new UserFacingError(
          'config_invalid',
          `cannot check the queue: ${deps.backlogEnv} is not set. Set it to the app's Redis URL and Retry, or check \`LLEN ${key}\` by hand and Skip with a reason`,
        );
      }
      const samples = await sample(ctx, deps.backlog, key);
      const trend = samples.map((s) => s.depth).join(' → ');
      const last = samples.at(-1)!;
      const output = { backlogKey: key, threshold, windowMs: window, samples };
      if (last.depth < threshold) {
        return {
          outcome: 'succeeded',
          summary: `${key} = ${last.depth}, under the threshold of ${threshold} (samples: ${trend})`,
          output: { ...output, verdict: 'under_threshold' },
        };
      }
      if (isDraining(samples)) {
        return {
          outcome: 'succeeded',
          summary: `${key} is draining: ${trend} over ${ms(window, { long: true })} (threshold ${threshold})`,
          output: { ...output, verdict: 'draining' },
        };
      }
      throw new UserFacingError(
        'upstream_error',
        `${key} is not healthy: ${last.depth} is at or over the threshold of ${threshold} and did not drain over ${ms(window, { long: true })} (samples: ${trend}). Check the consumers of ${key}, then Retry — or Skip with a reason`,
      );
    },
  };
}

/** Samples until one is under the threshold or the window is over. */
async function sample(ctx: StepContext, backlog: Backlog, key: string): Promise<BacklogSample[]> {
  const { threshold, window, interval } = ctx.config.validation.queue_health;
  const started = performance.now();
  const samples: BacklogSample[] = [];
  for (;;) {
    let depth: number;
    try {
      depth = await backlog.depth(key);
    } catch (err) {
      throw withContext(`while reading LLEN ${key} on the app's Redis`, err);
    }
    samples.push({ at: ctx.now().toISOString(), depth });
    const left = window - (performance.now() - started);
    if (depth < threshold || left <= 0) return samples;
    await ctx.progress(
      `${key} = ${depth} (threshold ${threshold}); sampling for up to ${Math.ceil(left / 1000)} s more`,
    );
    await sleep(Math.min(interval, left), undefined, { signal: ctx.signal }).catch(() => {
      throw new UserFacingError('aborted', 'the queue health check was aborted');
    });
  }
}
