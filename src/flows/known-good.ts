/**
 * The bot's own record of known-good images: what an incident restored once the cutover was
 * verified, and what `mark-good` saw running. select_release proposes from it first.
 */
import type { IncidentSnapshot, IncidentStore } from './ports.ts';

export async function recordRestoredImages(store: IncidentStore, snap: IncidentSnapshot, actor: string, at: Date): Promise<void> {
  const revert = snap.steps.get('revert_images');
  const after = revert?.output.after as Record<string, string> | undefined;
  if (!after || !snap.incident.targetVersion) return;
  await store.recordKnownGood({
    environment: snap.incident.environment,
    version: snap.incident.targetVersion,
    images: after,
    source: `restored by incident ${snap.incident.id}`,
    recordedBy: actor,
    recordedAt: at,
  });
}

/** The plan's warning when the named target is a version an earlier incident rolled back away from. */
export function taintedWarning(version: string, incidentId: string): string {
  return `Warning: incident ${incidentId} rolled back away from ${version}; it is the target only because it was named: make sure it is good before approving.`;
}
