/**
 * SLA timers on real Redis/Postgres with an injected clock and no timer worker: which delayed
 * jobs exist, with which delays, after each thing that moves a deadline or meets a milestone —
 * start, the target approval, validation passing (run, confirm or skip), a forward-fix plan's
 * approvals (P2), a corrected time, an aborted incident. Also restored_at and refused corrections.
 */
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createSlaTimerQueue, timerJobId } from '../../src/adapters/queue/sla-timer-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import type { StepId } from '../../src/domain/steps.ts';
import { correctTimes } from '../../src/flows/correct-times.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { executeStep } from '../../src/flows/execute-step.ts';
import type { Executors } from '../../src/flows/executor.ts';
import { abortIncident } from '../../src/flows/incident-commands.ts';
import { sweepSlaTimers } from '../../src/flows/sla-timers.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { approveStep, confirmStep, runStep, skipStep } from '../../src/flows/step-commands.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, DB_OWNER, SRE, STAKEHOLDER, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';

let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let timers: ReturnType<typeof createSlaTimerQueue>;
let steps: ReturnType<typeof createBullmqStepQueue>;
let clock = new Date('2026-11-24T03:00:00Z');
const MIN = 60_000;

const executors: Executors = {
  select_release: {
    run: async () => ({
      outcome: 'awaiting_approval',
      summary: 'v1.2.2',
      output: { proposal: { version: 'v1.2.2', source: 'test' }, validTargets: ['v1.2.2'] },
    }),
  },
  revert_images: { run: async () => ({ outcome: 'succeeded', summary: 'api, web, worker now run v1.2.2' }) },
  queue_health: { run: async () => ({ outcome: 'succeeded', summary: 'agent:pending = 3' }) },
  migration_revert: {
    plan: async () => ({
      summary: 'no down file: plan a forward-fix',
      plan: { kind: 'forward_fix', reason: 'no down file' },
    }),
    apply: async () => ({ outcome: 'succeeded', summary: 'n/a' }),
  },
};

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcsla');
  const config = testConfig();
  steps = createBullmqStepQueue({ connection: redis, prefix, attempts: 1, backoffMs: 100 });
  timers = createSlaTimerQueue({ connection: redis, prefix });
  deps = {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue: steps,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => clock,
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
    slaTimers: timers,
  };
});

afterAll(async () => {
  await timers.close();
  await steps.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

beforeEach(async () => {
  clock = new Date(clock.getTime() + 24 * 3600_000);
  await abortOpenIncidents(deps);
  await sweepSlaTimers(deps);
});

/** Pending timers of an incident as "milestone percent% in Nm" (delay from the injected clock at scheduling). */
async function pending(incidentId: string): Promise<string[]> {
  const jobs = (await timers.queue.getJobs(['delayed', 'waiting'])).filter((j) => j.data.incidentId === incidentId);
  return jobs
    .map((j) => ({ j, due: new Date(j.data.dueAt).getTime() }))
    .sort((a, b) => a.j.timestamp + a.j.delay - (b.j.timestamp + b.j.delay) || a.due - b.due)
    .map(({ j }) => `${j.data.milestone} ${j.data.percent}% in ${j.delay / MIN}m`);
}

async function run(incidentId: string, stepId: StepId, attempt = 1, kind?: 'apply') {
  return executeStep(
    deps,
    executors,
    { incidentId, stepId, attempt, kind },
    { tryNumber: 1, maxTries: 1, signal: new AbortController().signal },
  );
}

const start = (o: Partial<Parameters<typeof startRollback>[1]> = {}) =>
  startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE, ...o });

describe('scheduling', () => {
  it('a P1 gets reminders at 50% and 80% and a breach notice at 100% of both budgets, delays from the domain clock', async () => {
    const incident = await start();
    expect(await pending(incident.id)).toEqual([
      'decide 50% in 5m',
      'decide 80% in 8m',
      'decide 100% in 10m',
      'restore 50% in 15m',
      'restore 80% in 24m',
      'restore 100% in 30m',
    ]);
    const ids = (await timers.queue.getJobs(['delayed'])).map((j) => j.id!);
    expect(ids).toContain(
      timerJobId({
        incidentId: incident.id,
        milestone: 'decide',
        percent: 50,
        dueAt: new Date(clock.getTime() + 10 * MIN).toISOString(),
      }),
    );
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
  });

  it('an incident detected 9 minutes ago gets the 80% decision reminder now, not a burst of stale ones', async () => {
    const incident = await start({ detectedAt: new Date(clock.getTime() - 9 * MIN) });
    expect(await pending(incident.id)).toEqual([
      'decide 80% in 0m',
      'decide 100% in 1m',
      'restore 50% in 6m',
      'restore 80% in 15m',
      'restore 100% in 21m',
    ]);
  });

  it('a P2 has one budget of 2 hours', async () => {
    const incident = await start({ severity: 'P2' });
    expect(await pending(incident.id)).toEqual(['restore 50% in 60m', 'restore 80% in 96m', 'restore 100% in 120m']);
  });

  it('starting twice the same timers (a resync) adds nothing', async () => {
    const incident = await start();
    await sweepSlaTimers(deps);
    expect(await pending(incident.id)).toHaveLength(6);
  });
});

