/**
 * The engine's flows on real Postgres and a real BullMQ queue (no worker): authorization,
 * prerequisites, approvals, stale clicks, one open incident per environment, append-only timeline.
 */

import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue, jobIdOf } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { renderChecklist as renderSlackChecklist } from '../../src/adapters/slack/checklist-blocks.ts';
import { formatThreadLine } from '../../src/adapters/slack/thread-lines.ts';
import { renderChecklist, renderTimeline } from '../../src/app/text-report.ts';
import { RUNBOOK } from '../../src/domain/steps.ts';
import { mentionOf } from '../../src/domain/user-text.ts';
import { withCliOrigin } from '../../src/flows/cli-origin-store.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { executeStep } from '../../src/flows/execute-step.ts';
import type { Executors } from '../../src/flows/executor.ts';
import { exportTimeline } from '../../src/flows/export-timeline.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { approveStep, runStep, skipStep } from '../../src/flows/step-commands.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, DB_OWNER, SRE, STAKEHOLDER, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';

let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let queue: ReturnType<typeof createBullmqStepQueue>;
let clock = new Date('2026-11-24T03:00:00Z');

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcq');
  const config = testConfig();
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 3, backoffMs: 100 });
  deps = {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => clock,
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
  };
});

afterAll(async () => {
  await queue.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

beforeEach(async () => {
  clock = new Date(clock.getTime() + 3600_000);
  await abortOpenIncidents(deps);
});

async function start(overrides: Partial<Parameters<typeof startRollback>[1]> = {}) {
  return startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE, ...overrides });
}

describe('starting a rollback', () => {
  it('opens the incident with every runbook step and queues the read-only immediate steps', async () => {
    const incident = await start({ issueUrl: 'https://github.com/ValueCanvas/ValueCanvas/issues/9' });
    const snap = await deps.store.get(incident.id);
    expect(snap.steps.size).toBe(RUNBOOK.length);
    expect(snap.steps.get('announce')?.state).toBe('queued');
    expect(snap.steps.get('select_release')?.state).toBe('queued');
    expect(snap.steps.get('pause_deploys')?.state).toBe('pending');
    expect(await queue.jobState({ incidentId: incident.id, stepId: 'select_release', attempt: 1 })).toBe('waiting');
    const kinds = (await deps.store.timeline(incident.id)).map((e) => e.kind);
    expect(kinds).toEqual(['incident_started', 'step_queued', 'step_queued', 'step_queued']);
  });

  it('refuses a second rollback for the same environment and names the open one', async () => {
    const first = await start();
    await expect(start({ badVersion: 'v1.2.4' })).rejects.toThrow(
      new RegExp(`already open for production: \`${first.id}\``),
    );
  });

  it('refuses a version that is not a release tag, and a target newer than the bad release', async () => {
    await expect(start({ badVersion: '1.2.3; rm -rf' })).rejects.toThrow(
      /`1.2.3; rm -rf` is not a version for the bad release/,
    );
    await expect(start({ target: 'v1.3.0' })).rejects.toThrow(
      /`v1.3.0` is newer than `v1.2.3`: a rollback goes to an older release/,
    );
    await expect(start({ impactStartedAt: new Date(clock.getTime() + 1000), detectedAt: clock })).rejects.toThrow(
      /cannot be after the detection/,
    );
  });

  it('refuses a stakeholder', async () => {
    await expect(start({ actor: STAKEHOLDER })).rejects.toThrow(
      /only the Release Captain or On-Call SRE may start a rollback \(you are no role\)/,
    );
  });
});

