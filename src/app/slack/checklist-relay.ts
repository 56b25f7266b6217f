/**
 * Relays the timeline to Slack, whichever process wrote it (bot, worker, CLI): new events become
 * thread lines under the #incidents checklist (milestones also under #releases), and both
 * checklists are re-rendered. A burst of events goes out as one message per thread per tick, and
 * checklist updates are coalesced by the Chat adapter, so progress never floods Slack. Events are
 * marked sent only after Slack took the lines: a crash re-sends, never loses.
 */
import type { Logger } from 'pino';
import type { ChatCursor } from '../../adapters/db/pg-chat-cursor.ts';
import { formatThreadLine, isMilestone } from '../../adapters/slack/thread-lines.ts';
import type { TimelineEvent } from '../../domain/incident.ts';
import type { IncidentObserver, IncidentStore } from '../../flows/ports.ts';
import type { RunbookConfig } from '../config-schema.ts';
import { checklistMessage } from './checklist-message.ts';
import type { SlackServices } from './slack-services.ts';

/**
 * Bookkeeping that would only be noise in a thread (the "started" line follows at once); an
 * automatic start is not: it says whose approval autopilot acted on.
 */
const quiet = (e: TimelineEvent) => e.kind === 'step_queued' && !e.payload.autopilot;
/** Slack shows up to 40 000 characters of text; keep a batch message readable. */
const MAX_MESSAGE = 3500;

export interface ChecklistRelay extends IncidentObserver {
  /** Relays everything pending now (tests, shutdown). */
  tick(): Promise<void>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export function createChecklistRelay(deps: { slack: SlackServices; store: IncidentStore; cursor: ChatCursor; config: RunbookConfig; now: () => Date; log: Logger }): ChecklistRelay {
  const log = deps.log.child({ component: 'chat-relay' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  async function relay(incidentId: string): Promise<void> {
    await deps.cursor.withClaim(incidentId, async (claim) => {
      if (claim.events.length === 0) return;
      const snap = await deps.store.get(incidentId);
      const refs = snap.incident.chat;
      // Not announced yet: the events wait for the checklist they belong under.
      if (!refs.incidents) return;
      await postBatches(claim.events.filter((e) => !quiet(e)), (text) => deps.slack.chat.postIncidentLine(refs, text));
      if (refs.releases) await postBatches(claim.events.filter(isMilestone), (text) => deps.slack.chat.postMilestone(refs, text));
      await claim.done(claim.events.map((e) => e.id));
      const render = async () => checklistMessage(await deps.store.get(incidentId), deps.config, deps.slack.roleResolver, deps.now());
      void deps.slack.chat.updateChecklist(incidentId, refs, render).catch((err) => log.error({ err, incidentId }, 'checklist update failed'));
    });
  }

  async function tickOnce(): Promise<void> {
    for (const incidentId of await deps.cursor.pending()) {
      try {
        await relay(incidentId);
      } catch (err) {
        log.error({ err, incidentId }, 'could not relay the timeline to Slack; retrying on the next tick');
      }
    }
  }

  /** One tick at a time; a change during a tick schedules one more. */
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

  // A burst of changes (50 clicks, a rollout's progress) becomes one tick shortly after, instead
  // of a tick per change competing with the clicks for database connections.
  let pending: NodeJS.Timeout | null = null;
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = null;
      void tick();
    }, 50);
  };

  return {
    changed: soon,
    tick: async () => {
      await tick();
      while (running) await running;
    },
    start(intervalMs = 1000) {
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (pending) clearTimeout(pending);
      while (running) await running;
      await deps.slack.chat.flush();
    },
  };
}

async function postBatches(events: TimelineEvent[], post: (text: string) => Promise<void>): Promise<void> {
  let batch = '';
  for (const line of events.map(formatThreadLine)) {
    if (batch && batch.length + line.length + 1 > MAX_MESSAGE) {
      await post(batch);
      batch = '';
    }
    batch = batch ? `${batch}\n${line}` : line;
  }
  if (batch) await post(batch);
}
