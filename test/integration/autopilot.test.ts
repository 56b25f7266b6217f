/**
 * Autopilot in the engine, on real Postgres and BullMQ (executors faked, no worker): which steps
 * start by themselves after which commit, attributed to "autopilot, after <who approved what>",
 * exactly once under a redelivered job or a lost enqueue; refusals stay refusals; abort and
 * failure stop it; Retry resumes it; config and the per-incident switch turn it off.
 */

import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue, jobIdOf } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { autopilotStatus } from '../../src/domain/autopilot.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { autopilotSettings } from '../../src/flows/autopilot.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { executeStep } from '../../src/flows/execute-step.ts';
import type { Executors } from '../../src/flows/executor.ts';
import { exportTimeline } from '../../src/flows/export-timeline.ts';
import type { StepJob } from '../../src/flows/ports.ts';
import { reconcile } from '../../src/flows/reconcile.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { abortStep, approveStep, runStep } from '../../src/flows/step-commands.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';

let db: TestDb;
let redis: Redis;
let prefix: string;
let queue: ReturnType<typeof createBullmqStepQueue>;
let clock = new Date('2026-11-24T03:00:00Z');
const run = { tryNumber: 1, maxTries: 1, signal: new AbortController().signal };

function depsWith(autopilot: string): FlowDeps {
  const config = testConfig(`autopilot: ${autopilot}`);
  return {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => clock,
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
  };
}
let deps: FlowDeps;

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcap');
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 3, backoffMs: 100 });
  deps = depsWith('true');
});

afterAll(async () => {
  await queue.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

beforeEach(async () => {
  clock = new Date(clock.getTime() + 3600_000);
  deps = depsWith('true');
  await abortOpenIncidents(deps);
});

let failVerify = false;
const executors: Executors = {
  select_release: {
    run: async () => ({
      outcome: 'awaiting_approval',
      summary: 'Proposed v1.2.2',
      output: { proposal: { version: 'v1.2.2', source: 'tags' }, validTargets: ['v1.2.2'] },
    }),
  },
  revert_images: { run: async () => ({ outcome: 'succeeded', summary: 'reverted' }) },
  verify_cutover: {
    run: async () => {
      if (failVerify) throw new UserFacingError('upstream_unavailable', 'Prometheus answered 500');
      return { outcome: 'succeeded', summary: 'error rate 0.1%' };
    },
  },
  smoke_tests: { run: async () => ({ outcome: 'succeeded', summary: 'smoke ok' }) },
  queue_health: { run: async () => ({ outcome: 'succeeded', summary: 'backlog 0' }) },
  auth_check: { run: async () => ({ outcome: 'succeeded', summary: 'probes ok' }) },
  resume_deploys: {
    plan: async () => ({ summary: 're-enable deploy.yml', plan: { enable: ['deploy.yml'] } }),
    apply: async () => ({ outcome: 'succeeded', summary: 'resumed' }),
  },
  pause_deploys: { run: async () => ({ outcome: 'succeeded', summary: 'paused' }) },
  resolve: {
    run: async () => ({
      outcome: 'succeeded',
      summary: 'resolved',
      output: { resolution: { summary: 'resolved', report: { ttrMs: 1 }, resolvedAt: clock.toISOString() } },
      incident: { state: 'resolved', resolvedAt: clock },
    }),
  },
};

const start = (autopilot?: boolean) =>
  startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE, autopilot });
const stateOf = async (id: string, step: string) => (await deps.store.get(id)).steps.get(step as never)!.state;
const job = (incidentId: string, stepId: string, attempt = 1): StepJob => ({
  incidentId,
  stepId: stepId as never,
  attempt,
});
const exec = (incidentId: string, stepId: string, attempt = 1) =>
  executeStep(deps, executors, job(incidentId, stepId, attempt), run);
async function autoStarts(id: string) {
  return (await deps.store.timeline(id))
    .filter((e) => e.kind === 'step_queued' && e.actor === 'autopilot')
    .map((e) => ({ step: e.stepId, ...(e.payload.autopilot as object) }));
}
async function approveTarget(id: string) {
  await exec(id, 'select_release');
  await approveStep(deps, { incidentId: id, stepId: 'select_release', actor: CAPTAIN });
}

