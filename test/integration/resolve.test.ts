/**
 * resolve on real Postgres/Redis with an injected clock: the captain-approved close, the summary's
 * figures (TTD, time to decide, TTR, impact, SLA verdicts, who ran and approved each step, images,
 * how long deploys were paused), the GitHub issue comment through nock, the SLA timers going away,
 * and the postmortem export. Other steps are fakes that record what the real ones record.
 */
import type { Redis } from 'ioredis';
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createSlaTimerQueue } from '../../src/adapters/queue/sla-timer-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { parseResolutionReport, renderResolutionMrkdwn } from '../../src/adapters/slack/resolution-mrkdwn.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { StepId } from '../../src/domain/steps.ts';
import { correctTimes } from '../../src/flows/correct-times.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { executeStep } from '../../src/flows/execute-step.ts';
import type { Executors } from '../../src/flows/executor.ts';
import { exportTimeline } from '../../src/flows/export-timeline.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { approveStep, confirmStep, runStep, skipStep } from '../../src/flows/step-commands.ts';
import { createResolve } from '../../src/flows/steps/resolve/index.ts';
import { API, OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';

const MIN = 60_000;
const ISSUE = `https://github.com/${OWNER}/${REPO}/issues/77`;
let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let executors: Executors;
let timers: ReturnType<typeof createSlaTimerQueue>;
let t0 = new Date('2026-11-24T03:00:00Z');
let clock = t0;
const at = (minutes: number) => new Date(t0.getTime() + minutes * MIN);
const images = (tag: string) => ({
  api: `ghcr.io/valuecanvas/app:${tag}`,
  web: `ghcr.io/valuecanvas/web:${tag}`,
  worker: `ghcr.io/valuecanvas/worker:${tag}`,
});

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcres');
  const config = testConfig();
  const store = createPgIncidentStore(db.pool, config.environment.name);
  timers = createSlaTimerQueue({ connection: redis, prefix });
  deps = {
    store,
    queue: createBullmqStepQueue({ connection: redis, prefix, attempts: 1, backoffMs: 100 }),
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => clock,
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
    slaTimers: timers,
  };
  const ok = (summary: string, output: (now: Date) => Record<string, unknown> = () => ({})) => ({
    run: async () => ({ outcome: 'succeeded' as const, summary, output: output(clock) }),
  });
  executors = {
    announce: ok('announced'),
    capture_context: ok('captured'),
    select_release: {
      run: async () => ({
        outcome: 'awaiting_approval',
        summary: 'Proposed v1.2.2',
        output: { proposal: { version: 'v1.2.2', source: 'known_good' }, validTargets: ['v1.2.2'] },
      }),
    },
    pause_deploys: ok('Disabled deploy.yml', (now) => ({ pausedAt: now.toISOString() })),
    revert_images: ok('api, web, worker now run v1.2.2', () => ({ before: images('v1.2.3'), after: images('v1.2.2') })),
    smoke_tests: ok('Smoke tests passed'),
    queue_health: ok('agent:pending = 2'),
    resume_deploys: {
      plan: async () => ({ summary: 'Resuming will re-enable deploy.yml', plan: {} }),
      apply: async () => ({
        outcome: 'succeeded',
        summary: 'Re-enabled deploy.yml',
        output: { resumedAt: clock.toISOString() },
      }),
    },
    resolve: createResolve({
      store,
      comments: createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
    }),
  };
});

afterAll(async () => {
  await timers.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
  nock.cleanAll();
  nock.enableNetConnect();
});

beforeEach(async () => {
  t0 = new Date(t0.getTime() + 24 * 3600_000);
  clock = t0;
  await abortOpenIncidents(deps);
});

const exec = (incidentId: string, stepId: StepId, attempt: number, kind?: 'apply') =>
  executeStep(
    deps,
    executors,
    { incidentId, stepId, attempt, kind },
    { tryNumber: 1, maxTries: 1, signal: new AbortController().signal },
  );

