/**
 * Argo CD's own rollback (gitops.argocd.rollback: sync_revision): instead of patching images,
 * sync the Application to the Git revision its `status.history` recorded for the target release,
 * by writing the Application's `operation` (sync.revision, initiatedBy the bot), then follow
 * `status.operationState` until the sync finished. The synced revision is in
 * operationState.syncResult.revision and a new history entry; `status.sync.revision` stays Git's
 * head, so the Application reads OutOfSync afterwards — expected, and the summary says why.
 * Auto-sync must be off first (the guard in pause_deploys does that), or Argo CD syncs back.
 */
import { AppError, UserFacingError } from '../../domain/errors.ts';
import { argoAutoSyncOn, managerLabel, shortRevision } from '../../domain/gitops.ts';
import type { ArgoApplicationState, ArgoHistoryEntry, GitOpsControllers } from '../ports.ts';
import type { Controller } from './inventory.ts';

export interface SyncRevisionDeps {
  controllers: GitOpsControllers;
  app: Controller;
  target: string;
  /** When the target's images first ran, from the ReplicaSet history: a history entry deployed then is the target's. */
  targetSince?: Date;
  previous: { revision: string } | undefined;
  checkpoint(state: { revision: string }): Promise<void>;
  progress(message: string): Promise<void>;
  timeoutMs: number;
  signal: AbortSignal;
  pollMs?: number;
}

export const BOT_INITIATOR = 'rollback-commander';

/** The history entry of the target release: its tag as the revision or the source's targetRevision, else by time. */
export function revisionFor(
  history: readonly ArgoHistoryEntry[],
  target: string,
  targetSince?: Date,
): ArgoHistoryEntry | undefined {
  const byTag = [...history].reverse().find((h) => h.revision === target || h.targetRevision === target);
  if (byTag || !targetSince) return byTag;
  // The first entry deployed once the target's ReplicaSet existed (a minute's slack for clocks):
  // later entries are the releases that followed it.
  const since = targetSince.getTime() - 60_000;
  return history.find((h) => h.deployedAt !== undefined && new Date(h.deployedAt).getTime() >= since);
}

export async function syncToRevision(deps: SyncRevisionDeps): Promise<{ revision: string; summary: string }> {
  const { controllers, app: c, target } = deps;
  const ref = c.ref;
  if (ref.kind !== 'argocd') throw new AppError('internal', 'sync_revision needs an Argo CD Application');
  const label = managerLabel(ref);
  const app = await read(controllers, ref.namespace, ref.name, label);
  if (argoAutoSyncOn(app.automated)) {
    throw new UserFacingError(
      'prerequisite_unmet',
      `${label} still has auto-sync on: a sync to an older revision would be undone. Run pause_deploys first (it turns auto-sync off), then Retry`,
    );
  }
  let revision = deps.previous?.revision;
  if (!revision) {
    const entry = revisionFor(app.history, target, deps.targetSince);
    if (!entry) {
      const known =
        app.history
          .map((h) => `${shortRevision(h.revision)}${h.targetRevision ? ` (${h.targetRevision})` : ''}`)
          .join(', ') || 'none';
      throw new UserFacingError(
        'not_found',
        `${label} has no deployment of ${target} in its history (status.history: ${known}): sync it by hand (\`argocd app sync ${ref.name} --revision <sha>\`), or set gitops.argocd.rollback: images`,
      );
    }
    revision = entry.revision;
    await deps.checkpoint({ revision });
  }
  const done = (a: ArgoApplicationState) =>
    !a.operationInProgress && a.operationState?.revision === revision && a.operationState.phase === 'Succeeded';
  if (!done(app)) {
    if (!app.operationInProgress) {
      await deps.progress(`Asking ${label} to sync revision ${shortRevision(revision)} (${target})`);
      await controllers.syncApplication(ref.namespace, ref.name, revision, BOT_INITIATOR);
    }
    await waitForSync(deps, label, revision, done);
  }
  return {
    revision,
    summary: `${label} synced to ${shortRevision(revision)} (${target}); it reads OutOfSync now — expected: Argo CD still compares against Git's head, and its auto-sync stays off until resume_deploys`,
  };
}

async function waitForSync(
  deps: SyncRevisionDeps,
  label: string,
  revision: string,
  done: (a: ArgoApplicationState) => boolean,
): Promise<void> {
  const ref = deps.app.ref as { namespace: string; name: string };
  const deadline = Date.now() + deps.timeoutMs;
  for (;;) {
    if (deps.signal.aborted)
      throw new UserFacingError('aborted', `revert_images was aborted while ${label} was syncing`);
    const app = await read(deps.controllers, ref.namespace, ref.name, label);
    if (done(app)) return;
    const state = app.operationState;
    // Ours, once the `operation` is picked up: Argo CD clears it and writes operationState.
    if (!app.operationInProgress && state && ['Failed', 'Error'].includes(state.phase)) {
      throw new UserFacingError(
        'rollout_failed',
        `${label} could not sync ${shortRevision(revision)}: ${state.message ?? state.phase}. See \`argocd app get ${ref.name}\`, then Retry`,
      );
    }
    if (Date.now() > deadline)
      throw new UserFacingError('timeout', `${label} did not finish syncing ${shortRevision(revision)} in time`, {
        transient: true,
      });
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 200));
  }
}

async function read(
  controllers: GitOpsControllers,
  namespace: string,
  name: string,
  label: string,
): Promise<ArgoApplicationState> {
  const app = await controllers.getApplication(namespace, name);
  if (!app) throw new UserFacingError('not_found', `${label} no longer exists`);
  return app;
}
