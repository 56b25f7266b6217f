/** `/rollback …` and the rollback modal it opens. */
import type { App } from '@slack/bolt';
import { CALLBACK_IDS, ROLLBACK_FIELDS } from '../../../adapters/slack/action-ids.ts';
import { parseRollbackCommand } from '../../../adapters/slack/command-parser.ts';
import { escapeMrkdwn } from '../../../adapters/slack/formatting.ts';
import { renderRollbackModal } from '../../../adapters/slack/rollback-modal.ts';
import { parseRollbackSubmission } from '../../../adapters/slack/rollback-submission.ts';
import { githubWebHost } from '../../../domain/issue-links.ts';
import { autopilotSettings } from '../../../flows/autopilot.ts';
import type { FlowDeps } from '../../../flows/deps.ts';
import { startRollback } from '../../../flows/start-rollback.ts';
import { incidentLine } from '../../text-report.ts';
import type { ProposalJob } from '../modal-proposals.ts';
import { type CommandArgs, guard, type ListenerKit, type ViewArgs, yieldToAcks } from './guard.ts';

export function registerRollback(
  app: App,
  kit: ListenerKit,
  deps: FlowDeps,
  proposals: { add(job: ProposalJob): Promise<unknown> },
): void {
  const rules = { tagPattern: deps.config.github.tag_pattern, githubWebHost: deps.githubWebHost ?? githubWebHost() };
  const { environment: env } = deps.config;
  const environment = { name: env.name, kubeContext: env.kube.context, namespace: env.kube.namespace };

  app.command(
    '/rollback',
    guard<CommandArgs>(kit, { name: '/rollback', ack: 'outcome' }, async ({ command, ack }) => {
      const parsed = parseRollbackCommand(command.text ?? '', rules);
      if (parsed.kind === 'help' || parsed.kind === 'invalid') {
        return ack({ response_type: 'ephemeral', text: escapeMrkdwn(parsed.message) });
      }
      if (parsed.kind === 'status') {
        const open = await deps.store.list({ openOnly: true, limit: 20 });
        const lines = open.map((i) => `• \`${incidentLine(i)}\``).join('\n');
        const text = open.length ? `Open rollbacks:\n${lines}` : 'No rollback is open.';
        return ack({ response_type: 'ephemeral', text: escapeMrkdwn(text) });
      }
      await ack();
      await yieldToAcks();
      const modal = {
        environment,
        autopilot: autopilotSettings(deps.config),
        now: deps.now(),
        badVersion: parsed.badVersion,
        targetVersion: parsed.targetVersion,
        severity: parsed.severity,
        issueUrl: parsed.issueUrl,
        privateMetadata: JSON.stringify({ channel: command.channel_id }),
      };
      const view = await kit.chat.openView(command.trigger_id, renderRollbackModal(modal));
      const job = {
        viewId: view.viewId,
        modal: { ...modal, now: modal.now.toISOString() },
        requestedTarget: parsed.targetVersion,
      };
      await proposals.add(job);
    }),
  );

  app.view(
    CALLBACK_IDS.rollbackModal,
    guard<ViewArgs>(
      kit,
      { name: 'rollback modal', ack: 'outcome', errorField: ROLLBACK_FIELDS.badVersion },
      async ({ ack, body, view }) => {
        const submission = parseRollbackSubmission(view.state.values as never, { now: deps.now(), ...rules });
        if (!submission.ok) return ack(submission.response);
        const s = submission.value;
        // Opening the incident is a few ms of Postgres: done before the ack so a refusal (a
        // rollback already open, no role) shows in the modal itself.
        await startRollback(deps, {
          badVersion: s.badVersion,
          target: s.targetVersion ?? undefined,
          severity: s.severity,
          trigger: s.trigger,
          issueUrl: s.issueUrl ?? undefined,
          impactStartedAt: s.impactStartedAt ?? undefined,
          detectedAt: s.detectedAt,
          actor: body.user.id,
          autopilot: s.autopilot,
          drill: s.drill,
        });
      },
    ),
  );
}