async function run(incidentId: string, stepId: StepId, minute: number, actor = SRE) {
  clock = at(minute);
  const job = await runStep(deps, { incidentId, stepId, actor });
  await exec(incidentId, stepId, job.attempt);
}

/** Everything up to resolve: decided at +3m, restored at +20m (auth confirmed by a person), deploys paused +1m → +28m. */
async function rollBack(incident: Incident, options: { skipQueueHealth?: boolean } = {}): Promise<void> {
  for (const stepId of ['announce', 'capture_context', 'select_release'] as const) await exec(incident.id, stepId, 1);
  await run(incident.id, 'pause_deploys', 1);
  clock = at(3);
  await approveStep(deps, { incidentId: incident.id, stepId: 'select_release', actor: CAPTAIN });
  await run(incident.id, 'revert_images', 6);
  await run(incident.id, 'smoke_tests', 12);
  if (options.skipQueueHealth)
    await skipStep(deps, {
      incidentId: incident.id,
      stepId: 'queue_health',
      actor: CAPTAIN,
      reason: 'app Redis unreachable from the bot; LLEN checked by hand',
    });
  else await run(incident.id, 'queue_health', 14);
  await run(incident.id, 'auth_check', 15); // manual: no executor
  clock = at(20);
  await confirmStep(deps, { incidentId: incident.id, stepId: 'auth_check', actor: SRE, note: 'anon 401, user 200' });
  await run(incident.id, 'resume_deploys', 27);
  clock = at(28);
  const approved = await approveStep(deps, { incidentId: incident.id, stepId: 'resume_deploys', actor: CAPTAIN });
  await exec(incident.id, 'resume_deploys', approved.applying!.attempt, 'apply');
}

async function resolve(incidentId: string, minute: number): Promise<void> {
  clock = at(minute);
  await approveStep(deps, { incidentId, stepId: 'resolve', actor: CAPTAIN });
  await run(incidentId, 'resolve', minute, CAPTAIN);
}

