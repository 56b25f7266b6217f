/**
 * Drill mode end to end with no config at all, driven through the console's HTTP API — what a
 * person (or a script) does against `npm start`: the drill starts its own world (the Kubernetes and
 * GitHub simulators, an app database, the app's Redis) and the real bot on it; `app-only` and
 * `failed-rollout` are started with POST /api/drill/scenarios/:name, every click is POST
 * /api/incidents/:id/actions as the role that makes it, the world action is POST
 * /api/drill/world/fix-rollout, and state is read back over GET /api/incidents/:id (and its JSON
 * export). Asserted: the simulated cluster's images, the simulated GitHub's state, the timeline and
 * the drill report from GET /api/drill/report/:id.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Role, StepId } from '../../src/domain/steps.ts';
import type { Drill } from '../../src/drill/drill.ts';
import { DRILL_NAMESPACE, DRILL_USERS } from '../../src/drill/drill-config.ts';
import { startTestDrill } from '../support/drill.ts';
import { dropTestState, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

let drill: Drill;
let origin: string;
const NAME = uniqueName('drill');

beforeAll(async () => {
  // startDrill with no rollback.yml, no Slack, GitHub or Kubernetes settings (fast world timings).
  drill = await startTestDrill(NAME);
  origin = new URL(drill.url).origin;
}, 60_000);

afterAll(async () => {
  await drill?.stop();
  // The drill's own schema and queue prefix carry its name.
  await dropTestState(NAME, NAME);
});

interface ApiError {
  ok: false;
  error: { code: string; message: string };
}
interface Row {
  kind: string;
  step: string;
  state?: string;
  version?: number;
}
interface IncidentJson {
  id: string;
  state: string;
  drill: boolean;
  severity: string;
  impactStartedAt: string;
  detectedAt: string;
  decidedAt: string | null;
  restoredAt: string | null;
  resolvedAt: string | null;
  targetVersion: string | null;
  createdAt: string;
}
interface View {
  mode: string;
  incident: IncidentJson;
  checklist: { rows: Row[] }[];
  timeline: { kind: string; step: string | null; text: string }[];
}
interface Exported {
  steps: { id: string; state: string; summary: string | null; error: string | null; actor: string | null }[];
  timeline: { kind: string; step: string | null; payload: Record<string, unknown> }[];
}
interface Verdict {
  milestone: 'decide' | 'restore';
  budgetMs: number;
  dueAt: string;
  metAt: string | null;
  verdict: string;
  tookMs: number;
}
interface ReportJson {
  incident: IncidentJson;
  markdown: string;
  report: {
    durations: { ttdMs: number; decideMs: number; ttrMs: number; impactMs: number };
    totalMs: number;
    waiting: { humansMs: number; botMs: number; rolloutsMs: number };
    sla: Verdict[];
    verdict: string;
    finished: boolean;
  };
}

async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T }> {
  // A script without a token sends the console's own Origin (POSTs from anywhere else are refused).
  const headers: Record<string, string> =
    method === 'POST' ? { origin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } : {};
  const res = await fetch(new URL(path, drill.url), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

async function startScenario(name: string): Promise<string> {
  const { status, json } = await api<{ ok: boolean; incident: string }>('POST', `/api/drill/scenarios/${name}`);
  expect(status).toBe(200);
  return json.incident;
}

const view = async (id: string) => (await api<View>('GET', `/api/incidents/${id}`)).json;
const exported = async (id: string) => (await api<Exported>('GET', `/api/incidents/${id}/export?format=json`)).json;
const summaryOf = async (id: string, step: StepId) => (await exported(id)).steps.find((s) => s.id === step)!;

/** Waits over GET /api/incidents/:id for a step's checklist row to reach `state`. */
function untilStep(id: string, step: StepId, state: string, timeoutMs = 30_000): Promise<Row> {
  return until(
    `${step} to be ${state} (GET /api/incidents/${id})`,
    async () => {
      const row = (await view(id)).checklist.flatMap((p) => p.rows).find((r) => r.step === step);
      if (row?.state === 'failed' && state !== 'failed')
        throw new Error(`${step} failed: ${(await summaryOf(id, step)).error}`);
      return row?.state === state ? row : null;
    },
    timeoutMs,
  );
}

