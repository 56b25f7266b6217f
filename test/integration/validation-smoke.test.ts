/**
 * smoke_tests: the smoke workflow through nock (the exact dispatch, run discovery, polling to
 * success and to failure, resuming after a crash without a second dispatch), the argv command
 * alternative, and the manual fallback.
 */
import { describe, expect, it } from 'vitest';
import { createSmokeTests } from '../../src/flows/steps/smoke_tests/index.ts';
import { OWNER, REPO, runBody, runsPage } from '../fixtures/github/github-api.ts';
import { useNockedGitHub } from '../fixtures/github/nock-github.ts';
import { REAL_PORTS } from '../support/database-ports.ts';
import { testConfig } from '../support/runbook-config.ts';
import { failureOf, testContext } from '../support/step-context.ts';

const gh = useNockedGitHub();
const RUNS = `/repos/${OWNER}/${REPO}/actions/workflows/smoke.yml/runs`;
const RUN_URL = (id: number) => `https://github.com/${OWNER}/${REPO}/actions/runs/${id}`;
const workflowConfig = testConfig(`
github: { owner: ${OWNER}, repo: ${REPO}, deploy_workflows: [deploy.yml] }
validation: { smoke: { workflow: smoke.yml, inputs: { env: production }, poll_interval: 20ms, discovery_timeout: 300ms, timeout: 5s } }
`);

const dispatched = (q: Record<string, unknown>) =>
  q.event === 'workflow_dispatch' &&
  /^>=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(q.created)) &&
  q.per_page === '100';

function expectDispatch() {
  gh.api
    .post(`/repos/${OWNER}/${REPO}/actions/workflows/smoke.yml/dispatches`, {
      ref: 'main',
      inputs: { env: 'production' },
    })
    .reply(204);
}

describe('the smoke workflow', () => {
  it('dispatches it with the inputs on the ref, finds the run it started, follows it and passes with the link', async () => {
    expectDispatch();
    gh.api.get(RUNS).query(dispatched).reply(200, runsPage([])); // not listed yet
    gh.api
      .get(RUNS)
      .query(dispatched)
      .reply(
        200,
        runsPage([
          runBody(902, 'queued', null, '2026-11-24T10:00:02Z'),
          runBody(901, 'queued', null, '2026-11-24T10:00:01Z'),
        ]),
      );
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/901`).reply(200, runBody(901, 'queued'));
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/901`).reply(200, runBody(901, 'in_progress'));
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/901`).reply(200, runBody(901, 'completed', 'success'));
    const ctx = testContext('smoke_tests', workflowConfig);

    const outcome = await createSmokeTests({ ...REAL_PORTS, sourceControl: gh.github }).run(ctx);
    expect(outcome).toMatchObject({
      outcome: 'succeeded',
      summary: `Smoke tests passed: smoke.yml on main — ${RUN_URL(901)}`,
    });
    expect(ctx.progressLines).toEqual([
      'dispatched smoke.yml on main (env=production)',
      `smoke run ${RUN_URL(901)} is queued`,
      `smoke run ${RUN_URL(901)} is in progress`,
    ]);
    expect(ctx.previous.smoke).toMatchObject({ attempt: 1, dispatched: true, runId: 901, url: RUN_URL(901) });
  });

  it('fails with the link when the run concludes failure, so the person can read it and Retry', async () => {
    expectDispatch();
    gh.api
      .get(RUNS)
      .query(dispatched)
      .reply(200, runsPage([runBody(903, 'in_progress')]));
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/903`).reply(200, runBody(903, 'completed', 'failure'));
    const err = await failureOf(
      createSmokeTests({ ...REAL_PORTS, sourceControl: gh.github }).run(testContext('smoke_tests', workflowConfig)),
    );
    expect(err.message).toBe(
      `the smoke tests failed: smoke.yml on main concluded "failure" — ${RUN_URL(903)}. Read the failing job, fix the cause, then Retry (or Skip with a reason)`,
    );
    expect(err.transient).toBe(false);
  });

  it('resumes the same run after a worker died mid-poll, without dispatching again', async () => {
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/904`).reply(200, runBody(904, 'completed', 'success'));
    const previous = {
      smoke: {
        attempt: 1,
        workflow: 'smoke.yml',
        ref: 'main',
        dispatchedAt: new Date().toISOString(),
        dispatched: true,
        runId: 904,
        url: RUN_URL(904),
      },
    };
    const outcome = await createSmokeTests({ ...REAL_PORTS, sourceControl: gh.github }).run(
      testContext('smoke_tests', workflowConfig, { previous }),
    );
    expect(outcome.summary).toContain(RUN_URL(904));
  });

  it('after a crash between recording and dispatching, looks for the run first and does not dispatch twice', async () => {
    gh.api
      .get(RUNS)
      .query(dispatched)
      .times(2)
      .reply(200, runsPage([runBody(905, 'completed', 'success')]));
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/905`).reply(200, runBody(905, 'completed', 'success'));
    const previous = {
      smoke: {
        attempt: 1,
        workflow: 'smoke.yml',
        ref: 'main',
        dispatchedAt: new Date().toISOString(),
        dispatched: false,
      },
    };
    await createSmokeTests({ ...REAL_PORTS, sourceControl: gh.github }).run(
      testContext('smoke_tests', workflowConfig, { previous }),
    );
  });

  it('a Retry (a new attempt) dispatches a new run', async () => {
    expectDispatch();
    gh.api
      .get(RUNS)
      .query(dispatched)
      .reply(200, runsPage([runBody(907, 'queued')]));
    gh.api.get(`/repos/${OWNER}/${REPO}/actions/runs/907`).reply(200, runBody(907, 'completed', 'success'));
    const ctx = testContext('smoke_tests', workflowConfig, {
      previous: {
        smoke: {
          attempt: 1,
          workflow: 'smoke.yml',
          ref: 'main',
          dispatchedAt: '2026-11-24T03:00:00.000Z',
          dispatched: true,
          runId: 903,
        },
      },
    });
    const retry = { ...ctx, step: { ...ctx.step, attempt: 2 } };
    expect((await createSmokeTests({ ...REAL_PORTS, sourceControl: gh.github }).run(retry)).summary).toContain(
      RUN_URL(907),
    );
  });

  it('says what to check when no run shows up after the dispatch', async () => {
    expectDispatch();
    gh.api.get(RUNS).query(dispatched).reply(200, runsPage([])).persist();
    const err = await failureOf(
      createSmokeTests({ ...REAL_PORTS, sourceControl: gh.github }).run(testContext('smoke_tests', workflowConfig)),
    );
    expect(err.message).toMatch(
      /dispatched smoke.yml on main, but no run appeared within 300 ms: check the workflow has a workflow_dispatch trigger/,
    );
  });
});