describe('resolve', () => {
  it('closes a P1 with the summary, SLA verdicts and the TTD/TTR comment on the issue; its timers go away', async () => {
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
      issueUrl: ISSUE,
      impactStartedAt: at(-4),
    });
    await rollBack(incident);
    await expect(runStep(deps, { incidentId: incident.id, stepId: 'resolve', actor: SRE })).rejects.toThrow(
      '`resolve` needs approval first by the Release Captain',
    );
    await expect(approveStep(deps, { incidentId: incident.id, stepId: 'resolve', actor: SRE })).rejects.toThrow(
      'only the Release Captain may approve `resolve`',
    );

    let comment = '';
    nock(API)
      .matchHeader('authorization', `token ${TOKEN}`)
      .post(`/repos/${OWNER}/${REPO}/issues/77/comments`, (b: { body: string }) => ((comment = b.body), true))
      .reply(201, { id: 1, html_url: `${ISSUE}#issuecomment-1` });
    await resolve(incident.id, 30);
    expect(nock.pendingMocks()).toEqual([]);

    const snap = await deps.store.get(incident.id);
    expect(snap.incident).toMatchObject({
      state: 'resolved',
      resolvedAt: at(30),
      decidedAt: at(3),
      restoredAt: at(20),
    });
    const resolved = (await deps.store.timeline(incident.id)).find((e) => e.kind === 'incident_resolved')!;
    expect(resolved.actor).toBe(CAPTAIN);
    expect(resolved.payload).toMatchObject({
      ttdMs: 4 * MIN,
      decideMs: 3 * MIN,
      ttrMs: 20 * MIN,
      impactMs: 24 * MIN,
      pausedMs: 27 * MIN,
      severity: 'P1',
      sla: { decide: { verdict: 'met', tookMs: 3 * MIN }, restore: { verdict: 'met', tookMs: 20 * MIN } },
      issueComment: { url: `${ISSUE}#issuecomment-1` },
    });
    const summary = String(resolved.payload.summary);
    expect(summary).toContain('**TTD** 4m · **Time to decide** 3m · **TTR** 20m · **Impact** 24m');
    expect(summary).toContain('- Rollback decision within 10m: met (3m)\n- Service restored within 30m: met (20m)');
    expect(summary).toContain('| api | ghcr.io/valuecanvas/app:v1.2.3 | ghcr.io/valuecanvas/app:v1.2.2 |');
    expect(summary).toContain('**Deploys paused** 27m (pause_deploys → resume_deploys)');
    expect(summary).toContain(
      `- ✅ Select last known-good release — succeeded · run by rollback-commander · approved by Slack ${CAPTAIN} (Release Captain)`,
    );
    expect(summary).toContain(
      `- ✅ Validate RLS/auth flows — succeeded · run by Slack ${SRE} · confirmed by Slack ${SRE}`,
    );
    expect(summary).toContain(
      `- ✅ Resume deploys — succeeded · run by Slack ${SRE} · approved by Slack ${CAPTAIN} (Release Captain)`,
    );
    // Slack renders the report as mrkdwn (test/unit/slack-thread-lines.test.ts); the Markdown is for GitHub and the export.
    expect(resolved.payload.report).toMatchObject({
      incident: { badVersion: 'v1.2.3', targetVersion: 'v1.2.2' },
      pause: 'resumed',
    });
    expect(summary).toContain('- ▫️ Verify traffic cutover — not run');
    expect(
      comment.startsWith(
        '**Rollback resolved** — TTD 4m · TTR 20m\n\n### Rollback v1.2.3 → v1.2.2 in production: resolved',
      ),
    ).toBe(true);
    expect(comment).toContain(`approved by Slack ${CAPTAIN} (Release Captain)`);
    expect(comment).not.toContain('<@');
    expect(await timers.pending(incident.id)).toEqual([]);
  });

  it('P2: a late restore misses the 2-hour SLA, and a skipped validation step is named in the summary', async () => {
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.3',
      severity: 'P2',
      trigger: 'failed_smoke_tests',
      actor: SRE,
    });
    await rollBack(incident, { skipQueueHealth: true });
    clock = at(125);
    // The detection was really 2 minutes earlier than entered: TTR grows accordingly.
    await correctTimes(deps, { incidentId: incident.id, actor: CAPTAIN, detectedAt: at(-2) });
    await resolve(incident.id, 130);
    const resolved = (await deps.store.timeline(incident.id)).find((e) => e.kind === 'incident_resolved')!;
    expect(resolved.payload).toMatchObject({
      ttdMs: null,
      decideMs: 5 * MIN,
      ttrMs: 22 * MIN,
      impactMs: null,
      sla: { restore: { verdict: 'met', budgetMs: 120 * MIN } },
      issueComment: null,
    });
    expect(resolved.payload.sla).not.toHaveProperty('decide');
    expect(String(resolved.payload.summary)).toContain(
      '- Restored counts queue_health as skipped (app Redis unreachable from the bot; LLEN checked by hand)',
    );
    expect(String(resolved.payload.summary)).toContain(
      `- ⏭️ Confirm queue health — skipped by Slack ${CAPTAIN}: app Redis unreachable from the bot; LLEN checked by hand`,
    );
  });

  it("under autopilot the captain's Approve runs resolve: the summary names the captain, not autopilot", async () => {
    const manual = deps;
    const onlyResolve = 'pause_deploys revert_images verify_cutover migration_scope smoke_tests queue_health auth_check'
      .split(' ')
      .map((id) => `${id}: false`)
      .join(', ');
    deps = { ...manual, config: testConfig(`autopilot: { ${onlyResolve}, resume_deploys: false, resolve: true }`) };
    try {
      const incident = await startRollback(deps, {
        badVersion: 'v1.2.3',
        severity: 'P1',
        trigger: 'slo_breach',
        actor: SRE,
      });
      await rollBack(incident);
      clock = at(30);
      await approveStep(deps, { incidentId: incident.id, stepId: 'resolve', actor: CAPTAIN });
      const timeline = await deps.store.timeline(incident.id);
      expect(timeline.findLast((e) => e.kind === 'step_queued')).toMatchObject({
        stepId: 'resolve',
        actor: 'autopilot',
      });
      await exec(incident.id, 'resolve', 1);

      const resolved = (await deps.store.timeline(incident.id)).find((e) => e.kind === 'incident_resolved')!;
      expect(resolved.actor).toBe(CAPTAIN);
      const summary = String(resolved.payload.summary);
      expect(summary.split('\n')).toContain(
        `- ✅ Resolve the incident — succeeded · approved by Slack ${CAPTAIN} (Release Captain)`,
      );
      expect(summary).not.toContain('autopilot');
      // Slack's rendering of the same report.
      const report = parseResolutionReport(resolved.payload.report)!;
      expect(renderResolutionMrkdwn(report).split('\n')).toContain(
        `• ✅ Resolve the incident — succeeded · approved by <@${CAPTAIN}> (Release Captain)`,
      );
      // The steps people ran keep their runner.
      expect(summary.split('\n')).toContain(`- ✅ Revert container images — succeeded · run by Slack ${SRE}`);
    } finally {
      deps = manual;
    }
  });

  it('still closes the incident when the issue cannot be commented on, and says so', async () => {
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
      issueUrl: ISSUE,
    });
    await rollBack(incident);
    nock(API)
      .post(`/repos/${OWNER}/${REPO}/issues/77/comments`)
      .reply(403, { message: 'Resource not accessible by integration' });
    await resolve(incident.id, 40);
    const snap = await deps.store.get(incident.id);
    expect(snap.incident.state).toBe('resolved');
    expect(snap.steps.get('resolve')!.summary).toMatch(
      /^Resolved: TTD unknown \(first bad request not entered\) · TTR 20m; decide SLA met, restore SLA met; could not comment on the issue: .*issues=write/,
    );
  });
});

