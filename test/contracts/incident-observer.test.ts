/**
 * The IncidentObserver contract (flows/ports.ts): what the store relies on when it publishes a
 * committed change. `changed()` returns at once, with nothing to await and nothing thrown, for
 * every timeline kind, a kind this build does not know, an incident it has never seen and an
 * empty change; whatever I/O it starts finishes after it returned. Run against each observer
 * the bot wires: /metrics, the Slack relay (fake Slack, real Postgres chat cursor), the console's
 * live feed, and the fan-out that tells all three.
 */
import nock from 'nock';
import { type DestinationStream, type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgChatCursor } from '../../src/adapters/db/pg-chat-cursor.ts';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createRoleResolver } from '../../src/adapters/slack/role-resolver.ts';
import { createSlackChat } from '../../src/adapters/slack/slack-chat.ts';
import { createSlackWebClient } from '../../src/adapters/slack/slack-web-client.ts';
import { createMetrics } from '../../src/app/metrics.ts';
import { observerFanOut } from '../../src/app/observer-fan-out.ts';
import { createChecklistRelay } from '../../src/app/slack/checklist-relay.ts';
import { createLiveFeed } from '../../src/console/live-feed.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { TIMELINE_KINDS, type TimelineKind, type TimelinePayloads } from '../../src/domain/timeline-events.ts';
import type { IncidentObserver, IncidentStore, NewEvent } from '../../src/flows/ports.ts';
import { type FakeSlack, SLACK_API_URL, startFakeSlack } from '../support/fake-slack.ts';
import { SRE, testConfig } from '../support/runbook-config.ts';
import { createTestDb, type TestDb, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

const config = testConfig();
let db: TestDb;
let slack: FakeSlack;
let store: IncidentStore;
let incident: Incident;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  slack = startFakeSlack();
  db = await createTestDb();
  // No observer: the tests publish by hand, as the store does after its commit.
  store = createPgIncidentStore(db.pool, config.environment.name);
  const now = new Date();
  incident = await store.create(
    {
      environment: config.environment.name,
      badVersion: 'v1.2.3',
      targetVersion: null,
      targetSource: null,
      severity: 'P1',
      trigger: 'slo_breach',
      critical: false,
      issueUrl: null,
      createdBy: SRE,
      createdAt: now,
      impactStartedAt: null,
      detectedAt: now,
    },
    [{ kind: 'incident_started', actor: SRE, payload: PAYLOADS.incident_started }],
  );
  // Announced: the relay posts under these checklists.
  await store.setChatRef(incident.id, 'incidents', { channel: 'C0INCIDENTS', ts: '1795521600.000100' });
  await store.setChatRef(incident.id, 'releases', { channel: 'C0RELEASES', ts: '1795521600.000200' });
});

afterAll(async () => {
  slack.close();
  await db.drop();
  nock.cleanAll();
  nock.enableNetConnect();
});

const AT = new Date().toISOString();
/** One payload per kind: the mapped type makes a new kind fail to compile here until it has one. */
const PAYLOADS: { [K in TimelineKind]: TimelinePayloads[K] } = {
  incident_started: {
    badVersion: 'v1.2.3',
    requestedTarget: null,
    severity: 'P1',
    trigger: 'slo_breach',
    critical: false,
    issueUrl: null,
    environment: 'production',
    autopilot: true,
    drill: false,
  },
  step_queued: { attempt: 1 },
  step_started: { attempt: 1 },
  step_resumed: { attempt: 1 },
  step_progress: { message: '2 of 3 pods ready', deployment: 'api' },
  step_succeeded: { summary: 'smoke ok', attempt: 1 },
  step_awaiting_approval: { summary: 'Proposed v1.2.2' },
  step_awaiting_confirmation: { summary: 'check the dashboard' },
  step_failed: { error: 'workflow run failed', hint: null },
  step_retrying: { error: 'ECONNRESET', try: 1, maxTries: 3 },
  step_skipped: { reason: 'checked by hand' },
  step_aborted: { reason: null },
  approval_given: { role: 'release_captain', remaining: [] },
  action_refused: { action: 'run', reason: 'it is already running' },
  target_approved: { targetVersion: 'v1.2.2', badVersion: 'v1.2.3', source: 'known_good' },
  app_restored: { restoredAt: AT, ttrMs: 60_000, skipped: [] },
  incident_resolved: { summary: 'resolved', resolvedAt: AT, severity: 'P1', ttdMs: 60_000, ttrMs: 120_000 },
  incident_aborted: { reason: 'drill over' },
  incident_marked_critical: { reason: 'customer data exposed' },
  sla_reminder: { milestone: 'restore', percent: 50, dueAt: AT, budgetMs: 1_800_000 },
  sla_breached: { milestone: 'restore', dueAt: AT, budgetMs: 1_800_000, mention: [] },
  times_corrected: { field: 'detectedAt', from: null, to: AT },
};

