/**
 * Relays the timeline to Slack, whichever process wrote it (bot, worker, CLI): new events become
 * thread lines under the #incidents checklist (milestones also under #releases), and both
 * checklists are re-rendered. A burst of events goes out as one message per thread per tick, and
 * checklist updates are coalesced by the Chat adapter, so progress never floods Slack.
 *
 * Delivery is per channel and per event (pg-chat-cursor.ts): each thread gets every event it
 * shows exactly once, in order, and is marked batch by batch only after Slack took it — a
 * channel Slack rate-limits (or that isn't announced yet) waits on its own, without re-sending
 * or holding up the other's lines. A crash re-sends, never loses.
 */
import type { Logger } from 'pino';
import type { ChatCursor, OwedThread, RelayChannel } from '../../adapters/db/pg-chat-cursor.ts';
import { isMilestone } from '../../adapters/slack/thread-lines.ts';
import type { RunbookConfig } from '../../config/schema.ts';
import type { TimelineEvent } from '../../domain/incident.ts';
import type { IncidentObserver, IncidentStore } from '../../flows/ports.ts';
import { checklistMessage } from './checklist-message.ts';
import type { SlackServices } from './slack-services.ts';
import { postInBatches, REFUSAL_SETTLE_MS, settledPrefix } from './thread-batches.ts';

/**
 * Bookkeeping that would only be noise in a thread (the "started" line follows at once); an
 * automatic start is not: it says whose approval autopilot acted on.
 */
function quiet(e: TimelineEvent): boolean {
  return e.kind === 'step_queued' && !e.payload.autopilot;
}

/** What each thread shows: everything for responders, milestones for stakeholders. */
const SHOWS: Record<RelayChannel, (e: TimelineEvent) => boolean> = {
  incidents: (e) => !quiet(e),
  releases: isMilestone,
};
export interface ChecklistRelay extends IncidentObserver {
  /** Relays everything pending now (tests, shutdown). */
  tick(): Promise<void>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export function createChecklistRelay(deps: {
  slack: SlackServices;
  store: IncidentStore;
  cursor: ChatCursor;
  config: RunbookConfig;
  now: () => Date;
  log: Logger;
}): ChecklistRelay {
  const log = deps.log.child({ component: 'chat-relay' });
  let timer: NodeJS.Timeout | null = null;
  // A burst of changes (50 clicks, a rollout's progress) becomes one tick shortly after, instead
  // of a tick per change competing with the clicks for database connections.
  let pending: NodeJS.Timeout | null = null;
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = null;
      void tick();
    }, 50);
  };
  let running: Promise<void> | null = null;
  let again = false;

  /** Deliveries in flight, per thread: a slow (rate-limited) thread never holds up another. */
  const inFlight = new Map<string, Promise<void>>();

  /** One thread's owed events, in order, batch by batch; a failure leaves the rest owed. */
  async function deliver(thread: OwedThread): Promise<number> {
    const { incidentId, channel } = thread;
    const delivered = await deps.cursor.withClaim(thread, async (claim) => {
      const { chat: refs, drill } = (await deps.store.get(incidentId)).incident;
      // Not announced in this channel yet: its events wait for the checklist they belong under.
      if (!refs[channel] || claim.events.length === 0) return 0;
      const ready = channel === 'incidents' ? settledPrefix(claim.events, deps.now().getTime()) : claim.events;
      if (ready.length < claim.events.length) setTimeout(soon, REFUSAL_SETTLE_MS).unref();
      const chat = deps.slack.chat;
      const post = (text: string) =>
        channel === 'incidents' ? chat.postIncidentLine(refs, text) : chat.postMilestone(refs, text);
      let count = 0;
      try {
        // A drill keeps stakeholders' #releases thread quiet (issue 9 §4): its events are marked, not posted.
        await postInBatches(
          ready,
          drill && channel === 'releases' ? () => false : SHOWS[channel],
          post,
          async (ids) => {
            await claim.delivered(ids);
            count += ids.length;
          },
        );
      } catch (err) {
        // What Slack took is marked and committed with the claim; the rest is tried again next tick.
        log.error(
          { err, incidentId, channel },
          'could not relay the timeline to this Slack thread; retrying on the next tick',
        );
      }
      if (count > 0) {
        const only = { incidents: null, releases: null, [channel]: refs[channel] };
        const render = async () =>
          checklistMessage(await deps.store.get(incidentId), deps.config, deps.slack.roleResolver, deps.now());
        void deps.slack.chat
          .updateChecklist(incidentId, only, render)
          .catch((err) => log.error({ err, incidentId, channel }, 'checklist update failed'));
      }
      return count;
    });
    return delivered ?? 0;
  }

  function start(thread: OwedThread): void {
    const key = `${thread.incidentId}/${thread.channel}`;
    if (inFlight.has(key)) return;
    const run = deliver(thread)
      .then((count) => {
        // More may have arrived (or been left over a batch) while this one was out.
        if (count > 0) soon();
      })
      .catch((err) => log.error({ err, ...thread }, 'could not relay the timeline to Slack; retrying on the next tick'))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, run);
  }

  async function tickOnce(): Promise<void> {
    for (const thread of await deps.cursor.pending()) start(thread);
  }

  /** One look at what is owed at a time; a change during one schedules one more. */
  function tick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = tickOnce()
      .catch((err) => log.error({ err }, 'relay tick failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          void tick();
        }
      });
    return running;
  }

  async function settle(): Promise<void> {
    while (running || inFlight.size > 0) await Promise.allSettled([running, ...inFlight.values()]);
  }

  return {
    changed: soon,
    tick: async () => {
      await tick();
      await settle();
    },
    start(intervalMs = 1000) {
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (pending) clearTimeout(pending);
      await settle();
      await deps.slack.chat.flush();
    },
  };
}
