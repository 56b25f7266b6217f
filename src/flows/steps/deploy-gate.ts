/**
 * The pause_deploys / resume_deploys executors: thin wrappers that give the GitHub flows their
 * checkpoint (the step's output) and refuse clearly when GitHub is not configured.
 */
import { UserFacingError } from '../../domain/errors.ts';
import type { PlannedExecutor, RunExecutor, StepContext } from '../executor.ts';
import type { SourceControl } from '../ports.ts';
import { pauseDeploys, type PauseRecord } from './pause-deploys.ts';
import { describePauseProgress } from './pause-progress.ts';
import { describeResume, resumeDeploys, type ReleaseDiffSource, type ResumeRecord } from './resume-deploys.ts';

function requireGitHub(sc: SourceControl | null, what: string): SourceControl {
  if (!sc) throw new UserFacingError('config_invalid', `cannot ${what}: GITHUB_TOKEN is not set. Set it (Actions read/write, Pull requests write) and Retry, or do it by hand and Skip with a reason`);
  return sc;
}

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

/**
 * Plan: what resuming would ship again (commits on the default branch after the target tag, and
 * migrations still in the repo), for the captain to read before approving. Apply: undo exactly
 * what pause_deploys recorded.
 */
export function createResumeDeploys(deps: { sourceControl: (SourceControl & ReleaseDiffSource) | null }): PlannedExecutor {
  const pauseRecord = (ctx: StepContext) => {
    const pause = ctx.snapshot.steps.get('pause_deploys');
    return pause?.state === 'skipped' ? undefined : (pause?.output.record as PauseRecord | undefined);
  };
  return {
    async plan(ctx) {
      const record = pauseRecord(ctx);
      const undo = record ? describeUndo(record) : 'Nothing to undo: pause_deploys changed nothing.';
      const target = ctx.incident.targetVersion;
      let ships = 'What the default branch would ship was not checked (no target release, or GitHub not configured).';
      if (target && deps.sourceControl) {
        ships = await describeResume({ sourceControl: deps.sourceControl, targetTag: target, defaultBranch: ctx.config.github.default_branch });
      }
      return { summary: `${undo} ${ships}`, plan: { undo, ships } };
    },
    async apply(ctx) {
      const record = pauseRecord(ctx);
      if (!record) return { outcome: 'succeeded', summary: 'Nothing to resume: pause_deploys changed nothing', output: { resumedAt: ctx.now().toISOString() } };
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

function describeUndo(record: PauseRecord): string {
  const workflows = record.workflows.filter((w) => w.disabledByUs).map((w) => w.workflow);
  const prs = record.pullRequests.map((p) => `#${p.number} (${p.mergeMethod.toLowerCase()})`);
  const parts = [workflows.length ? `re-enable ${workflows.join(', ')}` : null, prs.length ? `re-enable auto-merge on ${prs.join(', ')}` : null].filter(Boolean);
  return parts.length ? `Resuming will ${parts.join(' and ')}.` : 'Nothing to undo: pause_deploys changed nothing.';
}
