/**
 * The `Chat` port: what the Slack side of the app (announcer, relay, listeners) needs from the
 * chat system. The flows never call it — they write the timeline, which the relay renders — so it
 * lives with its only implementation, SlackChat (slack-chat.ts).
 *
 * Error contract as in ports.ts: UserFacingError for what a person must fix (bot not in the
 * channel, wrong channel id, invalid token), AppError with transient: true for what a retry may fix.
 */
import type { ChatRef } from '../../domain/incident.ts';
import type { KnownBlock, ModalView } from './block-kit.ts';

export type ChannelKey = 'incidents' | 'releases';

/** The two checklist messages; same shape as Incident['chat'] (null until posted). */
export type ChecklistRefs = Record<ChannelKey, ChatRef | null>;

export interface ChatMessage {
  /** Notification text, also what screen readers and search see. */
  text: string;
  blocks?: KnownBlock[];
}

export interface ChecklistMessage extends ChatMessage {
  blocks: KnownBlock[];
}

/** Rendered when the update is sent, so a coalesced update always shows the newest state. */
export type ChecklistSource = ChecklistMessage | (() => ChecklistMessage | Promise<ChecklistMessage>);

export interface ViewRef {
  viewId: string;
  /** views.update with it fails if the view changed since (someone submitted meanwhile). */
  hash: string;
}

export interface Chat {
  /**
   * Posts the checklist in #incidents and #releases. Channels in `existing` are skipped, so a retry
   * after one channel failed doesn't post twice; `onPosted` runs as each one lands so the caller can
   * store its ref even if the other channel fails.
   */
  postChecklist(
    message: ChecklistMessage,
    options?: { existing?: ChecklistRefs; onPosted?: (channel: ChannelKey, ref: ChatRef) => void | Promise<void> },
  ): Promise<Record<ChannelKey, ChatRef>>;
  /**
   * Updates both checklist messages. Coalesced per incident: a burst becomes at most one
   * chat.update per message per window, and the last update given is the one shown. Resolves
   * once this update, or a newer one, is on both messages.
   */
  updateChecklist(incidentId: string, refs: ChecklistRefs, message: ChecklistSource): Promise<void>;
  /** A line in the #incidents thread (in order per thread). */
  postIncidentLine(refs: ChecklistRefs, text: string): Promise<void>;
  /** A line in the #releases thread, for stakeholders (in order per thread). */
  postMilestone(refs: ChecklistRefs, text: string): Promise<void>;
  postEphemeral(channel: string, user: string, message: ChatMessage): Promise<void>;
  openView(triggerId: string, view: ModalView): Promise<ViewRef>;
  updateView(viewId: string, view: ModalView, hash?: string): Promise<ViewRef>;
  /** Sends every pending coalesced update now and waits for them (shutdown, tests). */
  flush(): Promise<void>;
}
