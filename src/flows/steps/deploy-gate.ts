/**
 * The pause_deploys / resume_deploys executors: thin wrappers that give the GitHub flows their
 * checkpoint (the step's output) and refuse clearly when GitHub is not configured.
 */
import { UserFacingError } from '../../domain/errors.ts';
import type { StepContext, StepExecutor } from '../executor.ts';
import type { SourceControl } from '../ports.ts';
import { pauseDeploys, type PauseRecord } from './pause-deploys.ts';
import { resumeDeploys, type ResumeRecord } from './resume-deploys.ts';

function requireGitHub(sc: SourceControl | null, what: string): SourceControl {
  if (!sc) throw new UserFacingError('config_invalid', `cannot ${what}: GITHUB_TOKEN is not set. Set it (Actions read/write, Pull requests write) and Retry, or do it by hand and Skip with a reason`);
  return sc;
}

export function createPauseDeploys(deps: { sourceControl: SourceControl | null }): StepExecutor {
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
  };
}

export function createResumeDeploys(deps: { sourceControl: SourceControl | null }): StepExecutor {
  return {
    async run(ctx: StepContext) {
      const pause = ctx.snapshot.steps.get('pause_deploys');
      const record = pause?.output.record as PauseRecord | undefined;
      if (pause?.state === 'skipped' || !record) {
        return { outcome: 'succeeded', summary: 'Nothing to resume: pause_deploys changed nothing', output: { resumedAt: ctx.now().toISOString() } };
      }
      const sourceControl = requireGitHub(deps.sourceControl, 'resume deploys');
      const result = await resumeDeploys({
        sourceControl,
        record,
        previous: ctx.previous.resume as ResumeRecord | undefined,
        checkpoint: (r) => ctx.checkpoint({ resume: r }),
        progress: (m) => ctx.progress(m),
      });
      return { outcome: 'succeeded', summary: result.summary, output: { resume: result.record, resumedAt: ctx.now().toISOString() } };
    },
  };
}
