/**
 * Runbook: `kubectl set image deploy/<d> <c>=<repo>:<target>` for each Deployment, then
 * `kubectl rollout status --timeout=5m` — here all rollouts are watched in parallel. Images are
 * recorded before anything is patched (so the revert can be undone and a rerun after a crash
 * knows the original images); a Deployment already at the target is not patched again. The
 * target is pinned to the digest its ReplicaSet history recorded, when there is one; and the
 * watch fails at once if anyone else changes the images meanwhile, rather than follow their rollout.
 */

import type { DeploymentConfig } from '../../../config/schema.ts';
import { AppError, OutsideChangeError, UserFacingError, withContext } from '../../../domain/errors.ts';
import type { RunExecutor, StepContext } from '../../executor.ts';
import type { GitOpsInventory } from '../../gitops/inventory.ts';
import { checkGuard, explainOutsideChange } from '../../gitops/revert-guard.ts';
import { syncArgoApplications } from '../../gitops/revert-sync.ts';
import type { ContainerImage, Deployments, GitOpsControllers } from '../../ports.ts';
import { readOutput } from '../_shared/step-output.ts';
import { type RevertImagesOutput, revertImagesOutputSchema } from './output.ts';
import { describeRevertImage, type RevertImage, revertImage } from './revert-target.ts';

type Images = Record<string, string>;

export function createRevertImages(deps: { deployments: Deployments; gitops?: GitOpsControllers }): RunExecutor {
  return {
    async run(ctx) {
      const target = ctx.incident.targetVersion;
      if (!target)
        throw new UserFacingError(
          'prerequisite_unmet',
          'no target release is approved: approve `select_release` first',
        );
      // Issue 11: never patch under an active Argo CD / Flux controller (it would put the bad image back).
      const gitops = deps.gitops
        ? await checkGuard(
            deps.gitops,
            ctx.config.deployments.map((d) => d.name),
            ctx.config.gitops,
          )
        : null;
      const before = await recordBefore(deps.deployments, ctx);
      const synced =
        deps.gitops && gitops
          ? await syncArgoApplications(deps.gitops, gitops, deps.deployments, target, ctx)
          : {
              names: [] as string[],
              expected: {} as Record<string, ContainerImage[]>,
              summaries: [] as string[],
              revisions: {},
            };
      const picks: Record<string, RevertImage> = {};
      // Deployments Argo CD rolled back (sync_revision) run what its sync set: nothing to pick or patch.
      const patching = ctx.config.deployments.filter((d) => !synced.names.includes(d.name));
      for (const d of patching) {
        picks[d.name] = await pickImage(deps.deployments, d, target, ctx);
        await ctx.progress(describeRevertImage(d, target, picks[d.name]!), { deployment: d.name });
      }
      const after: Images = Object.fromEntries(patching.map((d) => [d.name, picks[d.name]!.image]));
      const patched = readOutput('revert_images', revertImagesOutputSchema, ctx.previous).patched ?? [];
      const expected: Record<string, ContainerImage[]> = {};
      for (const d of ctx.config.deployments) {
        if (synced.names.includes(d.name)) {
          expected[d.name] = synced.expected[d.name]!;
          after[d.name] = expected[d.name]!.find((c) => c.container === d.container)!.image;
          continue;
        }
        const result = await patchIfNeeded(deps.deployments, d, after[d.name]!, ctx);
        expected[d.name] = result.expected;
        if (result.patched) {
          patched.push(d.name);
          await ctx.checkpoint({ patched });
        }
      }
      await waitAll(deps.deployments, expected, ctx, gitops);
      const names = ctx.config.deployments.map((d) => d.name);
      const unchanged = names.filter((n) => before[n] === after[n]);
      const pinned = names.filter((n) => picks[n]?.digest);
      const mutable = names.filter((n) => picks[n] && !picks[n].digest);
      const pinning = [
        ...(pinned.length ? [`pinned by digest: ${pinned.join(', ')}`] : []),
        ...(mutable.length ? [`by mutable tag (no digest in the ReplicaSet history): ${mutable.join(', ')}`] : []),
      ].join('; ');
      const already = unchanged.length ? ` (${unchanged.join(', ')} already did)` : '';
      const digests = Object.fromEntries(names.map((n) => [n, picks[n]?.digest ?? null]));
      const argocd = synced.summaries.length ? `; ${synced.summaries.join('; ')}` : '';
      return {
        outcome: 'succeeded',
        summary: `${names.join(', ')} now run ${target}${already}; all rollouts complete${pinning ? `; ${pinning}` : ''}${argocd}`,
        output: {
          before,
          after,
          patched,
          unchanged,
          digests,
          ...(synced.names.length ? { argocdRevisions: synced.revisions } : {}),
        } satisfies RevertImagesOutput,
      };
    },
  };
}

