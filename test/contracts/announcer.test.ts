/**
 * The Announcer contract (flows/ports.ts) — what the announce step uses — run against the Slack
 * announcer talking to the nock'd Slack Web API (test/support/fake-slack.ts) and the in-memory
 * fake (test/fakes/fake-announcer.ts). Both keep their refs in an in-memory IncidentStore, itself
 * held to the Pg store's contract (incident-store.test.ts).
 */
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoleResolver } from '../../src/adapters/slack/role-resolver.ts';
import { createSlackChat } from '../../src/adapters/slack/slack-chat.ts';
import { createSlackWebClient } from '../../src/adapters/slack/slack-web-client.ts';
import { createSlackAnnouncer } from '../../src/app/slack/slack-announcer.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Announcer, IncidentStore } from '../../src/flows/ports.ts';
import { createFakeAnnouncer } from '../fakes/fake-announcer.ts';
import { createFakeIncidentStore } from '../fakes/fake-incident-store.ts';
import { type FakeSlack, SLACK_API_URL, startFakeSlack } from '../support/fake-slack.ts';
import { CAPTAIN, testConfig } from '../support/runbook-config.ts';

const config = testConfig();
const T0 = new Date('2026-11-24T12:00:00.000Z');
let slack: FakeSlack;

beforeAll(() => {
  nock.disableNetConnect();
  slack = startFakeSlack();
});
afterAll(() => {
  slack.close();
  nock.enableNetConnect();
});

interface Harness {
  announcer: Announcer;
  store: IncidentStore;
  /** Channels a checklist was posted in since the harness was made, in order. */
  posts(): string[];
  /** The next checklist post in #releases fails. */
  failReleases(): void;
}

const implementations: [string, () => Harness][] = [
  [
    'Slack announcer (nock Slack Web API)',
    () => {
      const store = createFakeIncidentStore('production');
      const logger = pino({ level: 'silent' });
      const client = createSlackWebClient({
        token: 'xoxb-test',
        slackApiUrl: SLACK_API_URL,
        retryConfig: { retries: 0 },
      });
      const chat = createSlackChat({ client, channels: config.slack.channels, logger });
      const roleResolver = createRoleResolver({ client, roles: config.roles, cacheMs: 60_000 });
      const roles = { rolesOf: () => Promise.resolve([]), membersOf: () => Promise.resolve([]) };
      const from = slack.of('chat.postMessage').length;
      return {
        announcer: createSlackAnnouncer({
          slack: { client, chat, roleResolver, roles },
          store: () => store,
          config,
          now: () => T0,
        }),
        store,
        posts: () =>
          slack
            .of('chat.postMessage')
            .slice(from)
            .map((b) => String(b.channel)),
        failReleases: () =>
          slack.failNext(
            'chat.postMessage',
            200,
            { ok: false, error: 'channel_not_found' },
            {},
            (b) => b.channel === 'C0RELEASES',
          ),
      };
    },
  ],
  [
    'in-memory fake',
    () => {
      const store = createFakeIncidentStore('production');
      const fake = createFakeAnnouncer({ store: () => store, channels: config.slack.channels });
      return {
        announcer: fake,
        store,
        posts: () => fake.posted.map((p) => p.channel),
        failReleases: () => fake.failNext('releases'),
      };
    },
  ],
];

async function open(store: IncidentStore) {
  return store.create(
    {
      environment: 'production',
      badVersion: 'v1.2.3',
      targetVersion: null,
      targetSource: null,
      severity: 'P1',
      trigger: 'slo_breach',
      critical: false,
      issueUrl: null,
      createdBy: CAPTAIN,
      createdAt: T0,
      impactStartedAt: null,
      detectedAt: T0,
    },
    [],
  );
}

describe.each(implementations)('Announcer contract: %s', (_name, make) => {
  it('posts the checklist in #incidents and #releases once, storing where; announcing again posts nothing', async () => {
    const h = make();
    const incident = await open(h.store);
    expect(await h.announcer.announce(incident)).toEqual({ incidents: 'C0INCIDENTS', releases: 'C0RELEASES' });
    expect(h.posts().sort()).toEqual(['C0INCIDENTS', 'C0RELEASES']);
    const { chat } = (await h.store.get(incident.id)).incident;
    expect(chat.incidents?.channel).toBe('C0INCIDENTS');
    expect(chat.releases?.channel).toBe('C0RELEASES');
    expect(chat.incidents?.ts).toMatch(/^\d+\.\d{6}$/);
    expect(chat.releases?.ts).not.toBe(chat.incidents?.ts);

    expect(await h.announcer.announce(incident)).toEqual({ incidents: 'C0INCIDENTS', releases: 'C0RELEASES' });
    expect(h.posts()).toHaveLength(2);
    expect((await h.store.get(incident.id)).incident.chat).toEqual(chat);
  });

  it('keeps the channel that worked when the other fails, and a retry posts only the failed one', async () => {
    const h = make();
    const incident = await open(h.store);
    h.failReleases();
    const err = await h.announcer.announce(incident).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain('while posting the checklist in #releases');
    const after = (await h.store.get(incident.id)).incident.chat;
    expect(after.incidents?.channel).toBe('C0INCIDENTS');
    expect(after.releases).toBeNull();

    expect(await h.announcer.announce(incident)).toEqual({ incidents: 'C0INCIDENTS', releases: 'C0RELEASES' });
    expect(h.posts().filter((c) => c === 'C0INCIDENTS')).toHaveLength(1);
    expect((await h.store.get(incident.id)).incident.chat.incidents).toEqual(after.incidents);
  });
});
