/**
 * Bolt listeners: parse, authorize (through the flows), enqueue and answer. Every listener goes
 * through one wrapper (listeners/guard.ts) that acks first — Slack wants an answer within 3 s and
 * a click must feel instant — or, for a modal, acks with the outcome, and answers every error:
 * a UserFacingError's text as written, anything else as an error id that is also in the log.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Chat } from '../../adapters/slack/chat-port.ts';
import type { FlowDeps } from '../../flows/deps.ts';
import { createAnswerThrottle } from './answer-throttle.ts';
import type { ListenerKit } from './listeners/guard.ts';
import { registerIncidentActions } from './listeners/incident.ts';
import { registerRollback } from './listeners/rollback.ts';
import { registerStepActions } from './listeners/steps.ts';
import type { ProposalJob } from './modal-proposals.ts';

export interface ListenerDeps {
  deps: FlowDeps;
  chat: Chat;
  proposals: { add(job: ProposalJob): Promise<unknown> };
  log: Logger;
}

export function registerListeners(app: App, l: ListenerDeps): void {
  const answers = createAnswerThrottle();
  const kit: ListenerKit = { chat: l.chat, log: l.log, firstAnswer: (key) => answers.first(key) };
  registerRollback(app, kit, l.deps, l.proposals);
  registerStepActions(app, kit, l.deps);
  registerIncidentActions(app, kit, l.deps);
}
