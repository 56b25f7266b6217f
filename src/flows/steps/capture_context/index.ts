/** Runbook: "Capture timestamps for the first bad request and current backlog depth." */
import { UserFacingError, withContext } from '../../../domain/errors.ts';
import type { RunExecutor } from '../../executor.ts';
import { describeGitOps } from '../../gitops/step-hooks.ts';
import type { Backlog, GitOpsControllers } from '../../ports.ts';

export function createCaptureContext(deps: {
  backlog: Backlog | null;
  backlogEnv: string;
  gitops?: GitOpsControllers;
}): RunExecutor {
  return {
    async run(ctx) {
      const key = ctx.config.target.backlog_key;
      if (!deps.backlog) {
        throw new UserFacingError(
          'config_invalid',
          `cannot read the backlog: ${deps.backlogEnv} is not set. Set it to the app's Redis URL (or Skip this step with a reason)`,
        );
      }
      let depth: number;
      try {
        depth = await deps.backlog.depth(key);
      } catch (err) {
        throw withContext(`while reading LLEN ${key} on the app's Redis`, err);
      }
      const { impactStartedAt, detectedAt } = ctx.incident;
      const first = impactStartedAt ? impactStartedAt.toISOString() : 'not entered';
      // Who else deploys these Deployments (Argo CD, Flux, Helm), as found now: issue 11.
      const gitops = await describeGitOps(deps.gitops, ctx.config);
      const managed = gitops.length ? `; ${gitops.join('; ')}` : '';
      return {
        outcome: 'succeeded',
        summary: `First bad request: ${first}; detected: ${detectedAt.toISOString()}; backlog ${key} = ${depth}${managed}`,
        output: {
          ...(gitops.length ? { gitops } : {}),
          impactStartedAt: impactStartedAt?.toISOString() ?? null,
          detectedAt: detectedAt.toISOString(),
          backlogKey: key,
          backlogDepth: depth,
          capturedAt: ctx.now().toISOString(),
        },
      };
    },
  };
}
