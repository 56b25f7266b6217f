/**
 * revert_images under GitOps: refuse to start while a detected controller could put the bad
 * release back, and when one changes a Deployment during the rollout anyway, say which one —
 * the rollout watch stops at once and nothing patches back (no tug of war).
 */
import type { GitOpsConfig } from '../../config/gitops.ts';
import { OutsideChangeError, UserFacingError } from '../../domain/errors.ts';
import { fieldManagersOf, managerLabel } from '../../domain/gitops.ts';
import type { GitOpsControllers } from '../ports.ts';
import { describeController, type GitOpsInventory, isActive, pauseByHand, takeInventory } from './inventory.ts';

/** What manages the Deployments; with the guard on, refuses (throws) while any of them is active. */
export async function checkGuard(
  controllers: GitOpsControllers,
  deployments: readonly string[],
  config: GitOpsConfig,
): Promise<GitOpsInventory> {
  const inventory = await takeInventory(controllers, deployments, config);
  if (!config.guard) return inventory;
  const active = inventory.controllers.filter(isActive);
  if (active.length === 0) return inventory;
  const what = active.map((c) => `${describeController(c)} (manages ${c.deployments.join(', ')})`).join('; ');
  const byHand = active.map((c) => pauseByHand(c)).join(', ');
  throw new UserFacingError(
    'prerequisite_unmet',
    `revert_images will not start while a GitOps controller is active: ${what} — it would put the bad release back during the rollout. ` +
      `Run pause_deploys (it pauses them and records their policy for resume_deploys), or pause by hand with ${byHand}, then Retry; ` +
      'to patch under an active controller anyway, set gitops: { guard: false, reason: "…" } in rollback.yml',
  );
}

/** An OutsideChangeError whose writer is a detected controller, re-worded to name the controller. */
export function explainOutsideChange(err: OutsideChangeError, inventory: GitOpsInventory | null): OutsideChangeError {
  const culprit = inventory?.controllers.find((c) =>
    fieldManagersOf(c.ref).some((m) => err.message.includes(`by ${m}`)),
  );
  if (!culprit) return err;
  const label = managerLabel(culprit.ref);
  return new OutsideChangeError(
    `${label} (manages ${culprit.deployments.join(', ')}) changed a Deployment during the revert: its reconciler put Git's image back, so the bot stopped rather than patch back and forth. ` +
      `Pause it (pause_deploys, or ${pauseByHand(culprit)}) and Retry revert_images. Details: ${err.message}`,
    { cause: err },
  );
}