describe('cancellation when a milestone is met', () => {
  it('the target approval cancels the decision timers; validation passing cancels the rest and sets restored_at', async () => {
    const incident = await start();
    await run(incident.id, 'select_release');
    clock = new Date(clock.getTime() + 4 * MIN);
    await approveStep(deps, { incidentId: incident.id, stepId: 'select_release', actor: CAPTAIN });
    // The restore timers stay as scheduled at the start (delays counted from then).
    expect(await pending(incident.id)).toEqual(['restore 50% in 15m', 'restore 80% in 24m', 'restore 100% in 30m']);

    await runStep(deps, { incidentId: incident.id, stepId: 'revert_images', actor: SRE });
    await run(incident.id, 'revert_images');

    // Whichever validation step finishes last sets restored_at: a skip, a worker success, then a manual confirm.
    await skipStep(deps, {
      incidentId: incident.id,
      stepId: 'smoke_tests',
      actor: CAPTAIN,
      reason: 'smoke workflow broken, checked by hand',
    });
    await runStep(deps, { incidentId: incident.id, stepId: 'queue_health', actor: SRE });
    await run(incident.id, 'queue_health');
    await runStep(deps, { incidentId: incident.id, stepId: 'auth_check', actor: SRE });
    await run(incident.id, 'auth_check'); // no executor here: a manual confirmation
    expect((await deps.store.get(incident.id)).incident.restoredAt).toBeNull();
    clock = new Date(clock.getTime() + 12 * MIN);
    await confirmStep(deps, { incidentId: incident.id, stepId: 'auth_check', actor: SRE, note: 'anon 401, user 200' });

    const snap = await deps.store.get(incident.id);
    expect(snap.incident.restoredAt).toEqual(clock);
    expect(await pending(incident.id)).toEqual([]);
    const restored = (await deps.store.timeline(incident.id)).find((e) => e.kind === 'app_restored')!;
    expect(restored.payload).toMatchObject({ ttrMs: 16 * MIN, skipped: [{ stepId: 'smoke_tests' }] });
  });

  it('P2: an approved forward-fix plan meets the restore SLA and cancels its timers', async () => {
    const incident = await start({ severity: 'P2' });
    await skipStep(deps, {
      incidentId: incident.id,
      stepId: 'migration_scope',
      actor: CAPTAIN,
      reason: 'scope known: one migration',
    });
    const job = await runStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER });
    await run(incident.id, 'migration_revert', job.attempt);
    await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN });
    expect(await pending(incident.id)).toHaveLength(3);
    await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER });
    expect(await pending(incident.id)).toEqual([]);
  });

  it('an aborted incident loses its timers at the next sweep', async () => {
    const incident = await start();
    await abortIncident(deps, { incidentId: incident.id, actor: CAPTAIN, reason: 'false alarm' });
    await sweepSlaTimers(deps);
    expect(await pending(incident.id)).toEqual([]);
  });
});

describe('correcting times', () => {
  it('moves the deadlines: the old timers go, new ones come, and the correction is on the timeline', async () => {
    const incident = await start({ impactStartedAt: new Date(clock.getTime() - 10 * MIN) });
    const detected = new Date(clock.getTime() - 3 * MIN);
    const events = await correctTimes(deps, {
      incidentId: incident.id,
      actor: SRE,
      detectedAt: detected,
      impactStartedAt: new Date(clock.getTime() - 7 * MIN),
    });
    expect(events.map((e) => e.payload)).toEqual([
      {
        field: 'impact_started_at',
        from: new Date(clock.getTime() - 10 * MIN).toISOString(),
        to: new Date(clock.getTime() - 7 * MIN).toISOString(),
      },
      { field: 'detected_at', from: clock.toISOString(), to: detected.toISOString() },
    ]);
    expect((await deps.store.get(incident.id)).incident).toMatchObject({
      detectedAt: detected,
      impactStartedAt: new Date(clock.getTime() - 7 * MIN),
    });
    expect(await pending(incident.id)).toEqual([
      'decide 50% in 2m',
      'decide 80% in 5m',
      'decide 100% in 7m',
      'restore 50% in 12m',
      'restore 80% in 21m',
      'restore 100% in 27m',
    ]);
  });

  it('refuses detection before the first bad request, with the reason, changing nothing', async () => {
    const incident = await start({ impactStartedAt: new Date(clock.getTime() - 5 * MIN) });
    await expect(
      correctTimes(deps, { incidentId: incident.id, actor: CAPTAIN, detectedAt: new Date(clock.getTime() - 8 * MIN) }),
    ).rejects.toThrow(
      /those times cannot all be true: detection \(.*\) cannot be before the first bad request \(.*\): a problem is detected after it starts\. Nothing was changed/,
    );
    expect((await deps.store.get(incident.id)).incident.detectedAt).toEqual(clock);
    const refused = (await deps.store.timeline(incident.id)).at(-1)!;
    expect(refused).toMatchObject({ kind: 'action_refused', actor: CAPTAIN, payload: { action: 'correct_times' } });
    expect(await pending(incident.id)).toHaveLength(6);
  });

  it('refuses a detection after the restore', async () => {
    const incident = await start();
    for (const stepId of ['smoke_tests', 'queue_health', 'auth_check'] as const)
      await skipStep(deps, { incidentId: incident.id, stepId, actor: CAPTAIN, reason: 'checked by hand' });
    const restoredAt = clock;
    clock = new Date(clock.getTime() + 10 * MIN);
    await expect(
      correctTimes(deps, { incidentId: incident.id, actor: SRE, detectedAt: new Date(restoredAt.getTime() + MIN) }),
    ).rejects.toThrow(/the app was restored at .*, before detection/);
  });

  it('only the captain or the on-call SRE may correct times', async () => {
    const incident = await start();
    await expect(
      correctTimes(deps, { incidentId: incident.id, actor: STAKEHOLDER, detectedAt: clock }),
    ).rejects.toThrow(/only the Release Captain or On-Call SRE may correct the incident times/);
  });
});
