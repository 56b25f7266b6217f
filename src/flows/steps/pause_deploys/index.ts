/**
 * The pause_deploys executor: a thin wrapper that gives the GitHub flow (pause-deploys.ts) its
 * checkpoint (the step's output) and refuses clearly when GitHub is not configured.
 */
import type { RunExecutor } from '../../executor.ts';
import type { SourceControl } from '../../ports.ts';
import { requireGitHub } from '../_shared/require-github.ts';
import { pauseDeploys, type PauseRecord } from './pause-deploys.ts';
import { describePauseProgress } from './pause-progress.ts';

export function createPauseDeploys(deps: { sourceControl: SourceControl | null }): RunExecutor {
  return {
    async run(ctx) {
      const sourceControl = requireGitHub(deps.sourceControl, 'pause deploys');
      const { record, summary } = await pauseDeploys({
        sourceControl,
        workflows: ctx.config.github.deploy_workflows,
        previous: ctx.previous.record as PauseRecord | undefined,
        checkpoint: (r) => ctx.checkpoint({ record: r }),
        progress: (m) => ctx.progress(m),
        signal: ctx.signal,
      });
      return { outcome: 'succeeded', summary, output: { record, pausedAt: ctx.now().toISOString() } };
    },
    describeProgress: (output, config) =>
      output.pausedAt ? null : describePauseProgress(output.record as PauseRecord | undefined, config.github.deploy_workflows),
  };
}
