/**
 * The GitOps half of resume_deploys: put back exactly what pause_deploys recorded (Argo CD's
 * `automated` as it was — prune off stays off; Flux's `suspend` as it was, with a reconcile
 * requested at once) — and, before the captain approves, say what each controller will deploy
 * when it resumes. The dangerous case: Git still points at the bad release (nothing was
 * committed since the pause), so resuming re-deploys it. The plan warns, and apply keeps that
 * controller paused until a revert commit lands (Retry hands it back then).
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { UserFacingError } from '../../domain/errors.ts';
import { describeArgoPolicy, managerLabel, shortRevision } from '../../domain/gitops.ts';
import type { GitOpsControllers } from '../ports.ts';
import { entryLabel, type GitOpsPauseEntry, type GitOpsPauseRecord } from './pause-gitops.ts';
import type { gitopsResumeRecordSchema } from './records.ts';

type Pausable = Exclude<GitOpsPauseEntry, { kind: 'helm' }>;

export interface GitOpsResumePlan {
  lines: string[];
  /** Controllers whose Git still points at the bad release (kept paused by apply). */
  held: string[];
}

const toResume = (record: GitOpsPauseRecord) =>
  record.entries.filter((e): e is Pausable => e.kind !== 'helm' && e.pausedByUs);

export const BAD_REVISION_WARNING = 'Git still points at the bad release';

export async function planGitOpsResume(
  controllers: GitOpsControllers,
  record: GitOpsPauseRecord,
  badVersion: string,
): Promise<GitOpsResumePlan> {
  const lines: string[] = [];
  const held: string[] = [];
  if (record.guard === 'off') {
    const left = record.entries.map(entryLabel).join(', ');
    return {
      lines: [
        `GitOps guard was off (${record.reason ?? 'no reason given'}): the bot paused nothing of ${left}, so it restores nothing`,
      ],
      held,
    };
  }
  for (const e of record.entries) {
    if (e.kind === 'helm') {
      lines.push(
        `${entryLabel(e)} (${e.deployments.join(', ')}): nothing to restore — the next \`helm upgrade\` sets the images from the chart's values; make sure they no longer say ${badVersion}`,
      );
    } else if (!e.pausedByUs) {
      lines.push(`${entryLabel(e)}: was already paused before the incident, stays as it is`);
    } else if (e.kind === 'argocd') {
      const line = await planArgo(controllers, e, badVersion);
      lines.push(line.text);
      if (line.bad) held.push(entryLabel(e));
    } else {
      const flux = await controllers.getFlux(e.kind, e.namespace, e.name);
      const last = flux?.lastAppliedRevision ? ` (last applied ${flux.lastAppliedRevision})` : '';
      lines.push(
        `${entryLabel(e)}: resume and reconcile now — it applies what its source holds now${last}; make sure that is not ${badVersion}`,
      );
    }
  }
  return { lines, held };
}

async function planArgo(
  controllers: GitOpsControllers,
  e: Extract<Pausable, { kind: 'argocd' }>,
  badVersion: string,
): Promise<{ text: string; bad: boolean }> {
  const app = await controllers.getApplication(e.namespace, e.name);
  const restore = `${entryLabel(e)}: ${describeArgoPolicy(e.prior)}`;
  if (!app) return { text: `${restore} — the Application is gone; nothing to restore`, bad: false };
  const head = app.syncRevision;
  const tracking = app.targetRevision ?? 'its target revision';
  const bad = (head !== undefined && head === e.revisionAtPause) || app.targetRevision === badVersion;
  if (bad) {
    return {
      text:
        `${restore}. *${BAD_REVISION_WARNING}:* ${tracking} is still at ${shortRevision(head)}, the revision it ran when deploys were paused, so resuming re-deploys ${badVersion}. ` +
        'The bot keeps its auto-sync off until a revert commit lands in Git: push the revert, then Retry resume_deploys to hand it back',
      bad,
    };
  }
  return {
    text: `${restore}. When it resumes it deploys ${tracking} at ${shortRevision(head)} (Git moved since the pause from ${shortRevision(e.revisionAtPause)})`,
    bad,
  };
}

export type GitOpsResumeRecord = z.output<typeof gitopsResumeRecordSchema>;

export interface ResumeGitOpsDeps {
  controllers: GitOpsControllers;
  record: GitOpsPauseRecord;
  badVersion: string;
  previous: GitOpsResumeRecord | undefined;
  checkpoint(record: GitOpsResumeRecord): Promise<void>;
  progress(message: string): Promise<void>;
  now(): Date;
}

/** Restores each controller (looking first: a re-run after a crash must not patch twice); throws when some stay held. */
export async function resumeGitOps(deps: ResumeGitOpsDeps): Promise<{ record: GitOpsResumeRecord; summary: string }> {
  const resume: GitOpsResumeRecord = { restored: [...(deps.previous?.restored ?? [])], held: [] };
  const plan = await planGitOpsResume(deps.controllers, deps.record, deps.badVersion);
  for (const e of toResume(deps.record)) {
    const label = entryLabel(e);
    if (resume.restored.includes(label)) continue;
    if (plan.held.includes(label)) {
      resume.held.push(label);
      continue;
    }
    await restoreOne(deps, e);
    resume.restored.push(label);
    await deps.checkpoint(structuredClone(resume));
  }
  await deps.checkpoint(structuredClone(resume));
  const summary = describeGitOpsResume(deps.record, resume);
  if (resume.held.length > 0) {
    const before = resume.restored.length ? `${summary}. ` : '';
    throw new UserFacingError(
      'conflict',
      `${before}Kept ${resume.held.join(', ')} paused: ${BAD_REVISION_WARNING}, so resuming would re-deploy ${deps.badVersion}. ` +
        'Land a revert commit in Git, then Retry resume_deploys to hand it back (or restore it by hand and Skip with a reason)',
    );
  }
  return { record: resume, summary };
}

async function restoreOne(deps: ResumeGitOpsDeps, e: Pausable): Promise<void> {
  if (e.kind === 'argocd') {
    const app = await deps.controllers.getApplication(e.namespace, e.name);
    if (!app || isDeepStrictEqual(app.automated, e.prior)) return;
    await deps.progress(`Restoring ${entryLabel(e)}: ${describeArgoPolicy(e.prior)}`);
    await deps.controllers.setArgoAutomated(e.namespace, e.name, e.prior, app.automated);
    return;
  }
  const flux = await deps.controllers.getFlux(e.kind, e.namespace, e.name);
  if (!flux || flux.suspend === e.prior) return;
  await deps.progress(
    `Resuming ${managerLabel({ kind: e.kind, namespace: e.namespace, name: e.name })} and requesting a reconcile now`,
  );
  // Flux reconciles on its interval; the annotation asks for one now (what `flux reconcile` does).
  await deps.controllers.setFluxSuspend(e.kind, e.namespace, e.name, e.prior, deps.now().toISOString());
}

export function describeGitOpsResume(record: GitOpsPauseRecord, resume: GitOpsResumeRecord): string {
  const restored = toResume(record).filter((e) => resume.restored.includes(entryLabel(e)));
  const parts = restored.map((e) =>
    e.kind === 'argocd'
      ? `${entryLabel(e)} back to ${describeArgoPolicy(e.prior)}`
      : `${entryLabel(e)} resumed, reconcile requested`,
  );
  return parts.length ? `Handed back ${parts.join('; ')}` : 'No GitOps controller to hand back';
}
