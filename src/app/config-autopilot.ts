/**
 * rollback.yml `autopilot:` (issue 8): which steps start by themselves. Every step is on unless
 * turned off; `autopilot: false` keeps the whole runbook manual (every step waits for Run).
 */
import { z } from 'zod';
import { AUTOPILOT_STEPS, type AutopilotSettings, type AutopilotStepId } from '../domain/autopilot.ts';

const ALL_ON = Object.fromEntries(AUTOPILOT_STEPS.map((id) => [id, true])) as Record<AutopilotStepId, boolean>;
const ALL_OFF = Object.fromEntries(AUTOPILOT_STEPS.map((id) => [id, false])) as Record<AutopilotStepId, boolean>;

const perStep = z.strictObject(
  Object.fromEntries(AUTOPILOT_STEPS.map((id) => [id, z.boolean().default(true)])) as Record<AutopilotStepId, z.ZodDefault<z.ZodBoolean>>,
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')} is not a step autopilot starts: use ${AUTOPILOT_STEPS.join(', ')}` : undefined) },
);

export const autopilotConfigSchema = z
  .union([z.boolean(), perStep], { error: `autopilot is true, false, or a map of steps to true/false (${AUTOPILOT_STEPS.join(', ')})` })
  .default(true)
  .transform((v): AutopilotSettings => (v === true ? ALL_ON : v === false ? ALL_OFF : (v as AutopilotSettings)));
