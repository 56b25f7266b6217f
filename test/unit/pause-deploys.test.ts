/**
 * pause_deploys against a stateful GitHub behind nock, through the real adapter: what it changes,
 * what it records, and that a worker dying at any checkpoint changes nothing twice.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import type { PauseRecord } from '../../src/flows/steps/pause_deploys/output.ts';
import { type PauseDeps, pauseDeploys } from '../../src/flows/steps/pause_deploys/pause-deploys.ts';
import { type FakeGitHubState, startFakeGitHub } from '../fixtures/github/fake-github.ts';
import { OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';

const WORKFLOWS = ['deploy.yml', 'deploy-web.yml'];
const R = `/repos/${OWNER}/${REPO}`;

function duringIncident(): FakeGitHubState {
  return {
    workflows: { 'deploy.yml': 'active', 'deploy-web.yml': 'disabled_manually' },
    runs: [
      { id: 101, workflow: 'deploy.yml', status: 'in_progress', conclusion: null },
      { id: 102, workflow: 'deploy.yml', status: 'queued', conclusion: null },
      { id: 90, workflow: 'deploy.yml', status: 'completed', conclusion: 'success' },
    ],
    prs: [
      { id: 'PR_a', number: 7, mergeMethod: 'SQUASH', state: 'OPEN' },
      { id: 'PR_b', number: 8, mergeMethod: null, state: 'OPEN' },
      { id: 'PR_c', number: 9, mergeMethod: 'MERGE', state: 'OPEN' },
    ],
  };
}

const FULL_PAUSE_MUTATIONS = [
  `PUT ${R}/actions/workflows/deploy.yml/disable`,
  `POST ${R}/actions/runs/101/cancel`,
  `POST ${R}/actions/runs/102/cancel`,
  'POST /graphql disablePullRequestAutoMerge {"pullRequestId":"PR_a"}',
  'POST /graphql disablePullRequestAutoMerge {"pullRequestId":"PR_c"}',
];

const FULL_PAUSE_RECORD: PauseRecord = {
  workflows: [
    { workflow: 'deploy.yml', priorState: 'active', disabledByUs: true, done: true },
    { workflow: 'deploy-web.yml', priorState: 'disabled_manually', disabledByUs: false, done: true },
  ],
  runs: [101, 102].map((id) => ({
    workflow: 'deploy.yml',
    runId: id,
    htmlUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/${id}`,
    status: id === 101 ? 'in_progress' : 'queued',
    outcome: 'cancelled' as const,
    forced: false,
    lastStatus: 'completed',
    conclusion: 'cancelled',
  })),
  pullRequests: [
    { nodeId: 'PR_a', number: 7, mergeMethod: 'SQUASH', done: true },
    { nodeId: 'PR_c', number: 9, mergeMethod: 'MERGE', done: true },
  ],
};

const FULL_PAUSE_SUMMARY =
  'Disabled deploy.yml; left deploy-web.yml (disabled_manually) as it was; cancelled 2 runs (#101 in_progress, #102 queued); disabled auto-merge on #7 (squash), #9 (merge)';

class WorkerDied extends Error {}

interface Attempt {
  result?: { record: PauseRecord; summary: string };
  saved: PauseRecord[];
  progress: string[];
}

/** One worker attempt; `crash` kills it at the n-th checkpoint, before or after it is stored. */
async function attempt(
  previous: PauseRecord | undefined,
  crash?: { at: number; stored: boolean },
  extra: Partial<PauseDeps> = {},
): Promise<Attempt> {
  const out: Attempt = { saved: [], progress: [] };
  let calls = 0;
  try {
    out.result = await pauseDeploys({
      sourceControl: createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
      workflows: WORKFLOWS,
      previous,
      checkpoint: async (record) => {
        calls += 1;
        if (crash?.at === calls && !crash.stored) throw new WorkerDied();
        out.saved.push(record);
        if (crash?.at === calls) throw new WorkerDied();
      },
      progress: async (message) => void out.progress.push(message),
      settle: { checks: 2, intervalMs: 1_000 },
      sleep: async () => {},
      ...extra,
    });
  } catch (err) {
    if (!(err instanceof WorkerDied)) throw err;
  }
  return out;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
});

