/**
 * PRODUCT.md: a P2 incident's restore SLA is also met by an approved forward-fix plan — this
 * step's rule, read from its plan and its approvals. domain/times.ts takes the time as an argument
 * (`forwardFixAt`), so the SLA arithmetic stays pure and knows nothing of this step.
 */
import type { Approval, StepRecord } from '../../../domain/incident.ts';
import { missingApprovals } from '../../../domain/step-actions.ts';
import { type StepId, stepDefinition } from '../../../domain/steps.ts';
import { forwardFixKindSchema } from './plan.ts';

/** When the last approval of a forward-fix plan (migration_revert's current attempt) was given, if complete. */
export function forwardFixApprovedAt(
  steps: ReadonlyMap<StepId, StepRecord>,
  approvals: readonly Approval[],
): Date | null {
  const rec = steps.get('migration_revert');
  if (!rec || !forwardFixKindSchema.safeParse(rec.output.plan).success) return null;
  const given = approvals.filter((a) => a.stepId === 'migration_revert' && a.attempt === rec.attempt);
  if (given.length === 0 || missingApprovals(stepDefinition('migration_revert'), given).length > 0) return null;
  return new Date(Math.max(...given.map((a) => a.at.getTime())));
}
