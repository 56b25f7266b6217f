/**
 * Autopilot in words (issue 8): what it will do, for the /rollback modal, and what it does next
 * and waits for, for the checklist header.
 */
import { AUTOPILOT_STEPS, type AutopilotSettings, type AutopilotStatus } from '../../domain/autopilot.ts';
import { stepDefinition } from '../../domain/steps.ts';

const ROBOT = ':robot_face:';
const title = (id: Parameters<typeof stepDefinition>[0]) => `*${stepDefinition(id).title}*`;

const WHEN: Partial<Record<(typeof AUTOPILOT_STEPS)[number], string>> = {
  pause_deploys: 'at once',
  revert_images: 'on the captain’s target approval',
  resume_deploys: 'its plan, once validation is done',
};

/** The modal's promise: which steps start by themselves and which clicks stay with people. */
export function autopilotPlanText(settings: AutopilotSettings): string {
  const on = AUTOPILOT_STEPS.filter((id) => settings[id] && id !== 'resolve');
  if (on.length === 0 && !settings.resolve) {
    return `${ROBOT} *Autopilot* is off in rollback.yml: every step waits for its *Run* button.`;
  }
  const steps = on.map((id) => `${stepDefinition(id).title}${WHEN[id] ? ` (${WHEN[id]})` : ''}`).join(', ');
  const resolve = settings.resolve ? ' The captain’s *Approve* on resolve runs it.' : '';
  return (
    `${ROBOT} *Autopilot* starts by itself, as soon as each one's prerequisites hold: ` +
    `${steps || 'nothing'}.${resolve} ` +
    'People still approve the target and the resume plan, confirm manual checks and approve every database step. ' +
    'Untick below to run every step by hand.'
  );
}

export function autopilotStatusLine(status: AutopilotStatus): string {
  switch (status.state) {
    case 'off':
      return `${ROBOT} Autopilot is off for this incident: every step waits for its *Run* button.`;
    case 'halted':
      return (
        `${ROBOT} Autopilot stopped at ${title(status.stepId)}: *Retry* it once the cause is fixed ` +
        '(autopilot resumes from there), or *Skip…* it with a reason.'
      );
    case 'on':
      if (!status.next) return `${ROBOT} Autopilot has nothing left to start.`;
      return `${ROBOT} Autopilot next: ${title(status.next.stepId)}, waiting for ${status.next.waitsFor}.`;
  }
}
