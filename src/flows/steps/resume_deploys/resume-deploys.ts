/**
 * resume_deploys: the undo of pause_deploys. Re-enables exactly the workflows pause disabled and
 * re-enables auto-merge on exactly the PRs it touched, each with its original merge method —
 * nothing else, so a workflow someone had disabled before the incident stays disabled.
 * Crash-safe like pause: intent is checkpointed before each auto-merge call, and a re-run trusts it.
 */
import { isAppError } from '../../../domain/errors.ts';
import type { AutoMergePullRequest, ReleaseDiffSource, SourceControl } from '../../ports.ts';
import { allOrFirstError, serialCheckpoint } from '../_shared/serial-checkpoint.ts';
import type { PauseRecord } from '../pause_deploys/output.ts';
import type { ResumedPullRequest, ResumeRecord } from './output.ts';

export interface ResumeDeps {
  sourceControl: SourceControl;
  record: PauseRecord;
  previous: ResumeRecord | undefined;
  checkpoint(record: ResumeRecord): Promise<void>;
  progress(message: string): Promise<void>;
}

export async function resumeDeploys(deps: ResumeDeps): Promise<{ record: ResumeRecord; summary: string }> {
  const resume: ResumeRecord = structuredClone(deps.previous ?? { workflows: [], pullRequests: [] });
  const save = serialCheckpoint(resume, deps.checkpoint);
  // Independent calls run at once (issue 8); each is recorded as it completes.
  const workflows = deps.record.workflows.filter((w) => w.disabledByUs && !resume.workflows.includes(w.workflow));
  await allOrFirstError(
    workflows.map(async (paused) => {
      // Look before acting, as pause does: a worker that died after GitHub enabled it but before
      // the checkpoint must not send the call again.
      if ((await deps.sourceControl.getWorkflow(paused.workflow)).state !== 'active') {
        await deps.progress(`Re-enabling workflow ${paused.workflow}`);
        await deps.sourceControl.enableWorkflow(paused.workflow);
      }
      resume.workflows.push(paused.workflow);
      await save();
    }),
  );
  await restoreAutoMerge(deps, resume, save);
  return { record: resume, summary: describeResumed(deps.record, resume) };
}

async function restoreAutoMerge(deps: ResumeDeps, resume: ResumeRecord, save: () => Promise<void>): Promise<void> {
  const settled = (nodeId: string): boolean =>
    resume.pullRequests.some((p) => p.nodeId === nodeId && p.outcome !== 'enabling');
  const todo = deps.record.pullRequests.filter((pr) => !settled(pr.nodeId));
  if (todo.length === 0) return;
  const current = await deps.sourceControl.listAutoMergePullRequests();
  const calls: { pr: AutoMergePullRequest; entry: ResumedPullRequest }[] = [];
  for (const paused of todo) {
    const pr: AutoMergePullRequest = { nodeId: paused.nodeId, number: paused.number, mergeMethod: paused.mergeMethod };
    const entry = resume.pullRequests.find((p) => p.nodeId === pr.nodeId);
    if (current.some((c) => c.nodeId === pr.nodeId)) {
      // On again: our call from before a crash (intent on record) or a person did it meanwhile.
      if (entry) entry.outcome = 'enabled';
      else resume.pullRequests.push({ ...pr, outcome: 'already_enabled' });
    } else if (entry) {
      calls.push({ pr, entry });
    } else {
      const intent: ResumedPullRequest = { ...pr, outcome: 'enabling' };
      resume.pullRequests.push(intent);
      calls.push({ pr, entry: intent });
    }
  }
  await save(); // every intent is on record before its call
  await allOrFirstError(calls.map(({ pr, entry }) => enableOne(deps, pr, entry, save)));
}

async function enableOne(
  deps: ResumeDeps,
  pr: AutoMergePullRequest,
  entry: ResumedPullRequest,
  save: () => Promise<void>,
): Promise<void> {
  await deps.progress(`Re-enabling auto-merge on #${pr.number} (${pr.mergeMethod.toLowerCase()})`);
  try {
    await deps.sourceControl.enableAutoMerge(pr);
    entry.outcome = 'enabled';
  } catch (err) {
    // A PR merged or closed during the incident is news for the captain, not a failed step.
    if (!isAppError(err) || (err.code !== 'conflict' && err.code !== 'not_found')) throw err;
    entry.outcome = 'not_enabled';
    entry.reason = err.message;
  }
  await save();
}

