/**
 * How the relay turns owed timeline events into thread messages: a burst goes out as a few
 * messages (lines joined up to MAX_MESSAGE), identical refused clicks share one counted line,
 * and each message is marked delivered, with the events it stands for, once Slack took it.
 */
import { formatThreadLine } from '../../adapters/slack/thread-lines.ts';
import type { TimelineEvent } from '../../domain/incident.ts';

/** Slack shows up to 40 000 characters of text; keep a batch message readable. */
const MAX_MESSAGE = 3500;
/**
 * A storm of identical refused clicks becomes one "refused ×N" line: refusals wait until none
 * came for this long, but a storm that goes on is not held back longer than REFUSAL_MAX_HOLD_MS.
 */
export const REFUSAL_SETTLE_MS = 1500;
const REFUSAL_MAX_HOLD_MS = 5000;

/**
 * What makes events one storm, for the kinds that come in storms (a person clicking a button that
 * keeps refusing: same person, step and action); null for the rest, each of which gets its line.
 */
function stormKey(e: TimelineEvent): string | null {
  return e.kind === 'action_refused' ? JSON.stringify([e.actor, e.stepId, e.payload.action]) : null;
}

/** The events to send now: everything before a refusal storm that is still going on. */
export function settledPrefix(events: TimelineEvent[], now: number): TimelineEvent[] {
  const refused = events.filter((e) => stormKey(e) !== null);
  const newest = refused.at(-1);
  if (!newest || now - newest.at.getTime() >= REFUSAL_SETTLE_MS) return events;
  const first = events.findIndex((e) => stormKey(e) !== null && now - e.at.getTime() < REFUSAL_MAX_HOLD_MS);
  return first < 0 ? events : events.slice(0, first);
}

interface Line {
  event: TimelineEvent;
  count: number;
  /** The events this line delivers: itself, the identical refusals it counts, the quiet ones before it. */
  ids: number[];
}

/**
 * Repeated refusals of one person's clicks on one button (same step and action) share one line,
 * counted, with the first refusal's reason: in a storm the reason drifts ("now queued", "now
 * running") while the story is the same.
 */
function toLines(events: TimelineEvent[], shows: (e: TimelineEvent) => boolean): { lines: Line[]; trailing: number[] } {
  const lines: Line[] = [];
  const refusals = new Map<string, Line>();
  let carried: number[] = [];
  for (const event of events) {
    if (!shows(event)) {
      carried.push(event.id);
      continue;
    }
    const key = stormKey(event);
    const same = key ? refusals.get(key) : undefined;
    if (same) {
      same.count += 1;
      same.ids.push(event.id);
      continue;
    }
    const line: Line = { event, count: 1, ids: [...carried, event.id] };
    carried = [];
    if (key) refusals.set(key, line);
    lines.push(line);
  }
  return { lines, trailing: carried };
}

export async function postInBatches(
  events: TimelineEvent[],
  shows: (e: TimelineEvent) => boolean,
  post: (text: string) => Promise<void>,
  delivered: (ids: number[]) => Promise<void>,
): Promise<void> {
  const { lines, trailing } = toLines(events, shows);
  let batch: { text: string; ids: number[] } = { text: '', ids: [] };
  const send = async () => {
    if (batch.text) await post(batch.text);
    await delivered(batch.ids);
    batch = { text: '', ids: [] };
  };
  for (const line of lines) {
    const text = formatThreadLine(line.event, line.count);
    if (batch.text && batch.text.length + text.length + 1 > MAX_MESSAGE) await send();
    batch = { text: batch.text ? `${batch.text}\n${text}` : text, ids: [...batch.ids, ...line.ids] };
  }
  batch.ids.push(...trailing);
  await send();
}
