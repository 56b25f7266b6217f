/**
 * The store's one IncidentObserver in the bot process, telling each part that shows the timeline:
 * the Slack relay, /metrics and the web console's live pages. The relay and the console start
 * after the store does (they need it), so the list is read on every change, and a part this
 * process does not run (no Slack token, a worker-only process) is simply absent.
 */
import type { IncidentObserver } from '../flows/ports.ts';

export function observerFanOut(observers: () => readonly (IncidentObserver | null | undefined)[]): IncidentObserver {
  return {
    changed(incidentId, events) {
      for (const observer of observers()) observer?.changed(incidentId, events);
    },
  };
}
