/**
 * Correct the first bad request and the detection time (captain or SRE). The flow refuses an
 * impossible order with the reason, which shows under the field.
 */
import type { Incident } from '../../domain/incident.ts';
import { CALLBACK_IDS, CORRECT_TIMES_FIELDS as F } from './action-ids.ts';
import type { InputBlock, ModalView } from './block-kit.ts';
import { mrkdwn, plain } from './block-kit.ts';
import { dateTime, fieldErrors, type Submission, type ViewStateValues } from './view-state.ts';

function picker(id: string, label: string, initial: Date | null, hint: string): InputBlock {
  return {
    type: 'input',
    block_id: id,
    optional: true,
    label: plain(label),
    hint: plain(hint),
    element: {
      type: 'datetimepicker',
      action_id: id,
      ...(initial ? { initial_date_time: Math.floor(initial.getTime() / 1000) } : {}),
    },
  };
}

export function renderCorrectTimesModal(incident: Incident): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK_IDS.correctTimesModal,
    title: plain('Correct times'),
    submit: plain('Save'),
    close: plain('Cancel'),
    private_metadata: incident.id,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `Correct the times of *${incident.id}*. TTD, TTR and the SLA timers are recomputed; the change is in the timeline.`,
        ),
      },
      picker(
        F.impactStartedAt,
        'First bad request',
        incident.impactStartedAt,
        'When the first bad request happened (logs, Grafana).',
      ),
      picker(
        F.detectedAt,
        'Detected at',
        incident.detectedAt,
        'When the problem was detected; the SLA clocks start here.',
      ),
    ],
  };
}

export interface CorrectTimesSubmission {
  incidentId: string;
  impactStartedAt: Date | null;
  detectedAt: Date | null;
}

export function parseCorrectTimesSubmission(view: {
  private_metadata?: string;
  state?: { values?: ViewStateValues };
}): Submission<CorrectTimesSubmission> {
  const values = view.state?.values;
  const impactStartedAt = dateTime(values, F.impactStartedAt);
  const detectedAt = dateTime(values, F.detectedAt);
  if (!impactStartedAt && !detectedAt)
    return { ok: false, response: fieldErrors({ [F.detectedAt]: 'Set at least one of the two times.' }) };
  return { ok: true, value: { incidentId: view.private_metadata ?? '', impactStartedAt, detectedAt } };
}