/** The digest the history recorded for the target; the tag when there is none or the history can't be read. */
async function pickImage(
  deployments: Deployments,
  d: DeploymentConfig,
  target: string,
  ctx: StepContext,
): Promise<RevertImage> {
  try {
    return revertImage(d, target, await deployments.history(d.name));
  } catch (err) {
    // Not being able to pin must not block the revert: the tag is what the runbook uses anyway.
    ctx.log.warn({ err, deployment: d.name }, 'could not read the ReplicaSet history to pin the target digest');
    return revertImage(d, target, []);
  }
}

/** The images before the revert, recorded once: a rerun must not overwrite them with the target. */
async function recordBefore(deployments: Deployments, ctx: StepContext): Promise<Images> {
  const existing = readOutput('revert_images', revertImagesOutputSchema, ctx.previous).before;
  if (existing) return existing;
  const before: Images = {};
  for (const d of ctx.config.deployments) {
    const snap = await deployments.get(d.name);
    if (snap.paused) {
      throw new UserFacingError(
        'conflict',
        `deployment ${snap.namespace}/${d.name} is paused, so a new image would never roll out: run \`kubectl rollout resume deploy/${d.name} -n ${snap.namespace}\` first, then Retry`,
      );
    }
    const container = snap.containers.find((c) => c.container === d.container);
    if (!container) {
      throw new UserFacingError(
        'not_found',
        `deployment ${snap.namespace}/${d.name} has no container "${d.container}" (it has ${snap.containers.map((c) => c.container).join(', ')}): fix deployments[].container in rollback.yml`,
      );
    }
    before[d.name] = container.image;
  }
  await ctx.checkpoint({ before });
  return before;
}

/** Patches the container unless it already runs the image; returns the template images the bot then expects. */
async function patchIfNeeded(deployments: Deployments, d: DeploymentConfig, image: string, ctx: StepContext) {
  const snap = await deployments.get(d.name);
  const expected = snap.containers.map((c) => ({
    container: c.container,
    image: c.container === d.container ? image : c.image,
  }));
  if (snap.containers.find((c) => c.container === d.container)?.image === image) return { patched: false, expected };
  await ctx.progress(`${d.name}: set image ${d.container}=${image}`, { deployment: d.name });
  try {
    await deployments.setImages(d.name, [{ container: d.container, image }]);
  } catch (err) {
    throw withContext(`while setting the image of deployment ${d.name}`, err);
  }
  return { patched: true, expected };
}

/**
 * All rollouts in parallel; the first failure is reported with every Deployment's outcome. An
 * outside change to one Deployment stops the other waits at once: the revert as a whole is not
 * in effect, and a person must look before anything else happens.
 */
async function waitAll(
  deployments: Deployments,
  expected: Record<string, ContainerImage[]>,
  ctx: StepContext,
  gitops: GitOpsInventory | null,
): Promise<void> {
  const timeoutMs = ctx.config.rollout.timeout;
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  // Progress lines are written as the watches report them, without holding the watch up; the step
  // ends only after every one is recorded, so "successfully rolled out" is never lost or told after
  // the step's own result.
  const recording: Promise<void>[] = [];
  const results = await Promise.allSettled(
    ctx.config.deployments.map((d) =>
      deployments
        .waitForRollout(d.name, {
          timeoutMs,
          signal,
          expect: expected[d.name],
          onProgress: (p) => {
            recording.push(
              ctx
                .progress(p.message, { deployment: d.name, done: p.done })
                .catch((err) => ctx.log.warn({ err }, 'progress not recorded')),
            );
          },
        })
        .catch((err: unknown) => {
          if (err instanceof OutsideChangeError) stop.abort();
          throw err;
        }),
    ),
  );
  await Promise.all(recording);
  const failures = results
    .map((r, i) => ({ r, name: ctx.config.deployments[i]!.name }))
    .filter((x): x is { r: PromiseRejectedResult; name: string } => x.r.status === 'rejected');
  if (failures.length === 0) return;
  const outside = failures.filter((f) => f.r.reason instanceof OutsideChangeError);
  if (outside.length > 0) {
    const stopped = failures.filter((f) => !outside.includes(f)).map((f) => f.name);
    const also = stopped.length ? ` (stopped waiting for ${stopped.join(', ')} too)` : '';
    const messages = outside.map((f) => (f.r.reason as Error).message).join('; ');
    throw explainOutsideChange(new OutsideChangeError(`${messages}${also}`, { cause: outside[0]!.r.reason }), gitops);
  }
  const first = failures[0]!.r.reason as unknown;
  const detail = failures.map((f) => `${f.name}: ${(f.r.reason as Error).message}`).join('; ');
  const transient = failures.every((f) => f.r.reason instanceof AppError && f.r.reason.transient);
  throw new UserFacingError(
    first instanceof AppError ? first.code : 'rollout_failed',
    `rollout did not complete — ${detail}. Check \`kubectl describe deploy\` and the pods' events, then Retry (a Deployment already at the target is not patched again)`,
    { cause: first, transient },
  );
}
