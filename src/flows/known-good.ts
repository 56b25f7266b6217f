/**
 * The bot's own record of known-good images: what an incident restored once the cutover was
 * verified, and what `mark-good` saw running. select_release proposes from it first. Only images
 * still running as revert_images set them are recorded: if someone changed a Deployment since,
 * what was verified is not the target release, and recording it would make it a future target.
 */
import type { RunbookConfig } from '../config/schema.ts';
import type { Deployments, IncidentSnapshot, IncidentStore } from './ports.ts';
import { readOutput } from './steps/_shared/step-output.ts';
import { revertImagesOutputSchema } from './steps/revert_images/output.ts';

export type RecordResult = { recorded: true } | { recorded: false; reason: string };

export async function recordRestoredImages(
  store: IncidentStore,
  snap: IncidentSnapshot,
  actor: string,
  at: Date,
  live?: { deployments: Deployments; config: RunbookConfig },
): Promise<RecordResult> {
  const after = restoredImages(snap);
  if (!after || !snap.incident.targetVersion) return { recorded: false, reason: 'revert_images set no images' };
  const changed = live ? await changedSinceRevert(live.deployments, live.config, after) : [];
  if (changed.length > 0) return { recorded: false, reason: changed.join('; ') };
  await store.recordKnownGood({
    environment: snap.incident.environment,
    version: snap.incident.targetVersion,
    images: after,
    source: `restored by incident ${snap.incident.id}`,
    recordedBy: actor,
    recordedAt: at,
  });
  return { recorded: true };
}

export function restoredImages(snap: IncidentSnapshot): Record<string, string> | undefined {
  return readOutput('revert_images', revertImagesOutputSchema, snap.steps.get('revert_images')?.output).after;
}

/** "api runs app:v9.9.9 (set by kubectl-set), not app:v1.2.2 as revert_images set it", per Deployment that differs. */
export async function changedSinceRevert(
  deployments: Deployments,
  config: RunbookConfig,
  after: Record<string, string>,
): Promise<string[]> {
  const changed: string[] = [];
  for (const d of config.deployments) {
    const expected = after[d.name];
    if (expected === undefined) continue;
    const live = (await deployments.get(d.name)).containers.find((c) => c.container === d.container);
    if (live?.image === expected) continue;
    const by = live?.setBy ? ` (set by ${live.setBy})` : '';
    changed.push(`${d.name} runs ${live?.image ?? 'no such container'}${by}, not ${expected} as revert_images set it`);
  }
  return changed;
}

/** The plan's warning when the named target is a version an earlier incident rolled back away from. */
export function taintedWarning(version: string, incidentId: string): string {
  return `Warning: incident ${incidentId} rolled back away from ${version}; it is the target only because it was named: make sure it is good before approving.`;
}
