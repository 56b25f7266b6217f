/**
 * Bolt listeners: parse, authorize (through the flows), enqueue and answer. Every listener acks
 * first — Slack wants an answer within 3 s and a click must feel instant — and the work runs in
 * the worker. Known errors answer the user ephemerally; unknown ones get an error id that is
 * also in the log. Nothing is swallowed.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { parseButtonValue, STEP_ACTION_ID_PATTERN, stepActionFromActionId, CALLBACK_IDS, INCIDENT_ACTION_IDS, ROLLBACK_FIELDS } from '../../adapters/slack/action-ids.ts';
import { parseCorrectTimesSubmission, renderCorrectTimesModal } from '../../adapters/slack/correct-times-modal.ts';
import { correctTimes } from '../../flows/correct-times.ts';
import { exportTimeline } from '../../flows/export-timeline.ts';
import { markCritical } from '../../flows/incident-commands.ts';
import type { Chat } from '../../adapters/slack/chat-port.ts';
import { parseRollbackCommand } from '../../adapters/slack/command-parser.ts';
import { renderRollbackModal } from '../../adapters/slack/rollback-modal.ts';
import { parseRollbackSubmission } from '../../adapters/slack/rollback-submission.ts';
import { parseSkipSubmission, renderSkipModal } from '../../adapters/slack/skip-modal.ts';
import { isAppError } from '../../domain/errors.ts';
import { githubWebHost } from '../../domain/issue-links.ts';
import { mentionsAsText } from '../../domain/user-text.ts';
import { escapeMrkdwn, mention, truncate } from '../../adapters/slack/formatting.ts';
import { rolesFor, rolesForIncident } from '../../domain/step-actions.ts';
import { stepDefinition } from '../../domain/steps.ts';
import type { FlowDeps } from '../../flows/deps.ts';
import { requireRole } from '../../flows/refuse.ts';
import { abortStep, approveStep, confirmStep, runStep, skipStep } from '../../flows/step-commands.ts';
import { startRollback } from '../../flows/start-rollback.ts';
import { autopilotSettings } from '../../flows/autopilot.ts';
import { incidentLine } from '../text-report.ts';
import { createAnswerThrottle } from './answer-throttle.ts';
import type { ProposalJob } from './modal-proposals.ts';

export interface ListenerDeps {
  deps: FlowDeps;
  chat: Chat;
  proposals: { add(job: ProposalJob): Promise<unknown> };
  log: Logger;
}

/** Field errors under a modal input are plain text: mentions as @U…, within Slack's length. */
function fieldError(text: string): string {
  return truncate(mentionsAsText(text), 3000);
}

