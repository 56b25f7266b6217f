/**
 * The announce step's Slack side: post the checklist in #incidents and #releases, storing each
 * message's ts as soon as it lands, so a retry after one channel failed posts only the other.
 */

import type { RunbookConfig } from '../../config/schema.ts';
import type { Incident } from '../../domain/incident.ts';
import type { Announcer, IncidentStore } from '../../flows/ports.ts';
import { checklistMessage } from './checklist-message.ts';
import type { SlackServices } from './slack-services.ts';

export function createSlackAnnouncer(deps: {
  slack: SlackServices;
  store: () => IncidentStore;
  config: RunbookConfig;
  now: () => Date;
}): Announcer {
  return {
    async announce(incident: Incident) {
      const store = deps.store();
      const snap = await store.get(incident.id);
      const message = await checklistMessage(snap, deps.config, deps.slack.roleResolver, deps.now());
      const posted = await deps.slack.chat.postChecklist(message, {
        existing: snap.incident.chat,
        onPosted: (channel, ref) => store.setChatRef(incident.id, channel, ref),
      });
      return { incidents: posted.incidents.channel, releases: posted.releases.channel };
    },
  };
}