describe('autopilot on (the default)', () => {
  it('resolves a P1 with three captain approvals after the start, each automatic start attributed to the approval behind it', async () => {
    const { id } = await start();
    expect(await stateOf(id, 'pause_deploys')).toBe('queued');
    expect(await queue.jobState(job(id, 'pause_deploys'))).toBe('waiting');
    await exec(id, 'pause_deploys');
    await exec(id, 'select_release');
    // The wrong role approving the target is still refused, and starts nothing.
    await expect(approveStep(deps, { incidentId: id, stepId: 'select_release', actor: SRE })).rejects.toThrow(
      /only the Release Captain may approve/,
    );
    expect(await stateOf(id, 'revert_images')).toBe('pending');

    await approveStep(deps, { incidentId: id, stepId: 'select_release', actor: CAPTAIN }); // click 1
    expect(await stateOf(id, 'revert_images')).toBe('queued');
    expect(await queue.jobState(job(id, 'revert_images'))).toBe('waiting');
    expect(await stateOf(id, 'migration_scope')).toBe('pending'); // no database: section, so not automatic
    await exec(id, 'revert_images');
    await exec(id, 'verify_cutover');
    for (const step of ['smoke_tests', 'queue_health', 'auth_check']) expect(await stateOf(id, step)).toBe('queued');
    for (const step of ['smoke_tests', 'queue_health']) await exec(id, step);
    expect(await stateOf(id, 'resume_deploys')).toBe('pending'); // validation not done yet
    await exec(id, 'auth_check');
    expect(await stateOf(id, 'resume_deploys')).toBe('queued');
    await exec(id, 'resume_deploys');
    expect(await stateOf(id, 'resume_deploys')).toBe('awaiting_approval');
    const applying = await approveStep(deps, { incidentId: id, stepId: 'resume_deploys', actor: CAPTAIN }); // click 2
    await executeStep(deps, executors, applying.applying!, run);
    expect(await stateOf(id, 'resolve')).toBe('pending');
    await expect(approveStep(deps, { incidentId: id, stepId: 'resolve', actor: SRE })).rejects.toThrow(
      /only the Release Captain may approve `resolve`/,
    );
    expect(await stateOf(id, 'resolve')).toBe('pending');
    await approveStep(deps, { incidentId: id, stepId: 'resolve', actor: CAPTAIN }); // click 3: Approve is the run
    expect(await stateOf(id, 'resolve')).toBe('queued');
    await exec(id, 'resolve');
    expect((await deps.store.get(id)).incident.state).toBe('resolved');
    // The captain's Approve was the run: the incident is resolved by the captain, not by autopilot.
    expect((await deps.store.timeline(id)).find((e) => e.kind === 'incident_resolved')?.actor).toBe(CAPTAIN);

    const target = { actor: CAPTAIN, what: 'approved the target v1.2.2' };
    expect(await autoStarts(id)).toEqual([
      { step: 'pause_deploys', after: { actor: SRE, what: 'started the rollback' }, because: 'the incident started' },
      { step: 'revert_images', after: target, because: 'the target was approved' },
      { step: 'verify_cutover', after: target, because: 'the revert succeeded' },
      ...['smoke_tests', 'queue_health', 'auth_check'].map((step) => ({
        step,
        after: target,
        because: 'the cutover was verified',
      })),
      { step: 'resume_deploys', after: target, because: 'validation is done' },
      { step: 'resolve', after: { actor: CAPTAIN, what: 'approved resolve' }, because: 'resolve was approved' },
    ]);
    // The postmortem export says the same.
    expect(await exportTimeline(deps, id)).toContain(
      `Verify traffic cutover: started by autopilot (the revert succeeded), after ${CAPTAIN} approved the target v1.2.2`,
    );
    // No person is named as having run what they didn't click.
    const queuedBy = (await deps.store.timeline(id)).filter((e) => e.kind === 'step_queued').map((e) => e.actor);
    expect(new Set(queuedBy)).toEqual(new Set(['rollback-commander', 'autopilot', CAPTAIN]));
  });

  it('starts each step once when a job is delivered twice, and a lost enqueue is redone by the reconciler, not by a second start', async () => {
    const { id } = await start();
    await approveTarget(id);
    expect(await exec(id, 'revert_images')).toBe('done');
    expect(await exec(id, 'revert_images')).toBe('stale');
    // The process died after the commit, before the verify job reached Redis.
    await queue.queue.remove(jobIdOf(job(id, 'verify_cutover')));
    expect(await queue.jobState(job(id, 'verify_cutover'))).toBeNull();
    const { enqueued } = await reconcile(deps);
    expect(enqueued).toContainEqual(job(id, 'verify_cutover'));
    expect((await autoStarts(id)).filter((s) => s.step === 'verify_cutover')).toHaveLength(1);
  });

  it('stops at a failed step, says so, and resumes from there on Retry', async () => {
    const { id } = await start();
    await approveTarget(id);
    await exec(id, 'revert_images');
    failVerify = true;
    try {
      expect(await exec(id, 'verify_cutover')).toBe('failed');
    } finally {
      failVerify = false;
    }
    const failed = (await deps.store.timeline(id)).find((e) => e.kind === 'step_failed')!;
    expect(failed.payload.hint).toMatch(
      /^Autopilot stopped here: Retry it once the cause is fixed \(autopilot resumes from there\)/,
    );
    expect(await stateOf(id, 'smoke_tests')).toBe('pending');
    const snap = await deps.store.get(id);
    expect(autopilotStatus(snap, autopilotSettings(deps.config))).toEqual({
      state: 'halted',
      stepId: 'verify_cutover',
    });

    const retry = await runStep(deps, { incidentId: id, stepId: 'verify_cutover', actor: SRE });
    expect(await exec(id, 'verify_cutover', retry.attempt)).toBe('done');
    for (const step of ['smoke_tests', 'queue_health', 'auth_check']) expect(await stateOf(id, step)).toBe('queued');
  });

  it('stops when a person aborts a step: nothing after it starts, even what other steps enable, until Retry', async () => {
    const { id } = await start();
    await exec(id, 'select_release');
    await abortStep(deps, { incidentId: id, stepId: 'pause_deploys', actor: CAPTAIN, reason: 'doing it by hand' });
    await approveStep(deps, { incidentId: id, stepId: 'select_release', actor: CAPTAIN });
    expect(await stateOf(id, 'revert_images')).toBe('pending');
    expect(autopilotStatus(await deps.store.get(id), autopilotSettings(deps.config))).toEqual({
      state: 'halted',
      stepId: 'pause_deploys',
    });
    // Retry on the aborted step lifts the stop: the revert the approval enabled starts in that commit.
    await runStep(deps, { incidentId: id, stepId: 'pause_deploys', actor: SRE });
    expect(await stateOf(id, 'revert_images')).toBe('queued');
    const revert = (await autoStarts(id)).find((s) => s.step === 'revert_images');
    expect(revert).toMatchObject({ after: { actor: CAPTAIN, what: 'approved the target v1.2.2' } });
  });

  it('says what it does next and what it waits for', async () => {
    const { id } = await start();
    const settings = autopilotSettings(deps.config);
    expect(autopilotStatus(await deps.store.get(id), settings)).toEqual({
      state: 'on',
      next: { stepId: 'revert_images', waitsFor: 'the captain to approve the target' },
    });
    await approveTarget(id);
    expect(autopilotStatus(await deps.store.get(id), settings)).toEqual({
      state: 'on',
      next: { stepId: 'verify_cutover', waitsFor: 'the revert to succeed' },
    });
  });
});

describe('autopilot off', () => {
  it('for one incident (the modal switch, --no-autopilot): every step waits for its Run button', async () => {
    const { id } = await start(false);
    expect(await stateOf(id, 'pause_deploys')).toBe('pending');
    await approveTarget(id);
    expect(await stateOf(id, 'revert_images')).toBe('pending');
    expect(autopilotStatus(await deps.store.get(id), autopilotSettings(deps.config))).toEqual({ state: 'off' });
    expect(await autoStarts(id)).toEqual([]);
  });

  it('for one step in rollback.yml: that step waits for Run, and the steps after it still start by themselves', async () => {
    deps = depsWith('{ revert_images: false, pause_deploys: false }');
    const { id } = await start();
    expect(await stateOf(id, 'pause_deploys')).toBe('pending');
    await approveTarget(id);
    expect(await stateOf(id, 'revert_images')).toBe('pending');
    const queued = await runStep(deps, { incidentId: id, stepId: 'revert_images', actor: SRE });
    await executeStep(deps, executors, queued, run);
    expect(await stateOf(id, 'verify_cutover')).toBe('queued');
    expect((await autoStarts(id)).map((s) => s.step)).toEqual(['verify_cutover']);
  });
});
