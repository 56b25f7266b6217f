/**
 * SLA timers firing for real: delayed BullMQ jobs on real Redis with budgets of a second or two,
 * delays computed from an injected domain clock that runs days behind the wall clock. Reminders
 * come no earlier than their marks, the breach mentions the captain and the SRE, a restarted
 * worker still fires what was scheduled, and a timer that is no longer true sends nothing.
 */
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import {
  createSlaTimerQueue,
  type SlaTimerWorker,
  startSlaTimerWorker,
} from '../../src/adapters/queue/sla-timer-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import type { TimelineEvent } from '../../src/domain/incident.ts';
import { correctTimes } from '../../src/flows/correct-times.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { fireSlaTimer } from '../../src/flows/sla-timers.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { skipStep } from '../../src/flows/step-commands.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

/** The domain clock runs three days behind the wall clock: delays must come from it, not from Date.now(). */
const OFFSET = 3 * 24 * 3600_000;
// The 80 % reminder is skipped when it runs after the breach mark (old news): budgets wide enough
// that a busy machine's late timer still lands between its two marks.
const BUDGETS = { decide: 3000, restore: 6000, p2: 1500 };
let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let worker: SlaTimerWorker;
const connections: Redis[] = [];

function timerWorker(connection: Redis): Promise<SlaTimerWorker> {
  return startSlaTimerWorker({ connection, prefix, fire: (job) => fireSlaTimer(deps, job), log: deps.log });
}

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcfire');
  const config = testConfig(
    `sla: { P1: { decide: ${BUDGETS.decide}ms, restore: ${BUDGETS.restore}ms }, P2: { restore: ${BUDGETS.p2}ms } }`,
  );
  deps = {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue: createBullmqStepQueue({ connection: redis, prefix, attempts: 1, backoffMs: 100 }),
    roles: createConfigRoleDirectory(config.roles),
    releases: releasesRunning(config),
    config,
    now: () => new Date(Date.now() - OFFSET),
    log: pino({ level: 'silent' }),
    slaTimers: createSlaTimerQueue({ connection: redis, prefix }),
  };
  worker = await timerWorker(redis);
});

afterAll(async () => {
  await worker.close();
  for (const c of connections) c.disconnect();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

beforeEach(async () => {
  await abortOpenIncidents(deps);
});

async function slaEvents(incidentId: string, arrived: (events: TimelineEvent[]) => boolean): Promise<TimelineEvent[]> {
  return until(
    'the expected SLA notices',
    async () => {
      const events = (await deps.store.timeline(incidentId)).filter((e) => e.kind.startsWith('sla_'));
      return arrived(events) && events;
    },
    30_000,
  );
}

const describeEvent = (e: TimelineEvent) =>
  `${e.kind} ${String(e.payload.milestone)} ${String(e.payload.percent ?? 100)}`;
const afterDetection = (e: TimelineEvent, detectedAt: Date) => e.at.getTime() - detectedAt.getTime();

it('fires each reminder and breach notice once, never before its mark, the breach mentioning the captain and the SRE', async () => {
  const incident = await startRollback(deps, {
    badVersion: 'v1.2.3',
    severity: 'P1',
    trigger: 'slo_breach',
    actor: SRE,
  });
  const events = await slaEvents(incident.id, (evs) => evs.filter((e) => e.kind === 'sla_breached').length === 2);
  expect(events.map(describeEvent).sort()).toEqual([
    'sla_breached decide 100',
    'sla_breached restore 100',
    'sla_reminder decide 50',
    'sla_reminder decide 80',
    'sla_reminder restore 50',
    'sla_reminder restore 80',
  ]);
  for (const e of events) {
    const budget = e.payload.milestone === 'decide' ? BUDGETS.decide : BUDGETS.restore;
    expect(afterDetection(e, incident.detectedAt), describeEvent(e)).toBeGreaterThanOrEqual(
      (budget * Number(e.payload.percent ?? 100)) / 100,
    );
  }
  const breach = events.find((e) => e.kind === 'sla_breached')!;
  expect(breach.payload).toMatchObject({ mention: [CAPTAIN, SRE], budgetMs: expect.any(Number) });
  expect(breach.payload.dueAt).toBe(
    new Date(incident.detectedAt.getTime() + Number(breach.payload.budgetMs)).toISOString(),
  );
});

it('timers survive a worker restart: a new worker on a new connection fires what the old one had scheduled', async () => {
  await worker.close();
  const incident = await startRollback(deps, {
    badVersion: 'v1.2.3',
    severity: 'P2',
    trigger: 'slo_breach',
    actor: SRE,
  });
  const fresh = createTestRedis();
  connections.push(fresh);
  worker = await timerWorker(fresh);
  const events = await slaEvents(incident.id, (evs) => evs.some((e) => e.kind === 'sla_breached'));
  const breaches = events.filter((e) => e.kind === 'sla_breached');
  expect(breaches.map(describeEvent)).toEqual(['sla_breached restore 100']);
  expect(afterDetection(breaches[0]!, incident.detectedAt)).toBeGreaterThanOrEqual(BUDGETS.p2);
  expect(new Set(events.map(describeEvent)).size).toBe(events.length);
});

it('a timer that runs twice sends once; one whose deadline moved or whose milestone was met sends nothing', async () => {
  const incident = await startRollback(deps, {
    badVersion: 'v1.2.3',
    severity: 'P1',
    trigger: 'slo_breach',
    actor: SRE,
  });
  const due = (ms: number) => new Date(incident.detectedAt.getTime() + ms).toISOString();
  const decide50 = {
    incidentId: incident.id,
    milestone: 'decide' as const,
    percent: 50 as const,
    dueAt: due(BUDGETS.decide),
  };
  const results = await Promise.all([fireSlaTimer(deps, decide50), fireSlaTimer(deps, decide50)]);
  expect(results.sort()).toEqual(['sent', 'stale']);

  await correctTimes(deps, {
    incidentId: incident.id,
    actor: SRE,
    detectedAt: new Date(incident.detectedAt.getTime() - 100),
  });
  expect(await fireSlaTimer(deps, { ...decide50, percent: 80 })).toBe('stale');

  for (const stepId of ['smoke_tests', 'queue_health', 'auth_check'] as const)
    await skipStep(deps, { incidentId: incident.id, stepId, actor: CAPTAIN, reason: 'checked by hand' });
  expect(
    await fireSlaTimer(deps, {
      incidentId: incident.id,
      milestone: 'restore',
      percent: 100,
      dueAt: due(BUDGETS.restore - 100),
    }),
  ).toBe('stale');
  const sent = (await deps.store.timeline(incident.id)).filter(
    (e) => e.kind.startsWith('sla_') && e.payload.milestone === 'decide' && e.payload.percent === 50,
  );
  expect(sent).toHaveLength(1);
});