describe('step commands', () => {
  it('runs a step once however many identical clicks arrive together', async () => {
    const incident = await start();
    const version = (await deps.store.get(incident.id)).steps.get('pause_deploys')!.version;
    const clicks = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        runStep(deps, { incidentId: incident.id, stepId: 'pause_deploys', actor: SRE, expectedVersion: version }),
      ),
    );
    expect(clicks.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    const refusals = clicks
      .filter((c): c is PromiseRejectedResult => c.status === 'rejected')
      .map((c) => (c.reason as Error).message);
    expect(refusals).toHaveLength(19);
    expect(refusals.every((m) => m.includes('out of date') && m.includes('now queued'))).toBe(true);
    const step = (await deps.store.get(incident.id)).steps.get('pause_deploys')!;
    expect(step.attempt).toBe(1);
    const counts = await queue.queue.getJobCounts('waiting', 'active', 'delayed');
    const jobs = await queue.queue.getJobs(['waiting']);
    expect(
      jobs.filter((j) => j.id === jobIdOf({ incidentId: incident.id, stepId: 'pause_deploys', attempt: 1 })),
    ).toHaveLength(1);
    expect(counts.waiting).toBeGreaterThanOrEqual(1);
    const timeline = await deps.store.timeline(incident.id);
    expect(timeline.filter((e) => e.kind === 'step_queued' && e.stepId === 'pause_deploys')).toHaveLength(1);
    expect(timeline.filter((e) => e.kind === 'action_refused' && e.stepId === 'pause_deploys')).toHaveLength(19);
  });

  it('refuses revert before a target is approved, and a non-captain approving it', async () => {
    const incident = await start();
    await expect(runStep(deps, { incidentId: incident.id, stepId: 'revert_images', actor: SRE })).rejects.toThrow(
      /needs `select_release` to finish first/,
    );
    await expect(approveStep(deps, { incidentId: incident.id, stepId: 'select_release', actor: SRE })).rejects.toThrow(
      `only the Release Captain may approve \`select_release\` (you are On-Call SRE). Ask ${mentionOf('UCAPTAIN1')}`,
    );
    const refusals = (await deps.store.timeline(incident.id)).filter((e) => e.kind === 'action_refused');
    expect(refusals.map((e) => e.payload.action)).toEqual(['run', 'approve']);
  });

  it('shows a plan, needs two different people to approve it, then applies exactly that plan', async () => {
    const incident = await start();
    // migration_revert waits for migration_scope: finish it by skipping.
    await skipStep(deps, {
      incidentId: incident.id,
      stepId: 'migration_scope',
      actor: CAPTAIN,
      reason: 'checked by hand: rollback needed',
    });
    await expect(
      approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN }),
    ).rejects.toThrow(/`migration_revert` is pending: it cannot be approved now/);
    const applied: unknown[] = [];
    const executors: Executors = {
      migration_revert: {
        plan: async () => ({
          summary: 'apply 20261120_add_orgs.down.sql: drop table orgs',
          plan: { sql: 'drop table orgs;' },
        }),
        apply: async (ctx) => {
          applied.push(ctx.plan);
          return { outcome: 'succeeded', summary: 'reverted 20261120_add_orgs' };
        },
      },
    };
    const run = { tryNumber: 1, maxTries: 1, signal: new AbortController().signal };
    const job = await runStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER });
    expect(await executeStep(deps, executors, job, run)).toBe('done');
    const planned = (await deps.store.get(incident.id)).steps.get('migration_revert')!;
    expect(planned).toMatchObject({
      state: 'awaiting_approval',
      summary: 'apply 20261120_add_orgs.down.sql: drop table orgs',
    });

    const first = await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN });
    expect(first).toEqual({ complete: false });
    await expect(
      approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN }),
    ).rejects.toThrow(
      /you already approved `migration_revert`; the remaining approval \(Database Owner\) must come from a different person/,
    );
    await expect(
      approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: SRE }),
    ).rejects.toThrow(/only the Release Captain or Database Owner may approve/);
    expect(applied).toEqual([]);
    const second = await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER });
    expect(second).toEqual({
      complete: true,
      applying: { incidentId: incident.id, stepId: 'migration_revert', attempt: 1, kind: 'apply' },
    });
    expect(await queue.jobState(second.applying!)).toBe('waiting');
    expect(await executeStep(deps, executors, second.applying!, run)).toBe('done');
    expect(applied).toEqual([{ sql: 'drop table orgs;' }]);
    const done = await deps.store.get(incident.id);
    expect(done.steps.get('migration_revert')).toMatchObject({ state: 'succeeded', attempt: 1 });
    expect(done.approvals.filter((a) => a.stepId === 'migration_revert').map((a) => [a.userId, a.role])).toEqual([
      [CAPTAIN, 'release_captain'],
      [DB_OWNER, 'database_owner'],
    ]);
  });

  it('needs two OS accounts for a two-person approval from the CLI, and records each one', async () => {
    const alice = { osUser: 'alice', host: 'bastion-1' };
    const bob = { osUser: 'bob', host: 'bastion-2' };
    const fromCli = (origin: typeof alice): FlowDeps => ({ ...deps, origin, store: withCliOrigin(deps.store, origin) });
    const incident = await start();
    await skipStep(fromCli(alice), {
      incidentId: incident.id,
      stepId: 'migration_scope',
      actor: CAPTAIN,
      reason: 'checked by hand',
    });
    const executors: Executors = {
      migration_revert: {
        plan: async () => ({ summary: 'apply the down file', plan: {} }),
        apply: async () => ({ outcome: 'succeeded', summary: 'reverted' }),
      },
    };
    const job = await runStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER });
    await executeStep(deps, executors, job, { tryNumber: 1, maxTries: 1, signal: new AbortController().signal });

    expect(
      await approveStep(fromCli(alice), { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN }),
    ).toEqual({ complete: false });
    // Same shell, another --as: still one person.
    await expect(
      approveStep(fromCli(alice), { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER }),
    ).rejects.toThrow(
      'OS user alice already approved `migration_revert` (as UCAPTAIN1); the other approval must come from a different person',
    );
    expect(
      (await approveStep(fromCli(bob), { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER }))
        .complete,
    ).toBe(true);

    const snap = await deps.store.get(incident.id);
    expect(snap.approvals.filter((a) => a.stepId === 'migration_revert').map((a) => [a.userId, a.via])).toEqual([
      [CAPTAIN, alice],
      [DB_OWNER, bob],
    ]);
    expect(snap.steps.get('migration_scope')).toMatchObject({ actor: CAPTAIN, actorVia: alice });
    const timeline = await deps.store.timeline(incident.id);
    const refusal = timeline.find((e) => e.kind === 'action_refused')!;
    expect(refusal).toMatchObject({ actor: DB_OWNER, payload: { via: alice } });
    const approved = timeline.filter((e) => e.kind === 'approval_given');
    expect(approved.map((e) => e.payload.via)).toEqual([alice, bob]);
    // The same words everywhere the action is shown: thread, checklist, export, CLI status.
    expect(formatThreadLine(approved[0]!)).toContain('<@UCAPTAIN1> (via CLI: alice@bastion-1 as UCAPTAIN1) approved');
    const checklist = JSON.stringify(
      renderSlackChecklist({
        incident: snap.incident,
        steps: snap.steps,
        approvals: snap.approvals,
        now: clock,
        environment: { name: 'production', namespace: 'prod' },
        sla: { decideMs: 600_000, restoreMs: 1_800_000 },
        roles: { release_captain: [CAPTAIN], oncall_sre: [SRE], database_owner: [DB_OWNER] },
      }),
    );
    expect(checklist).toContain('approved by <@UDBOWNER1> (via CLI: bob@bastion-2 as UDBOWNER1)');
    expect(checklist).toContain('skipped by <@UCAPTAIN1> (via CLI: alice@bastion-1 as UCAPTAIN1)');
    expect(await exportTimeline(deps, incident.id)).toContain('| UDBOWNER1 (via CLI: bob@bastion-2 as UDBOWNER1) |');
    expect(renderTimeline(timeline)).toContain('UCAPTAIN1 (via CLI: alice@bastion-1 as UCAPTAIN1)');
    expect(renderChecklist(snap, clock)).toContain(
      'approved by UCAPTAIN1 (via CLI: alice@bastion-1 as UCAPTAIN1) as release_captain',
    );
  });

  it('starts a new attempt, needing new approvals, when applying a plan leads to another plan', async () => {
    const incident = await start();
    await skipStep(deps, {
      incidentId: incident.id,
      stepId: 'migration_scope',
      actor: CAPTAIN,
      reason: 'checked by hand: two to revert',
    });
    let applies = 0;
    const executors: Executors = {
      migration_revert: {
        plan: async () => ({ summary: 'revert 20261120_add_orgs', plan: { version: '20261120_add_orgs' } }),
        apply: async () =>
          ++applies === 1
            ? {
                outcome: 'awaiting_approval',
                summary: 'reverted 20261120_add_orgs; next: revert 20261110_add_projects',
                output: { plan: { version: '20261110_add_projects' } },
              }
            : { outcome: 'succeeded', summary: 'reverted 20261110_add_projects' },
      },
    };
    const run = { tryNumber: 1, maxTries: 1, signal: new AbortController().signal };
    await executeStep(
      deps,
      executors,
      await runStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER }),
      run,
    );
    await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN });
    const firstApply = (
      await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER })
    ).applying!;
    await executeStep(deps, executors, firstApply, run);
    const waiting = (await deps.store.get(incident.id)).steps.get('migration_revert')!;
    expect(waiting).toMatchObject({
      state: 'awaiting_approval',
      attempt: 2,
      output: expect.objectContaining({ plan: { version: '20261110_add_projects' } }),
    });
    // The attempt-1 approvals do not carry over to the new plan.
    expect(
      (await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: CAPTAIN })).complete,
    ).toBe(false);
    const secondApply = (
      await approveStep(deps, { incidentId: incident.id, stepId: 'migration_revert', actor: DB_OWNER })
    ).applying!;
    expect(secondApply).toEqual({ incidentId: incident.id, stepId: 'migration_revert', attempt: 2, kind: 'apply' });
    await executeStep(deps, executors, secondApply, run);
    expect((await deps.store.get(incident.id)).steps.get('migration_revert')).toMatchObject({
      state: 'succeeded',
      attempt: 2,
    });
  });

  it('needs a reason to skip and lets only the captain skip', async () => {
    const incident = await start();
    await expect(
      skipStep(deps, { incidentId: incident.id, stepId: 'pause_deploys', actor: CAPTAIN, reason: '  ' }),
    ).rejects.toThrow(/needs a reason/);
    await expect(
      skipStep(deps, { incidentId: incident.id, stepId: 'pause_deploys', actor: SRE, reason: 'x' }),
    ).rejects.toThrow(/only the Release Captain may skip/);
    await skipStep(deps, {
      incidentId: incident.id,
      stepId: 'pause_deploys',
      actor: CAPTAIN,
      reason: 'deploys already frozen',
    });
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')?.summary).toContain('deploys already frozen');
  });

  it('answers an unknown incident clearly', async () => {
    await expect(runStep(deps, { incidentId: 'rb-999999', stepId: 'pause_deploys', actor: SRE })).rejects.toThrow(
      /there is no incident `rb-999999`/,
    );
  });
});

describe('the incident record', () => {
  it('keeps both checklist refs when the two channels land at the same time', async () => {
    const incident = await start();
    await Promise.all([
      deps.store.setChatRef(incident.id, 'incidents', { channel: 'C0INCIDENTS', ts: '1.1' }),
      deps.store.setChatRef(incident.id, 'releases', { channel: 'C0RELEASES', ts: '2.2' }),
    ]);
    expect((await deps.store.get(incident.id)).incident.chat).toEqual({
      incidents: { channel: 'C0INCIDENTS', ts: '1.1' },
      releases: { channel: 'C0RELEASES', ts: '2.2' },
    });
  });
});

describe('the timeline', () => {
  it('is append-only in the database itself', async () => {
    const incident = await start();
    await expect(
      db.pool.query('update timeline set kind = $1 where incident_id = $2', ['edited', incident.id]),
    ).rejects.toThrow(/append-only/);
    await expect(db.pool.query('delete from timeline where incident_id = $1', [incident.id])).rejects.toThrow(
      /append-only/,
    );
  });
});
