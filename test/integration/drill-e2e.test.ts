/**
 * Drill mode end to end with no config at all: the drill starts its own world (the Kubernetes
 * and GitHub simulators, an app database, the app's Redis) and the real bot on it; `app-only`
 * and `failed-rollout` are played through the programmatic API (the console's HTTP layer sits on
 * it). Asserted: the simulated cluster's images, the simulated GitHub's state, the timeline and
 * the drill report.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DRILL_NAMESPACE } from '../../src/drill/drill-config.ts';
import type { Drill } from '../../src/drill/drill.ts';
import { startTestDrill, untilStep as untilStepOf } from '../support/drill.ts';
import { actAs, applyWorldAction, drillSummary, startDrillScenario } from '../../src/drill/play.ts';
import type { StepState } from '../../src/domain/incident.ts';
import type { StepId } from '../../src/domain/steps.ts';
import { dropTestState, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

let drill: Drill;
const NAME = uniqueName('drill');

beforeAll(async () => {
  drill = await startTestDrill(NAME);
}, 60_000);

afterAll(async () => {
  await drill?.stop();
  // The drill's own schema and queue prefix carry its name.
  await dropTestState(NAME, NAME);
});

async function step(id: string, stepId: StepId) {
  return (await drill.deps.store.get(id)).steps.get(stepId)!;
}

const untilStep = (id: string, stepId: StepId, state: StepState) => untilStepOf(drill, id, stepId, state);

const images = (version: string) => ({ api: `ghcr.io/drill-org/api:${version}`, web: `ghcr.io/drill-org/web:${version}`, worker: `ghcr.io/drill-org/worker:${version}` });

/** From the cutover on, the same in every application scenario: validate, resume, resolve. */
async function validateResumeResolve(id: string): Promise<void> {
  await untilStep(id, 'verify_cutover', 'awaiting_confirmation');
  await actAs(drill, 'sre', 'confirm', 'verify_cutover', { note: 'error rate back to baseline' });
  await untilStep(id, 'auth_check', 'awaiting_confirmation');
  await actAs(drill, 'sre', 'confirm', 'auth_check', { note: 'sign-in works' });
  await until('the app to be restored', async () => (await drill.deps.store.get(id)).incident.restoredAt);
  await untilStep(id, 'resume_deploys', 'awaiting_approval');
  await actAs(drill, 'captain', 'approve', 'resume_deploys');
  await untilStep(id, 'resume_deploys', 'succeeded');
  // Deploys resumed: the workflow is back on and auto-merge is back on the PRs that had it.
  const gh = drill.world.github.state;
  expect(gh.workflows.find((w) => w.file === 'deploy.yml')!.state).toBe('active');
  expect(gh.pullRequests.map((p) => [p.number, p.autoMerge])).toEqual([[41, 'SQUASH'], [42, 'MERGE'], [43, null]]);
  await actAs(drill, 'captain', 'approve', 'resolve');
  await until('the drill to be resolved', async () => (await drill.deps.store.get(id)).incident.state === 'resolved');
}

it('plays app-only: pause, the captain approves v1.2.2, rollback, validation, resume and resolve, scored', async () => {
  const { incident } = await startDrillScenario(drill, 'app-only');
  const id = incident.id;
  expect(incident.drill).toBe(true);
  expect(drill.world.images()).toEqual(images('v1.2.3'));
  // v1.2.2 and v1.2.1 are in each Deployment's ReplicaSet history.
  expect(drill.world.kube.replicaSets(DRILL_NAMESPACE, 'api').map((rs) => rs.spec.template.spec.containers[0]!.image)).toEqual(['ghcr.io/drill-org/api:v1.2.3', 'ghcr.io/drill-org/api:v1.2.2', 'ghcr.io/drill-org/api:v1.2.1']);

  // Autopilot paused deploys on the simulated GitHub: workflow off, runs in flight cancelled, auto-merge off.
  await untilStep(id, 'pause_deploys', 'succeeded');
  const gh = drill.world.github.state;
  expect(gh.workflows.find((w) => w.file === 'deploy.yml')!.state).toBe('disabled_manually');
  expect(gh.runs.filter((r) => r.workflow === 'deploy.yml').map((r) => [r.id, r.conclusion])).toEqual([[7001, 'success'], [7002, 'cancelled'], [7003, 'cancelled']]);
  expect(gh.pullRequests.every((p) => p.autoMerge === null)).toBe(true);

  const proposal = await untilStep(id, 'select_release', 'awaiting_approval');
  expect(proposal.summary).toContain('v1.2.2');
  // The same role checks as Slack and the CLI: the SRE may not approve the target.
  await expect(actAs(drill, 'sre', 'approve', 'select_release')).rejects.toThrow(/only the Release Captain/);
  await actAs(drill, 'captain', 'approve', 'select_release');
  await untilStep(id, 'revert_images', 'succeeded');
  expect(drill.world.images()).toEqual(images('v1.2.2'));
  // The database was scoped on its own: v1.2.3 shipped no migration.
  expect((await untilStep(id, 'migration_scope', 'succeeded')).summary).toContain('no database rollback needed');

  await validateResumeResolve(id);
  const timeline = await drill.deps.store.timeline(id);
  const kinds = timeline.map((e) => e.kind);
  expect(timeline[0]).toMatchObject({ kind: 'incident_started', payload: { drill: true } });
  for (const kind of ['target_approved', 'app_restored', 'incident_resolved']) expect(kinds).toContain(kind);
  expect(kinds.indexOf('target_approved')).toBeLessThan(kinds.indexOf('app_restored'));
  // A drill posts no issue comment, and the summary says so.
  expect(gh.comments).toEqual([]);
  expect((await step(id, 'resolve')).summary).toContain('drill: no comment on the issue');

  const { markdown, report } = await drillSummary(drill, id);
  expect(report.verdict).toBe('passed');
  expect(report.durations.ttdMs).toBe(3 * 60_000);
  expect(report.waiting.humansMs + report.waiting.botMs + report.waiting.rolloutsMs).toBe(report.totalMs);
  expect(report.waiting.rolloutsMs).toBeGreaterThan(0);
  expect(markdown).toContain('**TTD** 3m');
  expect(markdown).toMatch(/## Drill report — passed: every SLA met/);
}, 120_000);

it('plays failed-rollout: the progress deadline fails the revert, the fix and a Retry finish it', async () => {
  const { incident } = await startDrillScenario(drill, 'failed-rollout');
  const id = incident.id;
  // The world is back at the start: the bad release runs again, deploys are live.
  expect(drill.world.images()).toEqual(images('v1.2.3'));
  await untilStep(id, 'select_release', 'awaiting_approval');
  await actAs(drill, 'captain', 'approve', 'select_release');
  const failed = await untilStep(id, 'revert_images', 'failed');
  expect(failed.error).toMatch(/progress deadline|ProgressDeadlineExceeded/i);
  const failure = (await drill.deps.store.timeline(id)).find((e) => e.kind === 'step_failed' && e.stepId === 'revert_images')!;
  expect(String(failure.payload.hint ?? '')).not.toBe('');

  applyWorldAction(drill, 'fix-rollout');
  await actAs(drill, 'sre', 'retry', 'revert_images');
  await untilStep(id, 'revert_images', 'succeeded');
  expect(drill.world.images()).toEqual(images('v1.2.2'));
  await validateResumeResolve(id);

  const { report } = await drillSummary(drill, id);
  expect(report.finished).toBe(true);
  expect(report.waiting.rolloutsMs).toBeGreaterThan(0);
}, 120_000);
