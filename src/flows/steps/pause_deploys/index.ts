/**
 * The pause_deploys executor: a thin wrapper that gives the GitHub flow (pause-deploys.ts) its
 * checkpoint (the step's output) and refuses clearly when GitHub is not configured.
 */
import type { RunExecutor } from '../../executor.ts';
import { describeGitOpsPauseProgress } from '../../gitops/pause-gitops.ts';
import { pauseGitOpsStep } from '../../gitops/step-hooks.ts';
import type { GitOpsControllers, SourceControl } from '../../ports.ts';
import { requireGitHub } from '../_shared/require-github.ts';
import { readOutput } from '../_shared/step-output.ts';
import { pauseDeploysOutputSchema, pauseGitHubOutputSchema } from './output.ts';
import { pauseDeploys } from './pause-deploys.ts';
import { describePauseProgress } from './pause-progress.ts';

export function createPauseDeploys(deps: {
  sourceControl: SourceControl | null;
  gitops?: GitOpsControllers;
}): RunExecutor {
  return {
    async run(ctx) {
      // The in-cluster controllers first (they undo a revert within seconds); a failure there
      // must not keep GitHub's deploys running, so it is raised after the GitHub side.
      let gitopsError: unknown;
      const gitops = await pauseGitOpsStep(deps.gitops, ctx).catch((err: unknown) => {
        gitopsError = err;
        return null;
      });
      const sourceControl = requireGitHub(deps.sourceControl, 'pause deploys');
      // The GitHub record alone: a GitOps record that does not parse fails the GitOps half, raised below.
      const previous = readOutput('pause_deploys', pauseGitHubOutputSchema, ctx.previous).record;
      const { record, summary } = await pauseDeploys({
        sourceControl,
        workflows: ctx.config.github.deploy_workflows,
        previous,
        checkpoint: (r) => ctx.checkpoint({ record: r }),
        progress: (m) => ctx.progress(m),
        signal: ctx.signal,
      });
      if (gitopsError) throw gitopsError;
      const all = gitops?.summary ? `${summary}; ${gitops.summary}` : summary;
      const gitopsOutput =
        gitops && (gitops.record.entries.length > 0 || gitops.record.guard === 'off') ? { gitops: gitops.record } : {};
      return {
        outcome: 'succeeded',
        summary: all,
        output: { record, ...gitopsOutput, pausedAt: ctx.now().toISOString() },
      };
    },
    describeProgress: (output, config) => {
      const recorded = readOutput('pause_deploys', pauseDeploysOutputSchema, output);
      if (recorded.pausedAt) return null;
      const gitops = describeGitOpsPauseProgress(recorded.gitops);
      const github = describePauseProgress(recorded.record, config.github.deploy_workflows);
      return gitops ? `GitOps: ${gitops}; GitHub: ${github}` : github;
    },
  };
}
