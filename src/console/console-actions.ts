/**
 * A console click, as a flow call: the same step and incident commands, role checks, stale-button
 * check and timeline records as Slack's buttons and the CLI. Only drill mode gets here; the actor
 * is the person configured for the role picked in the page.
 */
import { z } from 'zod';
import { UserFacingError } from '../domain/errors.ts';
import { STEP_ACTIONS } from '../domain/step-actions.ts';
import { isStepId, ROLES, type Role, type StepId } from '../domain/steps.ts';
import { correctTimes } from '../flows/correct-times.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { abortIncident, markCritical } from '../flows/incident-commands.ts';
import { abortStep, approveStep, confirmStep, runStep, skipStep } from '../flows/step-commands.ts';

export const INCIDENT_ACTIONS = ['mark_critical', 'abort_incident', 'correct_times'] as const;

const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const ActionRequest = z
  .object({
    action: z.enum([...STEP_ACTIONS, ...INCIDENT_ACTIONS]),
    step: z.string().refine(isStepId, { message: 'unknown step id' }).optional(),
    as: z.enum(ROLES as [Role, ...Role[]]),
    /** The step version the page showed: a newer one means the button is out of date. */
    version: z.number().int().nonnegative().optional(),
    reason: z.string().max(2000).optional(),
    note: z.string().max(2000).optional(),
    target: z.string().max(200).optional(),
    impactStartedAt: isoTime.optional(),
    detectedAt: isoTime.optional(),
  })
  .strict()
  .refine((r) => (INCIDENT_ACTIONS as readonly string[]).includes(r.action) || r.step !== undefined, {
    message: 'a step action needs "step" (a step id, like "revert_images")',
    path: ['step'],
  });
export type ActionRequest = z.infer<typeof ActionRequest>;

/** Runs the action as `actor`; returns what happened, in a sentence. Refusals throw UserFacingError. */
export async function performAction(
  deps: FlowDeps,
  incidentId: string,
  req: ActionRequest,
  actor: string,
): Promise<string> {
  const step = req.step as StepId;
  const cmd = { incidentId, stepId: step, actor, expectedVersion: req.version };
  switch (req.action) {
    case 'run':
    case 'retry': {
      const job = await runStep(deps, cmd);
      return `queued ${job.stepId} (attempt ${job.attempt})`;
    }
    case 'approve': {
      const res = await approveStep(deps, { ...cmd, target: req.target || undefined });
      if (res.applying) return `approved ${step}: every approval is in, applying the approved plan`;
      return res.complete
        ? `approved ${step}`
        : `approval recorded for ${step}; one more, from a different person, is needed`;
    }
    case 'confirm':
      await confirmStep(deps, { ...cmd, note: req.note });
      return `confirmed ${step}`;
    case 'skip':
      await skipStep(deps, { ...cmd, reason: req.reason ?? '' });
      return `skipped ${step}`;
    case 'abort':
      await abortStep(deps, { ...cmd, reason: req.reason });
      return `aborted ${step}`;
    case 'mark_critical':
      await markCritical(deps, { incidentId, actor, reason: req.reason ?? '' });
      return `${incidentId} is critical: the backup restore is offered`;
    case 'abort_incident':
      await abortIncident(deps, { incidentId, actor, reason: req.reason ?? '' });
      return `aborted incident ${incidentId}`;
    case 'correct_times': {
      if (!req.impactStartedAt && !req.detectedAt)
        throw new UserFacingError(
          'invalid_input',
          'say which time to correct: "impactStartedAt" and/or "detectedAt" (ISO 8601)',
        );
      const changes = await correctTimes(deps, {
        incidentId,
        actor,
        impactStartedAt: req.impactStartedAt,
        detectedAt: req.detectedAt,
      });
      return changes.length
        ? `corrected ${changes.map((e) => String(e.payload?.field)).join(' and ')}`
        : 'nothing changed: the times were already those';
    }
  }
}
