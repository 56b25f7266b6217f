/** The incident's own buttons: correct the times (and its modal), mark critical, export. */
import type { App } from '@slack/bolt';
import { CALLBACK_IDS, INCIDENT_ACTION_IDS, UNKNOWN_ACTION_ID_PATTERN } from '../../../adapters/slack/action-ids.ts';
import { parseCorrectTimesSubmission, renderCorrectTimesModal } from '../../../adapters/slack/correct-times-modal.ts';
import { escapeMrkdwn, mention, truncate } from '../../../adapters/slack/formatting.ts';
import { rolesForIncident } from '../../../domain/step-actions.ts';
import { correctTimes } from '../../../flows/correct-times.ts';
import type { FlowDeps } from '../../../flows/deps.ts';
import { readExport } from '../../../flows/export-timeline.ts';
import { markCritical } from '../../../flows/incident-commands.ts';
import { requireRole } from '../../../flows/refuse.ts';
import { type ActionArgs, guard, type ListenerKit, tell, type ViewArgs } from './guard.ts';

const incidentOf = (action: unknown) => (action as { value?: string }).value ?? '';

export function registerIncidentActions(app: App, kit: ListenerKit, deps: FlowDeps): void {
  app.action(
    INCIDENT_ACTION_IDS.correctTimes,
    guard<ActionArgs>(kit, { name: 'correct_times', ack: 'first' }, async ({ action, body }) => {
      const incidentId = incidentOf(action);
      const snap = await deps.store.get(incidentId);
      const who = { incidentId, actor: body.user.id, action: 'correct_times' };
      await requireRole(deps, who, rolesForIncident('correct_times'), 'correct the incident times');
      await kit.chat.openView((body as { trigger_id: string }).trigger_id, renderCorrectTimesModal(snap.incident));
    }),
  );

  app.view(
    CALLBACK_IDS.correctTimesModal,
    guard<ViewArgs>(
      kit,
      { name: 'correct_times modal', ack: 'outcome', errorField: 'detected_at' },
      async ({ ack, body, view }) => {
        const submission = parseCorrectTimesSubmission(view as never);
        if (!submission.ok) return ack(submission.response);
        const s = submission.value;
        await correctTimes(deps, {
          incidentId: s.incidentId,
          actor: body.user.id,
          impactStartedAt: s.impactStartedAt ?? undefined,
          detectedAt: s.detectedAt ?? undefined,
        });
      },
    ),
  );

  app.action(
    INCIDENT_ACTION_IDS.markCritical,
    guard<ActionArgs>(kit, { name: 'mark_critical', ack: 'first' }, async ({ action, body }) => {
      const reason = 'marked critical in Slack (security exposure or data corruption)';
      await markCritical(deps, { incidentId: incidentOf(action), actor: body.user.id, reason });
    }),
  );

  app.action(
    INCIDENT_ACTION_IDS.export,
    guard<ActionArgs>(kit, { name: 'export', ack: 'first' }, async ({ action, body }) => {
      const incidentId = incidentOf(action);
      const { snap, markdown } = await readExport(deps, incidentId);
      const refs = snap.incident.chat;
      // Slack shows long messages poorly: the thread gets the start, the CLI prints it whole.
      const cut = truncate(markdown, 3500);
      const block = escapeMrkdwn(cut.replace(/```/g, "'''"));
      const whole = `\`rollback-commander export ${incidentId}\``;
      await kit.chat.postIncidentLine(
        refs,
        `Postmortem timeline requested by ${mention(body.user.id)} (whole: ${whole}):\n\`\`\`\n${block}\n\`\`\``,
      );
    }),
  );

  // Anything else someone manages to click (an old message from another version of the bot, a
  // hand-made payload) gets an answer rather than Bolt's silent timeout.
  app.action(
    UNKNOWN_ACTION_ID_PATTERN,
    guard<ActionArgs>(kit, { name: 'unknown action', ack: 'first' }, async ({ action, body }) => {
      const id = (action as { action_id?: string }).action_id ?? '?';
      kit.log.warn({ actionId: id, user: body.user.id }, 'unknown action');
      const channel = 'channel' in body ? body.channel?.id : undefined;
      const text = `Rollback Commander does not know the button \`${id}\`, so nothing was done. Use the buttons on the latest checklist, or run \`/rollback status\`.`;
      await tell(kit, channel, body.user.id, text);
    }),
  );
}
