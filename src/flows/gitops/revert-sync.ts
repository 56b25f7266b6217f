/**
 * revert_images with gitops.argocd.rollback: sync_revision — the Deployments an Argo CD
 * Application manages are rolled back by syncing the Application to the target's revision
 * (sync-revision.ts) instead of patching their images; the rollout watch then follows them with
 * the images the sync set.
 */
import { UserFacingError } from '../../domain/errors.ts';
import { managerLabel } from '../../domain/gitops.ts';
import type { StepContext } from '../executor.ts';
import type { ContainerImage, Deployments, GitOpsControllers } from '../ports.ts';
import type { GitOpsInventory } from './inventory.ts';
import { argocdSyncStateSchema, readRecord } from './records.ts';
import { syncToRevision } from './sync-revision.ts';

export interface SyncedDeployments {
  names: string[];
  expected: Record<string, ContainerImage[]>;
  summaries: string[];
  revisions: Record<string, string>;
}

type SyncState = Record<string, { revision: string }>;

export async function syncArgoApplications(
  gitops: GitOpsControllers,
  inventory: GitOpsInventory,
  deployments: Deployments,
  target: string,
  ctx: StepContext,
): Promise<SyncedDeployments> {
  const none: SyncedDeployments = { names: [], expected: {}, summaries: [], revisions: {} };
  if (ctx.config.gitops.argocd.rollback !== 'sync_revision') return none;
  const apps = inventory.controllers.filter((c) => c.ref.kind === 'argocd');
  if (apps.length === 0) {
    throw new UserFacingError(
      'config_invalid',
      'gitops.argocd.rollback is sync_revision, but no configured Deployment is managed by an Argo CD Application: remove it (or set it to images) in rollback.yml, or check gitops.argocd.namespace and tracking_label',
    );
  }
  const state: SyncState = { ...readRecord(argocdSyncStateSchema, ctx.previous.argocdSync) };
  for (const app of apps) {
    const label = managerLabel(app.ref);
    const result = await syncToRevision({
      controllers: gitops,
      app,
      target,
      targetSince: await targetSince(deployments, ctx, app.deployments, target),
      previous: state[label],
      checkpoint: async (s) => {
        state[label] = s;
        await ctx.checkpoint({ argocdSync: { ...state } });
      },
      progress: (m) => ctx.progress(m),
      timeoutMs: ctx.config.rollout.timeout,
      signal: ctx.signal,
    });
    none.summaries.push(result.summary);
    none.revisions[label] = result.revision;
    for (const name of app.deployments) {
      none.names.push(name);
      none.expected[name] = await checkSynced(deployments, ctx, name, target, label);
    }
  }
  return none;
}

/** When the target's images first ran (its ReplicaSet's creation): matches a history entry by time. */
async function targetSince(
  deployments: Deployments,
  ctx: StepContext,
  names: string[],
  target: string,
): Promise<Date | undefined> {
  for (const name of names) {
    const d = ctx.config.deployments.find((x) => x.name === name);
    if (!d) continue;
    const history = await deployments.history(name).catch(() => []);
    const rs = history.find((r) =>
      r.images.some((i) => i.container === d.container && i.image === `${d.image}:${target}`),
    );
    if (rs?.createdAt) return new Date(rs.createdAt);
  }
  return undefined;
}

/** After the sync: the Deployment must run the target; its template images are what the rollout watch expects. */
async function checkSynced(
  deployments: Deployments,
  ctx: StepContext,
  name: string,
  target: string,
  label: string,
): Promise<ContainerImage[]> {
  const d = ctx.config.deployments.find((x) => x.name === name)!;
  const snap = await deployments.get(name);
  const image = snap.containers.find((c) => c.container === d.container)?.image ?? '';
  if (
    image !== `${d.image}:${target}` &&
    !image.startsWith(`${d.image}:${target}@`) &&
    !image.startsWith(`${d.image}@`)
  ) {
    throw new UserFacingError(
      'rollout_failed',
      `${label} synced, but deployment ${name} runs ${image}, not ${d.image}:${target}: the Git revision its history recorded is not ${target}. Sync the right revision by hand (argocd app sync --revision), or set gitops.argocd.rollback: images and Retry`,
    );
  }
  return snap.containers.map((c) => ({ container: c.container, image: c.image }));
}
