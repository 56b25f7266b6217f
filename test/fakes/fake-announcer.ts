/**
 * An in-memory Announcer (flows/ports.ts): posts the checklist in each channel the incident has no
 * message in yet, storing each ref on the incident as it lands (IncidentStore.setChatRef), so a
 * retry after one channel failed posts only the other — as the Slack announcer does.
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { Announcer, IncidentStore } from '../../src/flows/ports.ts';

type ChannelKey = 'incidents' | 'releases';
const KEYS: readonly ChannelKey[] = ['incidents', 'releases'];
const NAMES: Record<ChannelKey, string> = { incidents: '#incidents', releases: '#releases' };

export interface FakeAnnouncer extends Announcer {
  /** Every checklist posted, in order. */
  posted: { incidentId: string; channel: string; ts: string }[];
  /** The next post in this channel fails (as Slack's channel_not_found would). */
  failNext(channel: ChannelKey): void;
}

export function createFakeAnnouncer(options: {
  store: () => IncidentStore;
  channels: Record<ChannelKey, string>;
}): FakeAnnouncer {
  const posted: FakeAnnouncer['posted'] = [];
  const failing = new Set<ChannelKey>();
  let ts = 1795521600_000100;
  return {
    posted,
    failNext: (channel) => void failing.add(channel),
    async announce(incident) {
      const store = options.store();
      const { chat } = (await store.get(incident.id)).incident;
      const results = await Promise.allSettled(
        KEYS.map(async (key) => {
          const existing = chat[key];
          if (existing) return existing;
          const channel = options.channels[key];
          if (failing.delete(key))
            throw new UserFacingError(
              'not_found',
              `while posting the checklist in ${NAMES[key]}: Slack channel ${channel} was not found (channel_not_found)`,
            );
          const ref = { channel, ts: ((ts += 100) / 1_000_000).toFixed(6) };
          posted.push({ incidentId: incident.id, ...ref });
          await store.setChatRef(incident.id, key, ref);
          return ref;
        }),
      );
      const [incidents, releases] = results;
      if (incidents?.status === 'fulfilled' && releases?.status === 'fulfilled')
        return { incidents: incidents.value.channel, releases: releases.value.channel };
      throw results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))[0];
    },
  };
}