describe('pauseDeploys', () => {
  it('disables the active deploy workflow, cancels its runs, disables auto-merge, and records exactly that', async () => {
    const github = startFakeGitHub(duringIncident());
    const { result, saved, progress } = await attempt(undefined);

    expect(github.mutations()).toEqual(FULL_PAUSE_MUTATIONS);
    expect(result).toEqual({ record: FULL_PAUSE_RECORD, summary: FULL_PAUSE_SUMMARY });
    expect(saved.at(-1)).toEqual(FULL_PAUSE_RECORD);
    expect(github.state.workflows).toEqual({
      'deploy.yml': 'disabled_manually',
      'deploy-web.yml': 'disabled_manually',
    });
    expect(github.state.prs.map((p) => p.mergeMethod)).toEqual([null, null, null]);
    expect(progress).toEqual([
      'Disabling workflow deploy.yml',
      'Cancelling run #101 (in_progress) of deploy.yml',
      'Cancelling run #102 (queued) of deploy.yml',
      'Disabling auto-merge on #7 (squash)',
      'Disabling auto-merge on #9 (merge)',
    ]);
  });

  it("checkpoints the intent (and the PR's merge method) before each change", async () => {
    const github = startFakeGitHub(duringIncident());
    const { saved } = await attempt(undefined);
    const beforeFirstDisable = saved[0]!;
    expect(beforeFirstDisable.workflows).toEqual([
      { workflow: 'deploy.yml', priorState: 'active', disabledByUs: true, done: false },
    ]);
    const prIntent = saved.find((r) => r.pullRequests.length > 0)!;
    expect(prIntent.pullRequests).toEqual([
      { nodeId: 'PR_a', number: 7, mergeMethod: 'SQUASH', done: false },
      { nodeId: 'PR_c', number: 9, mergeMethod: 'MERGE', done: false },
    ]);
    expect(github.mutations()).toEqual(FULL_PAUSE_MUTATIONS);
  });

  for (const stored of [true, false]) {
    it(`re-run after the worker dies at any checkpoint (${stored ? 'after' : 'before'} it is stored) changes nothing twice and records the same`, async () => {
      startFakeGitHub(duringIncident());
      const checkpoints = (await attempt(undefined)).saved.length;
      nock.cleanAll();
      for (let at = 1; at <= checkpoints; at += 1) {
        const github = startFakeGitHub(duringIncident());
        const crashed = await attempt(undefined, { at, stored });
        expect(crashed.result, `crash at checkpoint ${at}`).toBeUndefined();
        const rerun = await attempt(crashed.saved.at(-1));
        expect(github.mutations(), `crash at checkpoint ${at}`).toEqual(FULL_PAUSE_MUTATIONS);
        expect(rerun.result, `crash at checkpoint ${at}`).toEqual({
          record: FULL_PAUSE_RECORD,
          summary: FULL_PAUSE_SUMMARY,
        });
        nock.cleanAll();
      }
    });
  }

  it("trusts the record on a re-run: a workflow it disabled stays its own, one disabled before stays someone else's", async () => {
    // The worker died right after disabling deploy.yml, before recording that the call returned.
    const state = duringIncident();
    state.workflows['deploy.yml'] = 'disabled_manually';
    state.runs = [];
    state.prs = [];
    const github = startFakeGitHub(state);
    const previous: PauseRecord = {
      workflows: [{ workflow: 'deploy.yml', priorState: 'active', disabledByUs: true, done: false }],
      runs: [],
      pullRequests: [],
    };
    const { result } = await attempt(previous);
    expect(github.mutations()).toEqual([]);
    expect(result!.record.workflows).toEqual(FULL_PAUSE_RECORD.workflows);
  });

  it('force-cancels a run that ignores the cancel, and reports one that will not stop at all', async () => {
    const state = duringIncident();
    state.runs = [
      { id: 103, workflow: 'deploy.yml', status: 'in_progress', conclusion: null, stuck: 'forever' },
      { id: 104, workflow: 'deploy.yml', status: 'in_progress', conclusion: null, stuck: 'until_force' },
    ];
    state.prs = [];
    const github = startFakeGitHub(state);
    const { result, progress } = await attempt(undefined);

    expect(github.mutations()).toEqual([
      `PUT ${R}/actions/workflows/deploy.yml/disable`,
      `POST ${R}/actions/runs/103/cancel`,
      `POST ${R}/actions/runs/104/cancel`,
      `POST ${R}/actions/runs/103/force-cancel`,
      `POST ${R}/actions/runs/104/force-cancel`,
    ]);
    expect(result!.record.runs.map((r) => [r.runId, r.outcome, r.forced])).toEqual([
      [103, 'not_cancelled', true],
      [104, 'cancelled', true],
    ]);
    expect(result!.summary).toBe(
      'Disabled deploy.yml; left deploy-web.yml (disabled_manually) as it was; cancelled 1 run (#104 in_progress, force-cancelled); ' +
        `COULD NOT CANCEL #103 (in_progress) https://github.com/${OWNER}/${REPO}/actions/runs/103 — cancel by hand; no open PR had auto-merge`,
    );
    expect(progress).toContain('Run #103 ignored the cancel; force-cancelling it');
  });

  it('reports a stuck run as not cancelled when the source control cannot force-cancel', async () => {
    const state = duringIncident();
    state.runs = [{ id: 105, workflow: 'deploy.yml', status: 'queued', conclusion: null, stuck: 'until_force' }];
    const github = startFakeGitHub(state);
    const adapter = createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 });
    const { result } = await attempt(undefined, undefined, {
      sourceControl: { ...adapter, forceCancelRun: undefined },
    });
    expect(github.mutations()).not.toContain(`POST ${R}/actions/runs/105/force-cancel`);
    expect(result!.record.runs[0]).toMatchObject({ runId: 105, outcome: 'not_cancelled', forced: false });
  });

  it('records a run that finished before the cancel reached it', async () => {
    const state = duringIncident();
    state.runs = [{ id: 106, workflow: 'deploy.yml', status: 'in_progress', conclusion: null }];
    state.prs = [];
    const github = startFakeGitHub(state);
    // The run completes between the listing and the cancel.
    const adapter = createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 });
    const sourceControl = {
      ...adapter,
      cancelRun: async (id: number) => {
        Object.assign(github.state.runs[0]!, { status: 'completed', conclusion: 'success' });
        return adapter.cancelRun(id);
      },
    };
    const { result } = await attempt(undefined, undefined, { sourceControl });
    expect(result!.record.runs[0]).toMatchObject({ runId: 106, outcome: 'finished', conclusion: 'success' });
    expect(result!.summary).toContain('#106 (success) finished before the cancel');
  });

  it('stops before changing anything when the step is aborted', async () => {
    const github = startFakeGitHub(duringIncident());
    const controller = new AbortController();
    controller.abort();
    await expect(attempt(undefined, undefined, { signal: controller.signal })).rejects.toMatchObject({
      code: 'aborted',
    });
    expect(github.mutations()).toEqual([]);
  });
});