type Act = { action: string; step?: StepId; note?: string; reason?: string };
/** A click in the console as `as`: POST /api/incidents/:id/actions. */
async function act(id: string, as: Role, body: Act) {
  return api<{ ok: true; message: string; actor: string } | ApiError>('POST', `/api/incidents/${id}/actions`, {
    ...body,
    as,
  });
}
async function actOk(id: string, as: Role, body: Act) {
  const res = await act(id, as, body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect(res.json).toMatchObject({ ok: true, actor: DRILL_USERS[as] });
}

const images = (version: string) => ({
  api: `ghcr.io/drill-org/api:${version}`,
  web: `ghcr.io/drill-org/web:${version}`,
  worker: `ghcr.io/drill-org/worker:${version}`,
});

/** From the cutover on, the same in every application scenario: validate, resume, resolve. */
async function validateResumeResolve(id: string): Promise<void> {
  await untilStep(id, 'verify_cutover', 'awaiting_confirmation');
  await actOk(id, 'oncall_sre', { action: 'confirm', step: 'verify_cutover', note: 'error rate back to baseline' });
  await untilStep(id, 'auth_check', 'awaiting_confirmation');
  await actOk(id, 'oncall_sre', { action: 'confirm', step: 'auth_check', note: 'sign-in works' });
  await until('the app to be restored', async () => (await view(id)).incident.restoredAt);
  await untilStep(id, 'resume_deploys', 'awaiting_approval');
  await actOk(id, 'release_captain', { action: 'approve', step: 'resume_deploys' });
  await untilStep(id, 'resume_deploys', 'succeeded');
  // Deploys resumed: the workflow is back on and auto-merge is back on the PRs that had it.
  const gh = drill.world.github.state;
  expect(gh.workflows.find((w) => w.file === 'deploy.yml')!.state).toBe('active');
  expect(gh.pullRequests.map((p) => [p.number, p.autoMerge])).toEqual([
    [41, 'SQUASH'],
    [42, 'MERGE'],
    [43, null],
  ]);
  await actOk(id, 'release_captain', { action: 'approve', step: 'resolve' });
  await until('the drill to be resolved', async () => (await view(id)).incident.state === 'resolved');
}

const ms = (iso: string | null) => (iso ? new Date(iso).getTime() : NaN);

/** GET /api/drill/report/:id: TTD/TTR and the SLA verdicts, checked against the incident's own times. */
async function reportOf(id: string): Promise<ReportJson> {
  const { status, json } = await api<ReportJson>('GET', `/api/drill/report/${id}`);
  expect(status).toBe(200);
  const { incident: i, report } = json;
  const fromApi = (await view(id)).incident;
  expect(i).toMatchObject({
    id,
    state: 'resolved',
    restoredAt: fromApi.restoredAt,
    detectedAt: fromApi.detectedAt,
    impactStartedAt: fromApi.impactStartedAt,
  });
  expect(report.finished).toBe(true);
  expect(report.durations.ttdMs).toBe(ms(i.detectedAt) - ms(i.impactStartedAt));
  expect(report.durations.ttrMs).toBe(ms(i.restoredAt) - ms(i.detectedAt));
  expect(report.durations.decideMs).toBe(ms(i.decidedAt) - ms(i.detectedAt));
  expect(report.durations.impactMs).toBe(ms(i.restoredAt) - ms(i.impactStartedAt));
  expect(report.totalMs).toBe(report.waiting.humansMs + report.waiting.botMs + report.waiting.rolloutsMs);
  // A P1: a decision and a restore budget, each met at the incident's own decided/restored time.
  expect(report.sla.map((s) => s.milestone)).toEqual(['decide', 'restore']);
  for (const s of report.sla) {
    const metAt = s.milestone === 'decide' ? i.decidedAt : i.restoredAt;
    expect(s.metAt).toBe(metAt);
    expect(ms(s.dueAt)).toBe(ms(i.detectedAt) + s.budgetMs);
    expect(s.tookMs).toBe(ms(metAt) - ms(i.detectedAt));
    expect(s.verdict).toBe(ms(metAt) <= ms(s.dueAt) ? 'met' : 'missed');
  }
  expect(report.verdict).toBe(report.sla.every((s) => s.verdict === 'met') ? 'passed' : 'failed');
  return json;
}

it('plays app-only over HTTP: pause, the captain approves v1.2.2, rollback, validation, resume and resolve, scored', async () => {
  // The console's drill page lists the scenarios and no open drill.
  const before = await api<{ scenarios: { name: string }[]; open: unknown }>('GET', '/api/drill');
  expect(before.json.scenarios.map((s) => s.name)).toEqual(expect.arrayContaining(['app-only', 'failed-rollout']));
  expect(before.json.open).toBeNull();

  const id = await startScenario('app-only');
  const first = await view(id);
  expect(first.mode).toBe('drill');
  expect(first.incident.drill).toBe(true);
  expect((await api<{ open: { id: string; scenario: string } }>('GET', '/api/drill')).json.open).toEqual({
    id,
    scenario: 'app-only',
  });
  expect(drill.world.images()).toEqual(images('v1.2.3'));
  // v1.2.2 and v1.2.1 are in each Deployment's ReplicaSet history.
  expect(
    drill.world.kube.replicaSets(DRILL_NAMESPACE, 'api').map((rs) => rs.spec.template.spec.containers[0]!.image),
  ).toEqual(['ghcr.io/drill-org/api:v1.2.3', 'ghcr.io/drill-org/api:v1.2.2', 'ghcr.io/drill-org/api:v1.2.1']);

  // Autopilot paused deploys on the simulated GitHub: workflow off, runs in flight cancelled, auto-merge off.
  await untilStep(id, 'pause_deploys', 'succeeded');
  const gh = drill.world.github.state;
  expect(gh.workflows.find((w) => w.file === 'deploy.yml')!.state).toBe('disabled_manually');
  expect(gh.runs.filter((r) => r.workflow === 'deploy.yml').map((r) => [r.id, r.conclusion])).toEqual([
    [7001, 'success'],
    [7002, 'cancelled'],
    [7003, 'cancelled'],
  ]);
  expect(gh.pullRequests.every((p) => p.autoMerge === null)).toBe(true);

  await untilStep(id, 'select_release', 'awaiting_approval');
  expect((await summaryOf(id, 'select_release')).summary).toContain('v1.2.2');
  // The same role checks as Slack and the CLI: the SRE may not approve the target.
  const refused = await act(id, 'oncall_sre', { action: 'approve', step: 'select_release' });
  expect(refused.status).toBe(403);
  expect((refused.json as ApiError).error.message).toMatch(/only the Release Captain/);
  await actOk(id, 'release_captain', { action: 'approve', step: 'select_release' });
  await untilStep(id, 'revert_images', 'succeeded');
  expect(drill.world.images()).toEqual(images('v1.2.2'));
  expect((await view(id)).incident.targetVersion).toBe('v1.2.2');
  // The database was scoped on its own: v1.2.3 shipped no migration.
  await untilStep(id, 'migration_scope', 'succeeded');
  expect((await summaryOf(id, 'migration_scope')).summary).toContain('no database rollback needed');

  await validateResumeResolve(id);
  const { timeline } = await view(id);
  const kinds = timeline.map((e) => e.kind);
  expect((await exported(id)).timeline[0]).toMatchObject({ kind: 'incident_started', payload: { drill: true } });
  for (const kind of ['target_approved', 'app_restored', 'incident_resolved']) expect(kinds).toContain(kind);
  expect(kinds.indexOf('target_approved')).toBeLessThan(kinds.indexOf('app_restored'));
  expect(kinds).toContain('action_refused');
  // A drill posts no issue comment, and the summary says so.
  expect(gh.comments).toEqual([]);
  expect((await summaryOf(id, 'resolve')).summary).toContain('drill: no comment on the issue');
  const steps = (await exported(id)).steps;
  expect(steps.find((s) => s.id === 'select_release')!.actor).toBe(DRILL_USERS.release_captain);

  const { markdown, report } = await reportOf(id);
  expect(report.verdict).toBe('passed');
  expect(report.durations.ttdMs).toBe(3 * 60_000);
  expect(report.waiting.rolloutsMs).toBeGreaterThan(0);
  expect(markdown).toContain('**TTD** 3m');
  expect(markdown).toMatch(/## Drill report — passed: every SLA met/);
}, 120_000);

it('plays failed-rollout over HTTP: the progress deadline fails the revert, fix-rollout and a Retry finish it', async () => {
  const id = await startScenario('failed-rollout');
  // The world is back at the start: the bad release runs again, deploys are live.
  expect(drill.world.images()).toEqual(images('v1.2.3'));
  await untilStep(id, 'select_release', 'awaiting_approval');
  await actOk(id, 'release_captain', { action: 'approve', step: 'select_release' });
  await untilStep(id, 'revert_images', 'failed');
  expect((await summaryOf(id, 'revert_images')).error).toMatch(/progress deadline|ProgressDeadlineExceeded/i);
  const failure = (await exported(id)).timeline.find((e) => e.kind === 'step_failed' && e.step === 'revert_images')!;
  expect(String(failure.payload.hint ?? '')).not.toBe('');

  // An unknown world action says which ones exist; the real one fixes the cluster.
  const unknown = await api<ApiError>('POST', '/api/drill/world/unplug-the-cluster');
  expect(unknown.status).toBe(400);
  expect(unknown.json.error.message).toContain('fix-rollout');
  expect((await api<{ ok: boolean }>('POST', '/api/drill/world/fix-rollout')).json).toEqual({ ok: true });
  await actOk(id, 'oncall_sre', { action: 'retry', step: 'revert_images' });
  await untilStep(id, 'revert_images', 'succeeded');
  expect(drill.world.images()).toEqual(images('v1.2.2'));
  await validateResumeResolve(id);
  const kinds = (await view(id)).timeline.map((e) => e.kind);
  expect(kinds.indexOf('step_failed')).toBeLessThan(kinds.indexOf('app_restored'));

  const { report } = await reportOf(id);
  expect(report.waiting.rolloutsMs).toBeGreaterThan(0);
}, 120_000);