describe('export', () => {
  it('renders the postmortem timeline from the timeline table', async () => {
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
      impactStartedAt: at(-4),
    });
    await rollBack(incident);
    await resolve(incident.id, 31); // no issue link: no comment (nock would refuse one)
    const md = await exportTimeline(deps, incident.id);
    const iso = (m: number) => at(m).toISOString().replace('.000Z', 'Z');
    expect(md).toContain(`# ${incident.id}: rollback of v1.2.3 → v1.2.2 (production)`);
    expect(md).toContain(`| Detected | ${iso(0)} | TTD 4m |`);
    expect(md).toContain(`| Restored (validation passed) | ${iso(20)} | TTR 20m · impact 24m |`);
    expect(md).toContain(`- Service restored within 30m (due ${iso(30)}): **met** at ${iso(20)}`);
    expect(md).toContain(`| ${iso(3)} | ${CAPTAIN} | Target release v1.2.2 approved (known_good) |`);
    expect(md).toContain(
      `| ${iso(20)} | ${SRE} | Validate RLS/auth flows: confirmed — Confirmed by @${SRE}: anon 401, user 200 |`,
    );
    expect(md).toContain(`| ${iso(20)} | rollback-commander | Application restored: validation passed (TTR 20m) |`);
    expect(md).toContain(`| ${iso(31)} | ${CAPTAIN} | Incident resolved: TTD 4m, TTR 20m |`);
    const rows = md.split('\n').filter((l) => /^\| \d{4}-/.test(l));
    expect(rows).toHaveLength(
      (await deps.store.timeline(incident.id)).filter((e) => e.kind !== 'step_progress').length,
    );
  });
});