describe('the smoke command and the manual fallback', () => {
  const commandConfig = (argv: string) =>
    testConfig(`validation: { smoke: { command: ${argv}, env: [SMOKE_TOKEN], timeout: 10s } }`);

  it('runs the argv command with only the named variables, and passes on exit 0 without showing their values', async () => {
    const ctx = testContext(
      'smoke_tests',
      commandConfig(`[node, -e, "console.log('token', process.env.SMOKE_TOKEN, 'home', process.env.HOME ?? 'unset')"]`),
    );
    const outcome = await createSmokeTests({
      ...REAL_PORTS,
      sourceControl: null,
      env: { SMOKE_TOKEN: 's3cret-smoke-token', HOME: '/root' },
    }).run(ctx);
    expect(outcome.outcome).toBe('succeeded');
    expect(outcome.summary).toMatch(/^Smoke tests passed: `node -e .*` exited 0 in \d+ s$/);
    expect(ctx.progressLines).toEqual(['token [redacted] home unset']);
  });

  it('fails with the last output when the command exits non-zero', async () => {
    const ctx = testContext(
      'smoke_tests',
      commandConfig(`[node, -e, "console.log('3 passing, 1 failing: login'); process.exit(1)"]`),
    );
    const err = await failureOf(
      createSmokeTests({ ...REAL_PORTS, sourceControl: null, env: { SMOKE_TOKEN: 'x' } }).run(ctx),
    );
    expect(err.message).toMatch(
      /the smoke test command \(validation.smoke.command\) exited with status 1: `node -e .*`\nlast output:\n3 passing, 1 failing: login/,
    );
  });

  it('asks a person to run the runbook command when nothing is configured', async () => {
    const outcome = await createSmokeTests({ ...REAL_PORTS, sourceControl: null }).run(
      testContext('smoke_tests', testConfig()),
    );
    expect(outcome).toMatchObject({ outcome: 'awaiting_confirmation', output: { manual: true } });
    expect(outcome.summary).toContain('npm run test:smoke -- --env production');
  });
});
