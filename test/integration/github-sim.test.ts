/**
 * The GitHub simulator checked against the real clients: @octokit/rest for the REST routes, and
 * our GitHub adapter (Octokit's GraphQL included) for everything the bot calls — so the drill's
 * GitHub answers the way the adapter expects GitHub to answer.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createGitHubSourceControl,
  type GitHubSourceControl,
} from '../../src/adapters/github/github-source-control.ts';
import { type GitHubSim, startGitHubSim } from '../../src/sim/github/server.ts';
import { until } from '../support/wait.ts';

const TOKEN = 'sim-token';
let gh: GitHubSim;
let octokit: Octokit;
let scm: GitHubSourceControl;

beforeAll(async () => {
  gh = await startGitHubSim({ owner: 'acme', repo: 'shop', token: TOKEN });
  const s = gh.state;
  s.workflows.push({ id: 11, file: 'deploy.yml', state: 'active' }, { id: 12, file: 'smoke.yml', state: 'active' });
  s.runs.push(
    {
      id: 501,
      workflow: 'deploy.yml',
      status: 'in_progress',
      conclusion: null,
      event: 'push',
      headBranch: 'main',
      createdAt: '2026-11-24T10:00:00Z',
    },
    {
      id: 502,
      workflow: 'deploy.yml',
      status: 'queued',
      conclusion: null,
      event: 'push',
      headBranch: 'main',
      createdAt: '2026-11-24T10:01:00Z',
    },
    {
      id: 503,
      workflow: 'deploy.yml',
      status: 'completed',
      conclusion: 'success',
      event: 'push',
      headBranch: 'main',
      createdAt: '2026-11-24T09:00:00Z',
    },
  );
  // 120 open PRs: the adapter must page through GraphQL to find the auto-merge ones.
  for (let n = 1; n <= 120; n += 1)
    s.pullRequests.push({
      nodeId: `PR_${n}`,
      number: n,
      title: `change ${n}`,
      state: 'OPEN',
      autoMerge: n === 7 ? 'SQUASH' : n === 115 ? 'MERGE' : null,
    });
  s.pullRequests.push({ nodeId: 'PR_200', number: 200, title: 'merged', state: 'MERGED', autoMerge: null });
  s.tags = {
    'v1.2.1': 'a'.repeat(40),
    'v1.2.2': 'b'.repeat(40),
    'v1.2.3': 'c'.repeat(40),
    'v1.3.0-rc.1': 'd'.repeat(40),
  };
  s.releases = [{ tag: 'v1.2.3' }, { tag: 'v1.2.2' }, { tag: 'v1.3.0-rc.1', prerelease: true }];
  s.compares['v1.2.2...v1.2.3'] = {
    commits: [{ sha: 'c'.repeat(40), message: 'Add plan column', author: 'ada' }],
    files: [
      { filename: 'db/migrations/20261120_add_plan.sql', status: 'added' },
      { filename: 'db/migrations/20261120_add_plan.down.sql', status: 'added' },
    ],
  };
  s.files['v1.2.3'] = {
    'db/migrations/20261120_add_plan.sql': 'alter table orgs add column plan text;',
    'db/migrations/20261120_add_plan.down.sql': 'alter table orgs drop column plan;',
  };
  s.issues.push(77);
  s.dispatch = { conclusion: 'success', durationMs: 200 };
  octokit = new Octokit({ auth: TOKEN, baseUrl: gh.url });
  scm = createGitHubSourceControl({ token: TOKEN, baseUrl: gh.url, owner: 'acme', repo: 'shop', retries: 0 });
});

afterAll(async () => {
  await gh?.close();
});

it('answers octokit REST calls with GitHub status codes and shapes', async () => {
  const wf = await octokit.rest.actions.getWorkflow({ owner: 'acme', repo: 'shop', workflow_id: 'deploy.yml' });
  expect(wf.data).toMatchObject({ id: 11, path: '.github/workflows/deploy.yml', state: 'active' });
  const runs = await octokit.rest.actions.listWorkflowRuns({
    owner: 'acme',
    repo: 'shop',
    workflow_id: 'deploy.yml',
    status: 'queued',
  });
  expect(runs.data.workflow_runs.map((r) => r.id)).toEqual([502]);
  await expect(
    octokit.rest.actions.cancelWorkflowRun({ owner: 'acme', repo: 'shop', run_id: 503 }),
  ).rejects.toMatchObject({ status: 409 });
  await expect(
    octokit.rest.actions.getWorkflow({ owner: 'acme', repo: 'shop', workflow_id: 'nope.yml' }),
  ).rejects.toMatchObject({ status: 404 });
  const tags = await octokit.paginate(octokit.rest.repos.listTags, { owner: 'acme', repo: 'shop', per_page: 2 });
  expect(tags.map((t) => t.name).sort()).toEqual(['v1.2.1', 'v1.2.2', 'v1.2.3', 'v1.3.0-rc.1']);
  const bad = new Octokit({ auth: 'wrong', baseUrl: gh.url });
  await expect(bad.rest.repos.get({ owner: 'acme', repo: 'shop' })).rejects.toMatchObject({ status: 401 });
});

it('serves everything the GitHub adapter calls, and changes state as GitHub would', async () => {
  expect(await scm.getWorkflow('deploy.yml')).toMatchObject({ state: 'active' });
  expect((await scm.listActiveRuns('deploy.yml')).map((r) => r.id).sort()).toEqual([501, 502]);
  expect(await scm.cancelRun(501)).toBe('cancelled');
  expect(await scm.cancelRun(503)).toBe('already_finished');
  expect((await scm.getRun(501)).conclusion).toBe('cancelled');
  await scm.disableWorkflow('deploy.yml');
  expect(gh.state.workflows[0]!.state).toBe('disabled_manually');
  await scm.enableWorkflow('deploy.yml');
  expect(gh.state.workflows[0]!.state).toBe('active');

  // GraphQL: paged listing, then disable and re-enable with the original merge method.
  const prs = await scm.listAutoMergePullRequests();
  expect(prs).toEqual([
    { nodeId: 'PR_7', number: 7, mergeMethod: 'SQUASH' },
    { nodeId: 'PR_115', number: 115, mergeMethod: 'MERGE' },
  ]);
  await scm.disableAutoMerge(prs[0]!);
  expect(gh.state.pullRequests.find((p) => p.number === 7)!.autoMerge).toBeNull();
  await scm.enableAutoMerge(prs[0]!);
  expect(gh.state.pullRequests.find((p) => p.number === 7)!.autoMerge).toBe('SQUASH');
  await expect(scm.disableAutoMerge({ nodeId: 'PR_200', number: 200, mergeMethod: 'MERGE' })).rejects.toThrow(/merged/);

  // Releases and tags: prereleases are not releases.
  expect((await scm.listReleaseTags()).sort()).toEqual(['v1.2.1', 'v1.2.2', 'v1.2.3']);
  expect(await scm.tagExists('v1.2.2')).toBe(true);
  expect(await scm.tagExists('v1.2')).toBe(false);
  const diff = await scm.compare('v1.2.2', 'v1.2.3');
  expect(diff).toMatchObject({
    totalCommits: 1,
    files: [
      { filename: 'db/migrations/20261120_add_plan.sql', status: 'added' },
      { filename: 'db/migrations/20261120_add_plan.down.sql', status: 'added' },
    ],
  });
  expect(await scm.getFileContent('db/migrations/20261120_add_plan.down.sql', 'v1.2.3')).toBe(
    'alter table orgs drop column plan;',
  );
  expect(await scm.getFileContent('db/migrations/missing.sql', 'v1.2.3')).toBeNull();
  expect((await scm.listDirectory('db/migrations', 'v1.2.3'))!.map((e) => e.path).sort()).toEqual([
    'db/migrations/20261120_add_plan.down.sql',
    'db/migrations/20261120_add_plan.sql',
  ]);
  expect(await scm.listDirectory('db/migrations', 'v1.2.1')).toBeNull();

  // Smoke tests: a dispatch makes a run that the adapter finds and that completes.
  const since = new Date();
  await scm.dispatchWorkflow('smoke.yml', 'main', { env: 'drill' });
  const run = await until('the dispatched run', () => scm.findDispatchedRun('smoke.yml', since));
  const done = await until('the run to complete', async () =>
    (await scm.getRun(run.id)).status === 'completed' ? scm.getRun(run.id) : null,
  );
  expect(done.conclusion).toBe('success');

  const comment = await scm.commentOnIssue(`https://${new URL(gh.url).host}/acme/shop/issues/77`, 'Rollback resolved');
  expect(comment.url).toMatch(/\/acme\/shop\/issues\/77#issuecomment-\d+$/);
  expect(gh.state.comments.map((c) => c.body)).toEqual(['Rollback resolved']);
  expect(gh.mutations()).toContain('GRAPHQL disablePullRequestAutoMerge {"pullRequestId":"PR_7"}');
});
