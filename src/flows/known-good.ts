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
