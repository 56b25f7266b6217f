/**
 * The resume_deploys executor. Plan: what resuming would ship again (commits on the default branch
 * after the target tag, and migrations still in the repo), for the captain to read before
 * approving. Apply: undo exactly what pause_deploys recorded (resume-deploys.ts).
 */
import type { PlannedExecutor, StepContext } from '../../executor.ts';
import { planGitOpsResumeStep, resumeGitOpsStep } from '../../gitops/step-hooks.ts';
import type { GitOpsControllers, ReleaseDiffSource, SourceControl } from '../../ports.ts';
import { requireGitHub } from '../_shared/require-github.ts';
import { readOutput } from '../_shared/step-output.ts';
import { type PauseRecord, pauseGitHubOutputSchema } from '../pause_deploys/output.ts';
import { resumeDeploysOutputSchema } from './output.ts';
import { describeResume, resumeDeploys } from './resume-deploys.ts';

// GitHub's halves alone: the GitOps records are read (and undone) after GitHub, by gitops/step-hooks.ts.
const resumeRecordOnly = resumeDeploysOutputSchema.pick({ resume: true });

export function createResumeDeploys(deps: {
  sourceControl: (SourceControl & ReleaseDiffSource) | null;
  gitops?: GitOpsControllers;
}): PlannedExecutor {
  const pauseRecord = (ctx: StepContext): PauseRecord | undefined => {
    const pause = ctx.snapshot.steps.get('pause_deploys');
    return pause?.state === 'skipped'
      ? undefined
      : readOutput('pause_deploys', pauseGitHubOutputSchema, pause?.output).record;
  };
  return {
    async plan(ctx) {
      const record = pauseRecord(ctx);
      const undo = record ? describeUndo(record) : 'Nothing to undo: pause_deploys changed nothing.';
      const target = ctx.incident.targetVersion;
      let ships = 'What the default branch would ship was not checked (no target release, or GitHub not configured).';
      if (target && deps.sourceControl) {
        ships = await describeResume({
          sourceControl: deps.sourceControl,
          targetTag: target,
          defaultBranch: ctx.config.github.default_branch,
        });
      }
      // Issue 11: what each GitOps controller gets back, and what it will deploy when it resumes.
      const gitops = await planGitOpsResumeStep(deps.gitops, ctx);
      if (gitops) return { summary: `${undo} ${ships}\n${gitops}`, plan: { undo, ships, gitops } };
      return { summary: `${undo} ${ships}`, plan: { undo, ships } };
    },
    async apply(ctx) {
      const record = pauseRecord(ctx);
      let github: { summary: string; output: Record<string, unknown> } | null = null;
      if (record) {
        const sourceControl = requireGitHub(deps.sourceControl, 'resume deploys');
        const result = await resumeDeploys({
          sourceControl,
          record,
          previous: readOutput('resume_deploys', resumeRecordOnly, ctx.previous).resume,
          checkpoint: (r) => ctx.checkpoint({ resume: r }),
          progress: (m) => ctx.progress(m),
        });
        github = { summary: result.summary, output: { resume: result.record } };
      }
      // After GitHub: a controller kept paused (Git still at the bad release) fails the step, for a Retry.
      const gitops = await resumeGitOpsStep(deps.gitops, ctx);
      if (!github && !gitops)
        return {
          outcome: 'succeeded',
          summary: 'Nothing to resume: pause_deploys changed nothing',
          output: { resumedAt: ctx.now().toISOString() },
        };
      const summary = [github?.summary, gitops?.summary].filter(Boolean).join('; ');
      const output = {
        ...github?.output,
        ...(gitops ? { gitops: gitops.record } : {}),
        resumedAt: ctx.now().toISOString(),
      };
      return { outcome: 'succeeded', summary, output };
    },
  };
}

function describeUndo(record: PauseRecord): string {
  const workflows = record.workflows.filter((w) => w.disabledByUs).map((w) => w.workflow);
  const prs = record.pullRequests.map((p) => `#${p.number} (${p.mergeMethod.toLowerCase()})`);
  const parts = [
    workflows.length ? `re-enable ${workflows.join(', ')}` : null,
    prs.length ? `re-enable auto-merge on ${prs.join(', ')}` : null,
  ].filter(Boolean);
  return parts.length ? `Resuming will ${parts.join(' and ')}.` : 'Nothing to undo: pause_deploys changed nothing.';
}