export function describeResumed(pause: PauseRecord, resume: ResumeRecord): string {
  const parts: string[] = [];
  parts.push(
    resume.workflows.length > 0
      ? `Re-enabled ${resume.workflows.join(', ')}`
      : 'No workflow to re-enable (pause disabled none)',
  );
  const leftAlone = pause.workflows.filter((w) => !w.disabledByUs).map((w) => `${w.workflow} (${w.priorState})`);
  if (leftAlone.length > 0) parts.push(`left ${leftAlone.join(', ')} disabled as before the incident`);
  const label = (p: ResumedPullRequest): string => `#${p.number} (${p.mergeMethod.toLowerCase()})`;
  const enabled = resume.pullRequests.filter((p) => p.outcome === 'enabled' || p.outcome === 'already_enabled');
  const refused = resume.pullRequests.filter((p) => p.outcome === 'not_enabled');
  if (enabled.length > 0) parts.push(`auto-merge back on ${enabled.map(label).join(', ')}`);
  for (const p of refused)
    parts.push(`auto-merge NOT re-enabled on ${label(p)}: ${p.reason} — enable it by hand if it should still merge`);
  if (pause.pullRequests.length === 0) parts.push('no auto-merge to restore');
  return parts.join('; ');
}

export interface DescribeResumeInput {
  sourceControl: ReleaseDiffSource;
  targetTag: string;
  defaultBranch: string;
  /** Files under this directory count as migrations (Supabase's layout by default). */
  migrationsDir?: string;
  /** Migration files migration_revert reverted: still in the branch means the next deploy re-applies them. */
  revertedMigrations?: string[];
}

const MAX_LISTED_COMMITS = 20;

/** For the captain before approving resume_deploys: what the default branch would ship again. */
export async function describeResume(input: DescribeResumeInput): Promise<string> {
  const { sourceControl, targetTag, defaultBranch } = input;
  const dir = `${(input.migrationsDir ?? 'supabase/migrations').replace(/\/+$/, '')}/`;
  const diff = await sourceControl.compare(targetTag, defaultBranch);
  const lines: string[] = [];
  if (diff.totalCommits === 0) {
    lines.push(`${defaultBranch} has no commits after ${targetTag}: resuming deploys ships nothing new.`);
  } else {
    lines.push(
      `If deploys resume, ${defaultBranch} ships ${diff.totalCommits} commit${diff.totalCommits === 1 ? '' : 's'} made after ${targetTag}:`,
    );
    for (const c of diff.commits.slice(0, MAX_LISTED_COMMITS)) {
      lines.push(`• ${c.sha.slice(0, 7)} ${firstLine(c.message)} — ${c.author}`);
    }
    const more = diff.totalCommits - Math.min(diff.commits.length, MAX_LISTED_COMMITS);
    if (more > 0) lines.push(`• … and ${more} more`);
  }
  // *.down.sql never runs on deploy; only the up migrations change the database.
  const migrations = diff.files.filter(
    (f) => f.filename.startsWith(dir) && !f.filename.endsWith('.down.sql') && f.status !== 'removed',
  );
  if (migrations.length > 0) {
    lines.push(
      `Migrations changed since ${targetTag} (they run on the next deploy): ${migrations.map((f) => `${f.filename} (${f.status})`).join(', ')}`,
    );
  }
  const stillThere: string[] = [];
  for (const path of input.revertedMigrations ?? []) {
    if ((await sourceControl.getFileContent(path, defaultBranch)) !== null) stillThere.push(path);
  }
  if (stillThere.length > 0) {
    lines.push(
      `Reverted migration still in ${defaultBranch} — the next deploy applies it again unless it is removed or fixed forward: ${stillThere.join(', ')}`,
    );
  }
  return lines.join('\n');
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
}
