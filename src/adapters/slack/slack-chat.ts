/**
 * SlackChat: the Chat port over @slack/web-api. The WebClient comes from createSlackWebClient
 * (bounded retry, Retry-After honoured); this adapter adds per-incident update coalescing,
 * in-order thread lines, and Slack errors turned into ones a person can act on.
 *
 * Slack rate-limits posting per channel, and a WebClient answers a 429 by pausing its whole
 * request queue for the Retry-After. So each channel's messages (checklist, updates, thread) go
 * through that channel's own client: a 429 in #releases never holds up #incidents.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { UserFacingError } from '../../domain/errors.ts';
import type { ChatRef } from '../../domain/incident.ts';
import type { ModalView } from './block-kit.ts';
import { fitBlocks } from './block-limits.ts';
import type {
  ChannelKey,
  Chat,
  ChatMessage,
  ChecklistMessage,
  ChecklistRefs,
  ChecklistSource,
  ViewRef,
} from './chat-port.ts';
import { mapSlackError } from './slack-errors.ts';
import { createUpdateCoalescer } from './update-coalescer.ts';

export interface SlackChatOptions {
  client: WebClient;
  /** One client per channel for its messages (see above); `client` for both when absent. */
  channelClients?: Record<ChannelKey, WebClient>;
  /** slack.channels from rollback.yml. */
  channels: Record<ChannelKey, string>;
  /** Slack allows about one update per message per second. */
  coalesceMs?: number;
  logger?: Logger;
}

const CHANNEL_NAMES: Record<ChannelKey, string> = { incidents: '#incidents', releases: '#releases' };
const KEYS: readonly ChannelKey[] = ['incidents', 'releases'];

export function createSlackChat(options: SlackChatOptions): Chat {
  const { client, channels, logger } = options;
  const threads = new Map<string, Promise<unknown>>();
  const clientFor = (key: ChannelKey) => options.channelClients?.[key] ?? client;

  // One slot per incident and channel: a retried update in one channel doesn't re-send the other's.
  const coalescer = createUpdateCoalescer<{ key: ChannelKey; ref: ChatRef; source: ChecklistSource }>({
    windowMs: options.coalesceMs ?? 1000,
    send: async (slot, { key, ref, source }) => {
      const message = typeof source === 'function' ? await source() : source;
      try {
        await call(`while updating the checklist in ${CHANNEL_NAMES[key]}`, ref.channel, () =>
          clientFor(key).chat.update({
            channel: ref.channel,
            ts: ref.ts,
            text: message.text,
            blocks: fitBlocks(message.blocks),
          }),
        );
      } catch (err) {
        logger?.warn({ err, slot }, 'checklist update failed');
        throw err;
      }
    },
  });

  async function call<T>(doing: string, channel: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapSlackError(err, doing, channel ? { channel } : {});
    }
  }

  /** Thread lines keep their order per thread even when the caller doesn't await each one. */
  function inThread(key: ChannelKey, refs: ChecklistRefs, text: string): Promise<void> {
    const parent = refs[key];
    if (!parent) {
      return Promise.reject(
        new UserFacingError(
          'not_found',
          `The checklist was never posted in ${CHANNEL_NAMES[key]}, so its thread has nowhere to go: press Retry on "Announce the rollback".`,
        ),
      );
    }
    const threadKey = `${parent.channel}/${parent.ts}`;
    const post = (threads.get(threadKey) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() =>
        call(`while posting in the ${CHANNEL_NAMES[key]} thread`, parent.channel, () =>
          clientFor(key).chat.postMessage({
            channel: parent.channel,
            thread_ts: parent.ts,
            text,
            unfurl_links: false,
            unfurl_media: false,
          }),
        ),
      );
    threads.set(threadKey, post);
    void post.finally(() => threads.get(threadKey) === post && threads.delete(threadKey)).catch(() => undefined);
    return post.then(() => undefined);
  }

  return {
    async postChecklist(message: ChecklistMessage, opts = {}) {
      const blocks = fitBlocks(message.blocks);
      const results = await Promise.allSettled(
        KEYS.map(async (key): Promise<ChatRef> => {
          const existing = opts.existing?.[key];
          if (existing) return existing;
          const res = await call(`while posting the checklist in ${CHANNEL_NAMES[key]}`, channels[key], () =>
            clientFor(key).chat.postMessage({
              channel: channels[key],
              text: message.text,
              blocks,
              unfurl_links: false,
              unfurl_media: false,
            }),
          );
          const ref = { channel: res.channel ?? channels[key], ts: res.ts ?? '' };
          await opts.onPosted?.(key, ref);
          return ref;
        }),
      );
      const [incidents, releases] = results;
      if (incidents?.status === 'fulfilled' && releases?.status === 'fulfilled') {
        return { incidents: incidents.value, releases: releases.value };
      }
      throw combine(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])));
    },

    async updateChecklist(incidentId, refs, source) {
      const results = await Promise.allSettled(
        KEYS.flatMap((key) => {
          const ref = refs[key];
          return ref ? [coalescer.submit(`${incidentId}/${key}`, { key, ref, source })] : [];
        }),
      );
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (failed.length > 0) throw combine(failed);
    },

    postIncidentLine: (refs, text) => inThread('incidents', refs, text),
    postMilestone: (refs, text) => inThread('releases', refs, text),

    async postEphemeral(channel: string, user: string, message: ChatMessage) {
      await call('while answering you privately', channel, () =>
        client.chat.postEphemeral({
          channel,
          user,
          text: message.text,
          ...(message.blocks ? { blocks: fitBlocks(message.blocks) } : {}),
        }),
      );
    },

    async openView(triggerId: string, view: ModalView): Promise<ViewRef> {
      const res = await call('while opening the form', undefined, () =>
        client.views.open({ trigger_id: triggerId, view }),
      );
      return { viewId: res.view?.id ?? '', hash: res.view?.hash ?? '' };
    },

    async updateView(viewId: string, view: ModalView, hash?: string): Promise<ViewRef> {
      const res = await call('while updating the form', undefined, () =>
        client.views.update({ view_id: viewId, view, ...(hash ? { hash } : {}) }),
      );
      return { viewId: res.view?.id ?? viewId, hash: res.view?.hash ?? '' };
    },

    flush: () => coalescer.flush(),
  };
}

/** Both channels failing usually means two different fixes; say both. */
function combine(errors: unknown[]): unknown {
  const [first, second] = errors;
  if (first instanceof UserFacingError && second instanceof UserFacingError && first.message !== second.message) {
    return new UserFacingError(first.code, `${first.message}\n${second.message}`, {
      cause: first,
      transient: first.transient && second.transient,
    });
  }
  return first;
}
