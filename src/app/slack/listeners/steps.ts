/** The checklist's step buttons, and the skip modal that asks for a reason. */
import type { App } from '@slack/bolt';
import {
  CALLBACK_IDS,
  parseButtonValue,
  STEP_ACTION_ID_PATTERN,
  stepActionFromActionId,
} from '../../../adapters/slack/action-ids.ts';
import { parseSkipSubmission, renderSkipModal } from '../../../adapters/slack/skip-modal.ts';
import { rolesFor } from '../../../domain/step-actions.ts';
import { stepDefinition } from '../../../domain/steps.ts';
import type { FlowDeps } from '../../../flows/deps.ts';
import { requireRole } from '../../../flows/refuse.ts';
import { abortStep, approveStep, confirmStep, runStep, skipStep } from '../../../flows/step-commands.ts';
import { type ActionArgs, guard, type ListenerKit, type ViewArgs } from './guard.ts';

type Clicked = { action_id?: string; value?: string };

export function registerStepActions(app: App, kit: ListenerKit, deps: FlowDeps): void {
  const answerOnce = ({ action, body }: ActionArgs) => {
    const { action_id: actionId, value } = action as Clicked;
    return `${body.user.id}|${actionId ?? ''}|${value ?? ''}`;
  };

  app.action(
    STEP_ACTION_ID_PATTERN,
    guard<ActionArgs>(kit, { name: 'step button', ack: 'first', answerOnce }, async ({ action, body }) => {
      const user = body.user.id;
      const kind = stepActionFromActionId((action as { action_id: string }).action_id);
      const button = parseButtonValue((action as Clicked).value);
      const cmd = {
        incidentId: button.incidentId,
        stepId: button.stepId,
        actor: user,
        expectedVersion: button.version,
      };
      switch (kind) {
        case 'run':
        case 'retry':
          return void (await runStep(deps, cmd));
        case 'approve':
          return void (await approveStep(deps, cmd));
        case 'confirm':
          return void (await confirmStep(deps, cmd));
        case 'abort':
          return void (await abortStep(deps, { ...cmd, reason: 'pressed Abort in Slack' }));
        case 'skip': {
          const at = { incidentId: button.incidentId, stepId: button.stepId, actor: user, action: 'skip' };
          await requireRole(deps, at, rolesFor('skip', stepDefinition(button.stepId)), `skip \`${button.stepId}\``);
          return void (await kit.chat.openView((body as { trigger_id: string }).trigger_id, renderSkipModal(button)));
        }
        default:
          throw new Error(`unknown checklist action ${(action as { action_id: string }).action_id}`);
      }
    }),
  );

  app.view(
    CALLBACK_IDS.skipModal,
    guard<ViewArgs>(
      kit,
      { name: 'skip modal', ack: 'outcome', errorField: 'skip_reason' },
      async ({ ack, body, view }) => {
        const submission = parseSkipSubmission(view as never);
        if (!submission.ok) return ack(submission.response);
        const s = submission.value;
        await skipStep(deps, {
          incidentId: s.incidentId,
          stepId: s.stepId,
          actor: body.user.id,
          reason: s.reason,
          expectedVersion: s.version,
        });
      },
    ),
  );
}