export function registerListeners(app: App, l: ListenerDeps): void {
  const { deps, chat } = l;
  const rules = { tagPattern: deps.config.github.tag_pattern, githubWebHost: deps.githubWebHost ?? githubWebHost() };
  const environment = { name: deps.config.environment.name, kubeContext: deps.config.environment.kube.context, namespace: deps.config.environment.kube.namespace };

  /** The text a person sees for an error: ours as written, anything else as an error id. */
  function explain(err: unknown, context: Record<string, unknown>): string {
    if (isAppError(err)) {
      l.log.info({ err, ...context }, 'refused or failed with a known error');
      return err.message;
    }
    const errorId = randomUUID().slice(0, 8);
    l.log.error({ err, errorId, ...context }, 'unexpected error in a Slack listener');
    return `Something went wrong (error id ${errorId}); nothing more was done. The bot's log has the details.`;
  }

  /**
   * After an ack, let the event loop read the requests already waiting before doing this one's
   * work: acks stay as quick as a bare app's when a burst arrives together.
   */
  const yieldToAcks = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** Every private answer is escaped here: error texts quote what people typed. */
  async function tell(channel: string | undefined, user: string, text: string): Promise<void> {
    if (!channel) return;
    await chat.postEphemeral(channel, user, { text: escapeMrkdwn(text) }).catch((err) => l.log.error({ err, channel, user }, 'could not answer ephemerally'));
  }

  app.command('/rollback', async ({ command, ack }) => {
    const parsed = parseRollbackCommand(command.text ?? '', rules);
    if (parsed.kind === 'help' || parsed.kind === 'invalid') return void (await ack({ response_type: 'ephemeral', text: escapeMrkdwn(parsed.message) }));
    if (parsed.kind === 'status') {
      const open = await deps.store.list({ openOnly: true, limit: 20 });
      const text = open.length ? `Open rollbacks:\n${open.map((i) => `• \`${incidentLine(i)}\``).join('\n')}` : 'No rollback is open.';
      return void (await ack({ response_type: 'ephemeral', text: escapeMrkdwn(text) }));
    }
    await ack();
    await yieldToAcks();
    const modal = { environment, autopilot: autopilotSettings(deps.config), now: deps.now(), badVersion: parsed.badVersion, targetVersion: parsed.targetVersion, severity: parsed.severity, issueUrl: parsed.issueUrl, privateMetadata: JSON.stringify({ channel: command.channel_id }) };
    try {
      const view = await chat.openView(command.trigger_id, renderRollbackModal(modal));
      await l.proposals.add({ viewId: view.viewId, modal: { ...modal, now: modal.now.toISOString() }, requestedTarget: parsed.targetVersion });
    } catch (err) {
      await tell(command.channel_id, command.user_id, explain(err, { command: '/rollback' }));
    }
  });

  app.view(CALLBACK_IDS.rollbackModal, async ({ ack, body, view }) => {
    const submission = parseRollbackSubmission(view.state.values as never, { now: deps.now(), ...rules });
    if (!submission.ok) return void (await ack(submission.response));
    const s = submission.value;
    try {
      // Opening the incident is a few ms of Postgres: do it before the ack so a refusal (a rollback
      // already open, no role) shows in the modal itself.
      await startRollback(deps, {
        badVersion: s.badVersion, target: s.targetVersion ?? undefined, severity: s.severity, trigger: s.trigger,
        issueUrl: s.issueUrl ?? undefined, impactStartedAt: s.impactStartedAt ?? undefined, detectedAt: s.detectedAt, actor: body.user.id,
        autopilot: s.autopilot, drill: s.drill,
      });
      await ack();
    } catch (err) {
      await ack({ response_action: 'errors', errors: { [ROLLBACK_FIELDS.badVersion]: fieldError(explain(err, { view: 'rollback' })) } });
    }
  });

  const answers = createAnswerThrottle();

  app.action(STEP_ACTION_ID_PATTERN, async ({ ack, action, body }) => {
    await ack();
    await yieldToAcks();
    const user = body.user.id;
    const channel = 'channel' in body ? body.channel?.id : undefined;
    try {
      const kind = stepActionFromActionId((action as { action_id: string }).action_id);
      const button = parseButtonValue((action as { value?: string }).value);
      const cmd = { incidentId: button.incidentId, stepId: button.stepId, actor: user, expectedVersion: button.version };
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
          return void (await chat.openView((body as { trigger_id: string }).trigger_id, renderSkipModal(button)));
        }
        default:
          throw new Error(`unknown checklist action ${(action as { action_id: string }).action_id}`);
      }
    } catch (err) {
      const { action_id: actionId, value } = action as { action_id?: string; value?: string };
      const text = explain(err, { action: actionId });
      if (answers.first(`${user}|${actionId ?? ''}|${value ?? ''}`)) await tell(channel, user, text);
    }
  });

  app.action(INCIDENT_ACTION_IDS.correctTimes, async ({ ack, action, body }) => {
    await ack();
    const channel = 'channel' in body ? body.channel?.id : undefined;
    try {
      const incidentId = (action as { value?: string }).value ?? '';
      const snap = await deps.store.get(incidentId);
      await requireRole(deps, { incidentId, actor: body.user.id, action: 'correct_times' }, rolesForIncident('correct_times'), 'correct the incident times');
      await chat.openView((body as { trigger_id: string }).trigger_id, renderCorrectTimesModal(snap.incident));
    } catch (err) {
      await tell(channel, body.user.id, explain(err, { action: 'correct_times' }));
    }
  });

  app.view(CALLBACK_IDS.correctTimesModal, async ({ ack, body, view }) => {
    const submission = parseCorrectTimesSubmission(view as never);
    if (!submission.ok) return void (await ack(submission.response));
    const s = submission.value;
    try {
      await correctTimes(deps, { incidentId: s.incidentId, actor: body.user.id, impactStartedAt: s.impactStartedAt ?? undefined, detectedAt: s.detectedAt ?? undefined });
      await ack();
    } catch (err) {
      await ack({ response_action: 'errors', errors: { detected_at: fieldError(explain(err, { view: 'correct_times' })) } });
    }
  });

  app.action(INCIDENT_ACTION_IDS.markCritical, async ({ ack, action, body }) => {
    await ack();
    const channel = 'channel' in body ? body.channel?.id : undefined;
    try {
      await markCritical(deps, { incidentId: (action as { value?: string }).value ?? '', actor: body.user.id, reason: 'marked critical in Slack (security exposure or data corruption)' });
    } catch (err) {
      await tell(channel, body.user.id, explain(err, { action: 'mark_critical' }));
    }
  });

  app.action(INCIDENT_ACTION_IDS.export, async ({ ack, action, body }) => {
    await ack();
    const channel = 'channel' in body ? body.channel?.id : undefined;
    try {
      const incidentId = (action as { value?: string }).value ?? '';
      const markdown = await exportTimeline(deps, incidentId);
      const refs = (await deps.store.get(incidentId)).incident.chat;
      // Slack shows long messages poorly: the thread gets the start, the CLI prints it whole.
      const cut = markdown.length > 3500 ? `${markdown.slice(0, 3500)}\n…` : markdown;
      const block = escapeMrkdwn(cut.replace(/```/g, "'''"));
      await chat.postIncidentLine(refs, `Postmortem timeline requested by ${mention(body.user.id)} (whole: \`rollback-commander export ${incidentId}\`):\n\`\`\`\n${block}\n\`\`\``);
    } catch (err) {
      await tell(channel, body.user.id, explain(err, { action: 'export' }));
    }
  });

  // Anything else someone manages to click (an old message from another version of the bot, a
  // hand-made payload) gets an answer rather than Bolt's silent timeout.
  app.action(/^(?!(step_(run|retry|approve|confirm|skip|abort)|incident_correct_times|incident_mark_critical|incident_export)$).*/, async ({ ack, action, body }) => {
    await ack();
    const channel = 'channel' in body ? body.channel?.id : undefined;
    const id = (action as { action_id?: string }).action_id ?? '?';
    l.log.warn({ actionId: id, user: body.user.id }, 'unknown action');
    await tell(channel, body.user.id, `Rollback Commander does not know the button \`${id}\`, so nothing was done. Use the buttons on the latest checklist, or run \`/rollback status\`.`);
  });

  app.view(CALLBACK_IDS.skipModal, async ({ ack, body, view }) => {
    try {
      const submission = parseSkipSubmission(view as never);
      if (!submission.ok) return void (await ack(submission.response));
      const s = submission.value;
      await skipStep(deps, { incidentId: s.incidentId, stepId: s.stepId, actor: body.user.id, reason: s.reason, expectedVersion: s.version });
      await ack();
    } catch (err) {
      await ack({ response_action: 'errors', errors: { skip_reason: fieldError(explain(err, { view: 'skip' })) } });
    }
  });
}
