/** Runbook: "Capture timestamps for the first bad request and current backlog depth." */
import { UserFacingError, withContext } from '../../../domain/errors.ts';
import type { RunExecutor } from '../../executor.ts';
import type { Backlog } from '../../ports.ts';

export function createCaptureContext(deps: { backlog: Backlog | null; backlogEnv: string }): RunExecutor {
  return {
    async run(ctx) {
      const key = ctx.config.target.backlog_key;
      if (!deps.backlog) {
        throw new UserFacingError('config_invalid', `cannot read the backlog: ${deps.backlogEnv} is not set. Set it to the app's Redis URL (or Skip this step with a reason)`);
      }
      let depth: number;
      try {
        depth = await deps.backlog.depth(key);
      } catch (err) {
        throw withContext(`while reading LLEN ${key} on the app's Redis`, err);
      }
      const { impactStartedAt, detectedAt } = ctx.incident;
      const first = impactStartedAt ? impactStartedAt.toISOString() : 'not entered';
      return {
        outcome: 'succeeded',
        summary: `First bad request: ${first}; detected: ${detectedAt.toISOString()}; backlog ${key} = ${depth}`,
        output: { impactStartedAt: impactStartedAt?.toISOString() ?? null, detectedAt: detectedAt.toISOString(), backlogKey: key, backlogDepth: depth, capturedAt: ctx.now().toISOString() },
      };
    },
  };
}
