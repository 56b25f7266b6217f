/**
 * The SourceControl contract (flows/ports.ts) — what pause_deploys and resume_deploys use — run
 * against the GitHub adapter talking to the HTTP-level fake GitHub (nock, test/fixtures/github)
 * and the in-memory fake over the same state (test/fakes/fake-source-control.ts).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import type { SmokeWorkflowSource, SourceControl } from '../../src/flows/ports.ts';
import { createFakeSourceControl } from '../fakes/fake-source-control.ts';
import { type FakeGitHub, type FakeGitHubState, startFakeGitHub } from '../fixtures/github/fake-github.ts';
import { OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';

const INITIAL: FakeGitHubState = {
  workflows: { 'deploy.yml': 'active' },
  runs: [
    { id: 501, workflow: 'deploy.yml', status: 'in_progress', conclusion: null },
    { id: 502, workflow: 'deploy.yml', status: 'queued', conclusion: null },
    { id: 503, workflow: 'deploy.yml', status: 'completed', conclusion: 'success' },
  ],
  prs: [
    { id: 'PR_1', number: 41, mergeMethod: 'SQUASH', state: 'OPEN' },
    { id: 'PR_2', number: 42, mergeMethod: null, state: 'OPEN' },
    { id: 'PR_3', number: 43, mergeMethod: 'MERGE', state: 'MERGED' },
  ],
  tags: ['v1.2.2', 'v1.2.3'],
};

let github: FakeGitHub;

beforeAll(() => {
  nock.disableNetConnect();
  github = startFakeGitHub(INITIAL);
});
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const implementations: [string, () => SourceControl & SmokeWorkflowSource][] = [
  [
    'GitHub adapter (HTTP-level fake GitHub)',
    () => {
      // One fake GitHub per file (its interceptors persist): each case starts from INITIAL.
      Object.assign(github.state, structuredClone(INITIAL));
      return createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 });
    },
  ],
  ['in-memory fake', () => createFakeSourceControl(INITIAL)],
];

describe.each(implementations)('SourceControl contract: %s', (_name, make) => {
  it('disables and re-enables a workflow', async () => {
    const sc = make();
    expect((await sc.getWorkflow('deploy.yml')).state).toBe('active');
    await sc.disableWorkflow('deploy.yml');
    expect((await sc.getWorkflow('deploy.yml')).state).toBe('disabled_manually');
    await sc.enableWorkflow('deploy.yml');
    expect((await sc.getWorkflow('deploy.yml')).state).toBe('active');
  });

  it('lists the runs not yet completed, cancels one, and calls a finished one already finished', async () => {
    const sc = make();
    expect((await sc.listActiveRuns('deploy.yml')).map((r) => [r.id, r.status]).sort()).toEqual([
      [501, 'in_progress'],
      [502, 'queued'],
    ]);
    expect(await sc.cancelRun(501)).toBe('cancelled');
    expect(await sc.getRun(501)).toMatchObject({
      id: 501,
      status: 'completed',
      conclusion: 'cancelled',
      htmlUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/501`,
    });
    expect(await sc.cancelRun(503)).toBe('already_finished');
    expect((await sc.listActiveRuns('deploy.yml')).map((r) => r.id)).toEqual([502]);
  });

  it('lists open PRs with auto-merge, and turns it off and back on with the same method', async () => {
    const sc = make();
    const [pr] = await sc.listAutoMergePullRequests();
    expect(await sc.listAutoMergePullRequests()).toEqual([{ nodeId: 'PR_1', number: 41, mergeMethod: 'SQUASH' }]);
    await sc.disableAutoMerge(pr!);
    expect(await sc.listAutoMergePullRequests()).toEqual([]);
    await sc.enableAutoMerge(pr!);
    expect(await sc.listAutoMergePullRequests()).toEqual([{ nodeId: 'PR_1', number: 41, mergeMethod: 'SQUASH' }]);
  });

  it('dispatches the smoke workflow and finds the run it started', async () => {
    const sc = make();
    const since = new Date();
    expect(await sc.findDispatchedRun('deploy.yml', since)).toBeUndefined();
    await sc.dispatchWorkflow('deploy.yml', 'main', { environment: 'production' });
    expect(await sc.findDispatchedRun('deploy.yml', since)).toMatchObject({
      status: 'completed',
      conclusion: 'success',
    });
  });

  it('lists the release tags', async () => {
    const sc = make();
    expect((await sc.listReleaseTags()).sort()).toEqual(['v1.2.2', 'v1.2.3']);
  });
});