describe('independent GitHub calls at once (issue 8)', () => {
  /** Resolves each caller only once `n` callers are waiting: a one-at-a-time pause never gets past it. */
  function barrier(n: number) {
    let waiting = 0;
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    return async () => {
      waiting += 1;
      if (waiting === n) open();
      await opened;
    };
  }

  it('cancels both runs together and disables auto-merge on both PRs together, still recording each', async () => {
    const cancels = barrier(2);
    const disables = barrier(2);
    const runs = [
      { id: 101, status: 'in_progress' },
      { id: 102, status: 'queued' },
    ];
    const cancelled = new Set<number>();
    const sourceControl = {
      getWorkflow: async () => ({ id: 1, name: 'deploy', path: '.github/workflows/deploy.yml', state: 'active' }),
      disableWorkflow: async () => {},
      listActiveRuns: async () =>
        runs.map((r) => ({
          id: r.id,
          status: r.status,
          conclusion: null,
          htmlUrl: `https://github.com/o/r/actions/runs/${r.id}`,
          createdAt: '',
        })),
      cancelRun: async (id: number) => {
        await cancels();
        cancelled.add(id);
        return 'cancelled' as const;
      },
      getRun: async (id: number) => ({
        id,
        status: cancelled.has(id) ? 'completed' : 'in_progress',
        conclusion: cancelled.has(id) ? 'cancelled' : null,
        htmlUrl: '',
        createdAt: '',
      }),
      listAutoMergePullRequests: async () => [
        { nodeId: 'PR_1', number: 41, mergeMethod: 'SQUASH' as const },
        { nodeId: 'PR_2', number: 42, mergeMethod: 'MERGE' as const },
      ],
      disableAutoMerge: async () => disables(),
    } as unknown as PauseDeps['sourceControl'];
    const saved: PauseRecord[] = [];
    const { record } = await pauseDeploys({
      sourceControl,
      workflows: ['deploy.yml'],
      previous: undefined,
      checkpoint: async (r) => void saved.push(r),
      progress: async () => {},
      settle: { checks: 2, intervalMs: 1 },
    });
    expect(record.runs.map((r) => r.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(record.pullRequests.map((p) => p.done)).toEqual([true, true]);
    // Both PRs' merge methods were on record before either call went out.
    const firstWithPrs = saved.find((r) => r.pullRequests.length === 2)!;
    expect(firstWithPrs.pullRequests.map((p) => [p.mergeMethod, p.done])).toEqual([
      ['SQUASH', false],
      ['MERGE', false],
    ]);
    expect(saved.at(-1)).toEqual(record);
  });
});
