/**
 * Every Block Kit action_id, callback_id and block_id the bot uses (STYLE.md: one module, no
 * scattered literals), and the data a checklist button carries.
 */
import { z } from 'zod';
import { UserFacingError } from '../../domain/errors.ts';
import { STEP_ACTIONS, type StepAction } from '../../domain/step-actions.ts';
import { STEP_IDS, type StepId } from '../../domain/steps.ts';

/** One action_id per step action; the step itself travels in the button value. */
export const STEP_ACTION_IDS: Record<StepAction, string> = {
  run: 'step_run',
  retry: 'step_retry',
  approve: 'step_approve',
  confirm: 'step_confirm',
  skip: 'step_skip',
  abort: 'step_abort',
};

/** Matches every checklist button, for a single Bolt listener: `app.action(STEP_ACTION_ID_PATTERN, …)`. */
export const STEP_ACTION_ID_PATTERN = /^step_(run|retry|approve|confirm|skip|abort)$/;

export function stepActionFromActionId(actionId: string): StepAction | null {
  const match = STEP_ACTION_ID_PATTERN.exec(actionId);
  const action = match?.[1];
  return action && (STEP_ACTIONS as readonly string[]).includes(action) ? (action as StepAction) : null;
}

export const CALLBACK_IDS = {
  rollbackModal: 'rollback_start',
  skipModal: 'step_skip_reason',
  correctTimesModal: 'incident_correct_times',
} as const;

/** Incident-wide buttons under the checklist header; their value is the incident id. */
export const INCIDENT_ACTION_IDS = {
  correctTimes: 'incident_correct_times',
  markCritical: 'incident_mark_critical',
  export: 'incident_export',
} as const;

/**
 * Every action_id that is not one of ours (an old message from another version of the bot, a
 * hand-made payload), built from the ids above so a new button can't be answered twice.
 */
export const UNKNOWN_ACTION_ID_PATTERN = new RegExp(
  `^(?!(${[...Object.values(STEP_ACTION_IDS), ...Object.values(INCIDENT_ACTION_IDS)].join('|')})$).*`,
);

export const CORRECT_TIMES_FIELDS = { impactStartedAt: 'impact_started_at', detectedAt: 'detected_at' } as const;

/** block_id = action_id for every modal input, so `state.values[id][id]` reads each field. */
export const ROLLBACK_FIELDS = {
  badVersion: 'bad_version',
  targetVersion: 'target_version',
  proposal: 'target_proposal',
  severity: 'severity',
  trigger: 'trigger',
  issueUrl: 'issue_url',
  impactStartedAt: 'impact_started_at',
  detectedAt: 'detected_at',
  autopilot: 'autopilot',
  drill: 'drill',
} as const;

export const SKIP_FIELDS = { reason: 'skip_reason' } as const;

export function stepBlockId(stepId: StepId): string {
  return `step:${stepId}`;
}

export function stepActionsBlockId(stepId: StepId): string {
  return `step_actions:${stepId}`;
}

/**
 * What a checklist button carries. `version` is the StepRecord.version the message was rendered
 * at: a click on an older version is stale and must only answer with the current state.
 */
export interface ButtonValue {
  incidentId: string;
  stepId: StepId;
  version: number;
}

const buttonValueSchema = z
  .object({
    incidentId: z.string().min(1).max(100),
    stepId: z.enum(STEP_IDS),
    version: z.number().int().nonnegative(),
  })
  .strict();

export function encodeButtonValue(value: ButtonValue): string {
  return JSON.stringify({ incidentId: value.incidentId, stepId: value.stepId, version: value.version });
}

/** Throws UserFacingError('invalid_input') for anything that is not a value we rendered. */
export function parseButtonValue(raw: string | undefined): ButtonValue {
  let data: unknown;
  try {
    data = JSON.parse(raw ?? '');
  } catch {
    throw malformed('it is not JSON');
  }
  const parsed = buttonValueSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'unexpected shape');
  }
  return parsed.data;
}

function malformed(why: string): UserFacingError {
  return new UserFacingError(
    'invalid_input',
    `This button's data is not something Rollback Commander rendered (${why}), so nothing was done. Use the buttons on the latest checklist, or run \`/rollback status\`.`,
  );
}
