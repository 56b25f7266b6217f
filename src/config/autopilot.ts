/**
 * rollback.yml `autopilot:` (issue 8): which steps start by themselves. Every step is on unless
 * turned off; `autopilot: false` keeps the whole runbook manual (every step waits for Run).
 */
import { z } from 'zod';
import { AUTOPILOT_STEPS, type AutopilotSettings, type AutopilotStepId } from '../domain/autopilot.ts';

const every = <T>(value: T) =>
  Object.fromEntries(AUTOPILOT_STEPS.map((id) => [id, value])) as Record<AutopilotStepId, T>;
const ALL_ON = every(true);
const ALL_OFF = every(false);
const STEPS = AUTOPILOT_STEPS.join(', ');

const perStep = z.strictObject(every(z.boolean().default(true)), {
  error: (issue) =>
    issue.code === 'unrecognized_keys'
      ? `${issue.keys.join(', ')} is not a step autopilot starts: use ${STEPS}`
      : undefined,
});

export const autopilotConfigSchema = z
  .union([z.boolean(), perStep], { error: `autopilot is true, false, or a map of steps to true/false (${STEPS})` })
  .default(true)
  .transform((v): AutopilotSettings => (v === true ? ALL_ON : v === false ? ALL_OFF : (v as AutopilotSettings)));