const eventOf = (kind: TimelineKind): NewEvent =>
  ({ kind, actor: 'rollback-commander', at: new Date(), stepId: 'smoke_tests', payload: PAYLOADS[kind] }) as NewEvent;

/**
 * Not NewEvents by type, but observers read events as defensively as every other timeline reader:
 * a stored kind this build does not know (read back as `unknown`), and the raw name of one.
 */
const STRANGERS = [
  { kind: 'unknown', storedKind: 'step_paused', actor: SRE, at: new Date(), stepId: 'smoke_tests', payload: {} },
  { kind: 'step_paused', actor: SRE, at: new Date(), stepId: 'smoke_tests', payload: {} },
] as unknown as NewEvent[];

/** A step outcome, committed to the timeline, whose summary says which test wrote it. */
async function committed(): Promise<{ event: NewEvent; summary: string }> {
  const summary = uniqueName('smoke passed');
  const event: NewEvent = {
    kind: 'step_succeeded',
    actor: 'rollback-commander',
    at: new Date(),
    stepId: 'smoke_tests',
    payload: { summary, attempt: 1 },
  };
  await store.append(incident.id, [event]);
  return { event, summary };
}

/** Holds the observers' I/O (store reads, page renders) until released, counting who waits. */
function createGate() {
  let open: Promise<void> = Promise.resolve();
  let release = () => {};
  let waiting = 0;
  return {
    hold() {
      open = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    waiting: () => waiting,
    async pass() {
      waiting += 1;
      await open;
      waiting -= 1;
    },
  };
}
type Gate = ReturnType<typeof createGate>;

/** Reads through the gate, as a slow database would answer. */
const gated = (gate: Gate): IncidentStore => ({
  ...store,
  get: async (id) => {
    await gate.pass();
    return store.get(id);
  },
});

interface Part {
  observer: IncidentObserver;
  /** Whether the observer's visible effect for the committed event with this summary happened. */
  effect(summary: string): Promise<boolean>;
  /** Waits for the work `changed()` started. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface Harness extends Part {
  gate: Gate;
  /** Warnings and errors the observer logged. */
  logged: string[];
}

function metricsPart(gate: Gate, log: Logger): Part {
  const registry = new Registry();
  const metrics = createMetrics(registry, { store: () => gated(gate), log });
  return {
    observer: metrics,
    effect: async () => {
      const counted = await registry.getSingleMetric('rollback_step_outcomes_total')!.get();
      return counted.values.some((v) => v.labels.step === 'smoke_tests' && v.labels.result === 'succeeded');
    },
    settle: () => metrics.settled(),
    close: () => metrics.settled(),
  };
}

function relayPart(gate: Gate, log: Logger): Part {
  const client = createSlackWebClient({ token: 'xoxb-test', slackApiUrl: SLACK_API_URL, retryConfig: { retries: 0 } });
  const chat = createSlackChat({ client, channels: config.slack.channels, logger: log, coalesceMs: 10 });
  const roleResolver = createRoleResolver({ client, roles: config.roles, cacheMs: 60_000 });
  const roles = { rolesOf: () => Promise.resolve([]), membersOf: () => Promise.resolve([]) };
  const relay = createChecklistRelay({
    slack: { client, chat, roleResolver, roles },
    store: gated(gate),
    cursor: createPgChatCursor(db.pool, { environment: config.environment.name }),
    config,
    now: () => new Date(),
    log,
  });
  return {
    observer: relay,
    effect: async (summary) =>
      slack
        .of('chat.postMessage')
        .some((b) => b.channel === 'C0INCIDENTS' && b.thread_ts && String(b.text).includes(summary)),
    settle: () => relay.tick(),
    close: () => relay.stop(),
  };
}

/** A page open on the incident: it renders the timeline's summaries, and keeps what it was sent. */
async function livePart(gate: Gate, log: Logger): Promise<Part> {
  // No polling within a test: what a subscriber gets after the first render came through changed().
  const feed = createLiveFeed({ pollMs: 3_600_000, onError: (err) => log.error({ err }, 'live feed') });
  const sent: string[] = [];
  let rendering = 0;
  const render = async () => {
    rendering += 1;
    try {
      await gate.pass();
      return (await store.timeline(incident.id))
        .map((e) => (e.kind === 'step_succeeded' ? e.payload.summary : e.kind))
        .join('\n');
    } finally {
      rendering -= 1;
    }
  };
  feed.subscribe(incident.id, render, (html) => sent.push(html));
  await until('the first render', () => sent.length > 0);
  return {
    observer: feed,
    effect: async (summary) => sent.some((html) => html.includes(summary)),
    settle: async () => void (await until('the renders to finish', () => rendering === 0 || null)),
    close: async () => feed.close(),
  };
}

function logCapture(): { log: Logger; logged: string[] } {
  const logged: string[] = [];
  const stream: DestinationStream = { write: (line: string) => void logged.push(line) };
  return { log: pino({ level: 'warn' }, stream), logged };
}

const implementations: [string, () => Promise<Harness>][] = [
  [
    'metrics (prom-client, Postgres store)',
    async () => {
      const gate = createGate();
      const { log, logged } = logCapture();
      return { ...metricsPart(gate, log), gate, logged };
    },
  ],
  [
    'checklist relay (fake Slack, Postgres chat cursor)',
    async () => {
      const gate = createGate();
      const { log, logged } = logCapture();
      return { ...relayPart(gate, log), gate, logged };
    },
  ],
  [
    'console live feed',
    async () => {
      const gate = createGate();
      const { log, logged } = logCapture();
      return { ...(await livePart(gate, log)), gate, logged };
    },
  ],
  [
    'bot fan-out (metrics, relay, live feed)',
    async () => {
      const gate = createGate();
      const { log, logged } = logCapture();
      const parts = [metricsPart(gate, log), relayPart(gate, log), await livePart(gate, log)];
      return {
        observer: observerFanOut(() => [...parts.map((p) => p.observer), null]),
        effect: async (summary) => (await Promise.all(parts.map((p) => p.effect(summary)))).every(Boolean),
        settle: async () => void (await Promise.all(parts.map((p) => p.settle()))),
        close: async () => void (await Promise.all(parts.map((p) => p.close()))),
        gate,
        logged,
      };
    },
  ],
];

describe.each(implementations)('IncidentObserver contract: %s', (_name, make) => {
  async function using(test: (h: Harness) => Promise<void>): Promise<void> {
    const h = await make();
    try {
      await test(h);
    } finally {
      h.gate.release();
      await h.close();
    }
  }

  it('takes every kind of the union, a kind it does not know and an empty change, returning nothing to await', () =>
    using(async (h) => {
      for (const kind of TIMELINE_KINDS) expect(h.observer.changed(incident.id, [eventOf(kind)])).toBeUndefined();
      expect(h.observer.changed(incident.id, STRANGERS)).toBeUndefined();
      expect(h.observer.changed(incident.id, [])).toBeUndefined();
      expect(h.observer.changed(incident.id, TIMELINE_KINDS.map(eventOf))).toBeUndefined();
      await h.settle();
      expect(h.logged).toEqual([]);
    }));

  it('takes a change to an incident it has never seen, and what that starts fails quietly', () =>
    using(async (h) => {
      const never = `rb-${uniqueName('never')}`;
      for (const events of [TIMELINE_KINDS.map(eventOf), STRANGERS, []])
        expect(h.observer.changed(never, events)).toBeUndefined();
      await expect(h.settle()).resolves.toBeUndefined();
    }));

  it('shows the change: a step outcome is counted, posted in the thread, sent to the open page', () =>
    using(async (h) => {
      const { event, summary } = await committed();
      expect(await h.effect(summary)).toBe(false);
      h.observer.changed(incident.id, [event]);
      await until('the observer to show the change', () => h.effect(summary));
      await h.settle();
      expect(h.logged).toEqual([]);
    }));

  it('returns while the I/O it started is still waiting, and finishes it afterwards', () =>
    using(async (h) => {
      const { event, summary } = await committed();
      h.gate.hold();
      expect(h.observer.changed(incident.id, [event])).toBeUndefined();
      await until('the observer to start its I/O', () => h.gate.waiting() > 0);
      expect(await h.effect(summary)).toBe(false);
      h.gate.release();
      await until('the observer to show the change', () => h.effect(summary));
      await h.settle();
    }));
});
