/**
 * The GitOps guard's hooks into the steps (pause_deploys, resume_deploys, revert_images,
 * capture_context): small functions the executors call, so the steps stay thin and the guard
 * lives in one place (src/flows/gitops/).
 */
import type { RunbookConfig } from '../../config/schema.ts';
import type { StepContext } from '../executor.ts';
import type { GitOpsControllers } from '../ports.ts';
import { describeInventory, takeInventory } from './inventory.ts';
import { type GitOpsPauseRecord, pauseGitOps } from './pause-gitops.ts';
import { gitopsPauseRecordSchema, gitopsResumeRecordSchema, readRecord } from './records.ts';
import { type GitOpsResumeRecord, planGitOpsResume, resumeGitOps } from './resume-gitops.ts';

const names = (config: RunbookConfig) => config.deployments.map((d) => d.name);

/** pause_deploys: pause the controllers first (they act within seconds; GitHub's deploys take minutes). */
export async function pauseGitOpsStep(
  gitops: GitOpsControllers | undefined,
  ctx: StepContext,
): Promise<{ record: GitOpsPauseRecord; summary: string } | null> {
  if (!gitops) return null;
  const result = await pauseGitOps({
    controllers: gitops,
    config: ctx.config.gitops,
    deployments: names(ctx.config),
    previous: readRecord(gitopsPauseRecordSchema, ctx.previous.gitops),
    checkpoint: (record) => ctx.checkpoint({ gitops: record }),
    progress: (m) => ctx.progress(m),
  });
  return result.record.entries.length > 0 || result.record.guard === 'off' ? result : { ...result, summary: '' };
}

/** The record pause_deploys kept, unless it was skipped. */
export function gitopsPauseRecord(ctx: StepContext): GitOpsPauseRecord | undefined {
  const pause = ctx.snapshot.steps.get('pause_deploys');
  return pause?.state === 'skipped' ? undefined : readRecord(gitopsPauseRecordSchema, pause?.output.gitops);
}

export async function planGitOpsResumeStep(
  gitops: GitOpsControllers | undefined,
  ctx: StepContext,
): Promise<string | null> {
  const record = gitopsPauseRecord(ctx);
  if (!gitops || !record || record.entries.length === 0) return null;
  const plan = await planGitOpsResume(gitops, record, ctx.incident.badVersion);
  return plan.lines.join('\n');
}

export async function resumeGitOpsStep(
  gitops: GitOpsControllers | undefined,
  ctx: StepContext,
): Promise<{ record: GitOpsResumeRecord; summary: string } | null> {
  const record = gitopsPauseRecord(ctx);
  if (!gitops || !record || record.entries.length === 0) return null;
  return resumeGitOps({
    controllers: gitops,
    record,
    badVersion: ctx.incident.badVersion,
    previous: readRecord(gitopsResumeRecordSchema, ctx.previous.gitops),
    checkpoint: (r) => ctx.checkpoint({ gitops: r }),
    progress: (m) => ctx.progress(m),
    now: ctx.now,
  });
}

/** capture_context and doctor: one line per Deployment; a read problem is reported, not fatal. */
export async function describeGitOps(gitops: GitOpsControllers | undefined, config: RunbookConfig): Promise<string[]> {
  if (!gitops) return [];
  try {
    const inventory = await takeInventory(gitops, names(config), config.gitops);
    if (inventory.controllers.length === 0) return [];
    const guard = config.gitops.guard ? [] : [`GitOps guard OFF: ${config.gitops.reason ?? ''}`];
    return [...describeInventory(inventory), ...guard];
  } catch (err) {
    return [`GitOps controllers not checked: ${err instanceof Error ? err.message : String(err)}`];
  }
}
