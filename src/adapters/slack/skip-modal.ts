/**
 * Skip needs a reason (PRODUCT.md role table): the Skip… button opens this modal; the reason
 * goes to the timeline, the thread and, for validation steps, the incident summary.
 */
import { stepDefinition } from '../../domain/steps.ts';
import { type ButtonValue, CALLBACK_IDS, encodeButtonValue, parseButtonValue, SKIP_FIELDS } from './action-ids.ts';
import type { KnownBlock, ModalView } from './block-kit.ts';
import { mrkdwn, plain } from './block-kit.ts';
import { fieldErrors, type Submission, text, type ViewStateValues } from './view-state.ts';

const REASON_MIN = 10;
const REASON_MAX = 500;

/** The button the user pressed travels in private_metadata, so the submission knows the step and version. */
export function renderSkipModal(button: ButtonValue): ModalView {
  const def = stepDefinition(button.stepId);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `Skip *${def.title}*? It will not run. Your reason is posted in the incident thread and kept in the timeline.`,
      ),
    },
  ];
  if (def.validation) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          'A skipped validation step still lets the incident count as restored; the summary says it was skipped and why.',
        ),
      ],
    });
  }
  blocks.push({
    type: 'input',
    block_id: SKIP_FIELDS.reason,
    label: plain('Why skip it?'),
    element: {
      type: 'plain_text_input',
      action_id: SKIP_FIELDS.reason,
      multiline: true,
      min_length: REASON_MIN,
      max_length: REASON_MAX,
      placeholder: plain('e.g. v1.4.0 shipped no migrations'),
    },
  });
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.skipModal,
    title: plain('Skip a step'),
    submit: plain('Skip step'),
    close: plain('Cancel'),
    private_metadata: encodeButtonValue(button),
    blocks,
  };
}

export interface SkipSubmission extends ButtonValue {
  reason: string;
}

/** Throws UserFacingError when private_metadata is not ours; field errors for a bad reason. */
export function parseSkipSubmission(view: {
  private_metadata?: string;
  state?: { values?: ViewStateValues };
}): Submission<SkipSubmission> {
  const button = parseButtonValue(view.private_metadata);
  const reason = text(view.state?.values, SKIP_FIELDS.reason);
  if (!reason || reason.length < REASON_MIN) {
    return {
      ok: false,
      response: fieldErrors({
        [SKIP_FIELDS.reason]: `Give a reason of at least ${REASON_MIN} characters: the postmortem will ask.`,
      }),
    };
  }
  if (reason.length > REASON_MAX) {
    return {
      ok: false,
      response: fieldErrors({
        [SKIP_FIELDS.reason]: `Keep the reason under ${REASON_MAX} characters; details can go in the thread.`,
      }),
    };
  }
  return { ok: true, value: { ...button, reason } };
}
