/**
 * Incident milestones that follow from step outcomes, computed inside the same mutation that
 * commits the outcome — so `restored_at` is set whichever validation step finishes last, whether
 * it succeeded in the worker, was confirmed by a person or skipped by the captain.
 */
import { AUTOPILOT_ACTOR } from '../domain/autopilot.ts';
import type { StepRecord } from '../domain/incident.ts';
import type { StepId } from '../domain/steps.ts';
import { VALIDATION_STEPS, validationDone } from '../domain/times.ts';
import type { IncidentPatch, IncidentSnapshot, NewEvent } from './ports.ts';
import { readOutput } from './steps/_shared/step-output.ts';
import { resolveOutputSchema } from './steps/resolve/output.ts';

export interface MilestoneChange {
  incident: IncidentPatch;
  events: NewEvent[];
}

/** Under autopilot the captain's Approve is the run: the incident is resolved by that captain. */
function resolvedBy(snap: IncidentSnapshot, resolve: StepRecord): string {
  if (resolve.actor !== AUTOPILOT_ACTOR) return resolve.actor ?? 'rollback-commander';
  // A before_run approval is recorded on the attempt before the run it allowed: take the latest.
  const approval = snap.approvals.filter((a) => a.stepId === 'resolve').at(-1);
  return approval?.userId ?? AUTOPILOT_ACTOR;
}

/** What committing `changed` (the step records about to be written) adds to the incident. */
export function milestonesOnCommit(snap: IncidentSnapshot, changed: readonly StepRecord[], at: Date): MilestoneChange {
  const result: MilestoneChange = { incident: {}, events: [] };
  if (snap.incident.state !== 'open' || changed.length === 0) return result;
  const steps = new Map<StepId, StepRecord>(snap.steps);
  for (const s of changed) steps.set(s.stepId, s);

  const touchesValidation = changed.some((s) => VALIDATION_STEPS.includes(s.stepId));
  if (snap.incident.restoredAt === null && touchesValidation && validationDone(steps)) {
    const skipped = VALIDATION_STEPS.filter((id) => steps.get(id)?.state === 'skipped').map((id) => ({
      stepId: id,
      summary: steps.get(id)?.summary ?? null,
    }));
    result.incident.restoredAt = at;
    result.events.push({
      kind: 'app_restored',
      actor: 'rollback-commander',
      at,
      payload: { restoredAt: at.toISOString(), ttrMs: at.getTime() - snap.incident.detectedAt.getTime(), skipped },
    });
  }

  // The resolve executor builds the summary; the event goes out in the commit that closes the incident.
  const resolve = changed.find((s) => s.stepId === 'resolve' && s.state === 'succeeded');
  const resolution = resolve ? readOutput('resolve', resolveOutputSchema, resolve.output).resolution : undefined;
  if (resolution)
    result.events.push({ kind: 'incident_resolved', actor: resolvedBy(snap, resolve!), at, payload: resolution });
  return result;
}
