/**
 * GitHubSourceControl against nock: the exact requests (method, path, query, body) it sends, and
 * what an SRE reads when GitHub says no.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import {
  API,
  commitBody,
  compareBody,
  OWNER,
  prNode,
  prPage,
  REPO,
  releaseBody,
  runBody,
  runsPage,
  TOKEN,
  tagBody,
  workflowBody,
} from '../fixtures/github/github-api.ts';
import { useNockedGitHub } from '../fixtures/github/nock-github.ts';

const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const gh = useNockedGitHub();

function graphqlBody(mutationOrQuery: string, variables: Record<string, unknown>) {
  return (body: { query: string; variables: Record<string, unknown> }) =>
    body.query.includes(mutationOrQuery) && JSON.stringify(body.variables) === JSON.stringify(variables);
}

describe('workflows and runs', () => {
  it('reads a workflow by its file name', async () => {
    gh.api.get(`${REPO_PATH}/actions/workflows/deploy.yml`).reply(200, workflowBody('deploy.yml', 'active'));
    await expect(gh.github.getWorkflow('deploy.yml')).resolves.toEqual({
      id: 161335,
      name: 'deploy',
      path: '.github/workflows/deploy.yml',
      state: 'active',
    });
  });

  it('disables and enables a workflow with PUTs', async () => {
    gh.api.put(`${REPO_PATH}/actions/workflows/deploy.yml/disable`).reply(204);
    gh.api.put(`${REPO_PATH}/actions/workflows/deploy.yml/enable`).reply(204);
    await gh.github.disableWorkflow('deploy.yml');
    await gh.github.enableWorkflow('deploy.yml');
  });

  it('lists active runs with one request per non-completed status, following pages and deduplicating', async () => {
    const base = `${REPO_PATH}/actions/workflows/deploy.yml/runs`;
    gh.api
      .get(base)
      .query({ status: 'in_progress', per_page: 100 })
      .reply(200, runsPage([runBody(101, 'in_progress')], 2), {
        link: `<${API}${base}?status=in_progress&per_page=100&page=2>; rel="next"`,
      });
    gh.api
      .get(base)
      .query({ status: 'in_progress', per_page: 100, page: 2 })
      .reply(200, runsPage([runBody(103, 'in_progress')], 2));
    // 101 moved from queued to in_progress between two calls: it must come back once.
    gh.api
      .get(base)
      .query({ status: 'queued', per_page: 100 })
      .reply(200, runsPage([runBody(102, 'queued'), runBody(101, 'queued')]));
    gh.api
      .get(base)
      .query({ status: 'waiting', per_page: 100 })
      .reply(200, runsPage([runBody(104, 'waiting')]));
    gh.api.get(base).query({ status: 'pending', per_page: 100 }).reply(200, runsPage([]));
    gh.api.get(base).query({ status: 'requested', per_page: 100 }).reply(200, runsPage([]));

    const runs = await gh.github.listActiveRuns('deploy.yml');
    expect(runs.map((r) => r.id).sort()).toEqual([101, 102, 103, 104]);
    expect(runs.find((r) => r.id === 104)).toEqual({
      id: 104,
      status: 'waiting',
      conclusion: null,
      htmlUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/104`,
      createdAt: '2026-11-24T10:00:00Z',
    });
  });

  it('cancels a run (202) and reports a run that already finished (409)', async () => {
    gh.api.post(`${REPO_PATH}/actions/runs/101/cancel`).reply(202, {});
    gh.api
      .post(`${REPO_PATH}/actions/runs/102/cancel`)
      .reply(409, { message: 'Cannot cancel a workflow run that is completed.' });
    await expect(gh.github.cancelRun(101)).resolves.toBe('cancelled');
    await expect(gh.github.cancelRun(102)).resolves.toBe('already_finished');
  });

  it('force-cancels and reads a run', async () => {
    gh.api.post(`${REPO_PATH}/actions/runs/101/force-cancel`).reply(202, {});
    gh.api.get(`${REPO_PATH}/actions/runs/101`).reply(200, runBody(101, 'completed', 'cancelled'));
    await gh.github.forceCancelRun(101);
    await expect(gh.github.getRun(101)).resolves.toMatchObject({
      id: 101,
      status: 'completed',
      conclusion: 'cancelled',
    });
  });

  it('dispatches a workflow with ref and inputs, then finds the run it made', async () => {
    gh.api
      .post(`${REPO_PATH}/actions/workflows/smoke.yml/dispatches`, { ref: 'main', inputs: { env: 'production' } })
      .reply(204);
    gh.api
      .get(`${REPO_PATH}/actions/workflows/smoke.yml/runs`)
      .query({ event: 'workflow_dispatch', created: '>=2026-11-24T10:00:00Z', per_page: 100 })
      .reply(
        200,
        runsPage([
          runBody(302, 'queued', null, '2026-11-24T10:00:09Z'),
          runBody(301, 'in_progress', null, '2026-11-24T10:00:02Z'),
        ]),
      );

    await gh.github.dispatchWorkflow('smoke.yml', 'main', { env: 'production' });
    const run = await gh.github.findDispatchedRun('smoke.yml', new Date('2026-11-24T10:00:00.750Z'));
    expect(run?.id).toBe(301);
  });

  it('finds no dispatched run while GitHub has not created it yet', async () => {
    gh.api
      .get(`${REPO_PATH}/actions/workflows/smoke.yml/runs`)
      .query({ event: 'workflow_dispatch', created: '>=2026-11-24T10:00:00Z', per_page: 100 })
      .reply(200, runsPage([]));
    await expect(gh.github.findDispatchedRun('smoke.yml', new Date('2026-11-24T10:00:00Z'))).resolves.toBeUndefined();
  });
});

describe('auto-merge (GraphQL)', () => {
  it('pages through open PRs and returns only those with auto-merge', async () => {
    gh.api
      .post(
        '/graphql',
        graphqlBody('pullRequests(states: OPEN, first: 100, after: $after)', { owner: OWNER, name: REPO, after: null }),
      )
      .reply(200, prPage([prNode('PR_a', 7, 'SQUASH'), prNode('PR_b', 8, null)], 'cursor1'));
    gh.api
      .post('/graphql', graphqlBody('pullRequests(states: OPEN', { owner: OWNER, name: REPO, after: 'cursor1' }))
      .reply(200, prPage([prNode('PR_c', 9, 'REBASE')]));
    await expect(gh.github.listAutoMergePullRequests()).resolves.toEqual([
      { nodeId: 'PR_a', number: 7, mergeMethod: 'SQUASH' },
      { nodeId: 'PR_c', number: 9, mergeMethod: 'REBASE' },
    ]);
  });

  it('disables auto-merge by node id and re-enables it with the merge method', async () => {
    gh.api
      .post(
        '/graphql',
        graphqlBody('disablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId })', { pullRequestId: 'PR_a' }),
      )
      .reply(200, { data: { disablePullRequestAutoMerge: { pullRequest: { number: 7 } } } });
    gh.api
      .post(
        '/graphql',
        graphqlBody('enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod })', {
          pullRequestId: 'PR_a',
          mergeMethod: 'SQUASH',
        }),
      )
      .reply(200, { data: { enablePullRequestAutoMerge: { pullRequest: { number: 7 } } } });
    const pr = { nodeId: 'PR_a', number: 7, mergeMethod: 'SQUASH' as const };
    await gh.github.disableAutoMerge(pr);
    await gh.github.enableAutoMerge(pr);
  });

  it('reports a PR GitHub will not re-enable (closed meanwhile) as a conflict', async () => {
    gh.api.post('/graphql').reply(200, {
      data: { enablePullRequestAutoMerge: null },
      errors: [{ type: 'UNPROCESSABLE', message: 'Pull request is closed' }],
    });
    const err = await gh.github
      .enableAutoMerge({ nodeId: 'PR_a', number: 7, mergeMethod: 'SQUASH' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UserFacingError', code: 'conflict', transient: false });
    expect((err as Error).message).toBe(
      `while enabling auto-merge (squash) on #7 in ${OWNER}/${REPO}: GitHub refused: Pull request is closed`,
    );
  });

  it('names pull_requests=write when GraphQL answers FORBIDDEN', async () => {
    gh.api.post('/graphql').reply(200, {
      data: null,
      errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by personal access token' }],
    });
    const err = await gh.github
      .disableAutoMerge({ nodeId: 'PR_a', number: 7, mergeMethod: 'MERGE' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'forbidden', transient: false });
    expect((err as Error).message).toContain('the token lacks pull_requests=write');
    expect((err as Error).message).toContain('"Pull requests: Read and write"');
  });
});

describe('repository content', () => {
  it('lists published release tags and plain tags once, without drafts and prereleases', async () => {
    gh.api
      .get(`${REPO_PATH}/releases`)
      .query({ per_page: 100 })
      .reply(200, [
        releaseBody('v1.3.0-rc.1', { prerelease: true }),
        releaseBody('v1.2.3'),
        releaseBody('v1.3.0', { draft: true }),
      ]);
    gh.api
      .get(`${REPO_PATH}/tags`)
      .query({ per_page: 100 })
      .reply(200, [tagBody('v1.3.0-rc.1'), tagBody('v1.2.3'), tagBody('v1.2.2')]);
    await expect(gh.github.listReleaseTags()).resolves.toEqual(['v1.2.3', 'v1.2.2']);
  });

  it("compares two refs, paging commits and keeping the first page's files", async () => {
    const commits = Array.from({ length: 150 }, (_, i) => commitBody(i + 1));
    const files = [
      { filename: 'supabase/migrations/20261120_add.sql', status: 'added' },
      { filename: 'src/a.ts', status: 'modified' },
    ];
    gh.api
      .get(`${REPO_PATH}/compare/v1.2.2...main`)
      .query({ per_page: 100, page: 1 })
      .reply(200, compareBody(commits.slice(0, 100), 150, files));
    gh.api
      .get(`${REPO_PATH}/compare/v1.2.2...main`)
      .query({ per_page: 100, page: 2 })
      .reply(200, compareBody(commits.slice(100), 150));

    const diff = await gh.github.compare('v1.2.2', 'main');
    expect(diff.totalCommits).toBe(150);
    expect(diff.commits).toHaveLength(150);
    expect(diff.commits[0]).toEqual({
      sha: commits[0]!.sha,
      message: 'Change number 1\n\nLonger body text',
      author: 'alice',
    });
    expect(diff.files).toEqual(files);
  });

  it('reads a file as text, and null when it is not there', async () => {
    const sql = 'alter table users drop column legacy;\n';
    gh.api
      .get(`${REPO_PATH}/contents/supabase/migrations/1.down.sql`)
      .query({ ref: 'v1.2.3' })
      .reply(200, {
        type: 'file',
        encoding: 'base64',
        content: Buffer.from(sql).toString('base64'),
        path: 'supabase/migrations/1.down.sql',
      });
    gh.api
      .get(`${REPO_PATH}/contents/supabase/migrations/2.down.sql`)
      .query({ ref: 'v1.2.3' })
      .reply(404, { message: 'Not Found' });
    await expect(gh.github.getFileContent('supabase/migrations/1.down.sql', 'v1.2.3')).resolves.toBe(sql);
    await expect(gh.github.getFileContent('supabase/migrations/2.down.sql', 'v1.2.3')).resolves.toBeNull();
  });

  it('reads a file over 1 MB through the raw media type', async () => {
    const path = `${REPO_PATH}/contents/supabase/migrations/big.sql`;
    gh.api
      .get(path)
      .query({ ref: 'main' })
      .reply(200, { type: 'file', encoding: 'none', content: '', path: 'supabase/migrations/big.sql' });
    nock(API)
      .matchHeader('accept', 'application/vnd.github.v3.raw')
      .get(path)
      .query({ ref: 'main' })
      .reply(200, 'insert into big values (1);\n');
    await expect(gh.github.getFileContent('supabase/migrations/big.sql', 'main')).resolves.toBe(
      'insert into big values (1);\n',
    );
  });

  it('tells whether a tag exists by its exact ref', async () => {
    gh.api
      .get(`${REPO_PATH}/git/ref/tags/v1.2.3`)
      .reply(200, { ref: 'refs/tags/v1.2.3', object: { sha: 'abc', type: 'commit' } });
    gh.api.get(`${REPO_PATH}/git/ref/tags/v9.9.9`).reply(404, { message: 'Not Found' });
    await expect(gh.github.tagExists('v1.2.3')).resolves.toBe(true);
    await expect(gh.github.tagExists('v9.9.9')).resolves.toBe(false);
  });
});

describe('issue comments', () => {
  it('comments on the issue the link points to, in whatever repository it is', async () => {
    gh.api
      .post('/repos/acme/incidents/issues/42/comments', { body: 'TTD 4m, TTR 21m' })
      .reply(201, { id: 1, html_url: 'https://github.com/acme/incidents/issues/42#issuecomment-1' });
    await expect(
      gh.github.commentOnIssue('https://github.com/acme/incidents/issues/42', 'TTD 4m, TTR 21m'),
    ).resolves.toEqual({ url: 'https://github.com/acme/incidents/issues/42#issuecomment-1' });
  });

  it.each([
    'https://github.com/acme/shop/pull/42',
    'https://evil.example.com/acme/shop/issues/42',
    'http://github.com/acme/shop/issues/42',
    'acme/shop#42',
  ])('refuses %s without calling GitHub', async (link) => {
    const err = await gh.github.commentOnIssue(link, 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UserFacingError', code: 'invalid_input' });
    expect((err as Error).message).toContain('like https://github.com/acme/shop/issues/123');
  });

  it('accepts issue links on a GitHub Enterprise Server host when GITHUB_API_URL points there', async () => {
    const ghes = createGitHubSourceControl({
      token: TOKEN,
      owner: OWNER,
      repo: REPO,
      retries: 0,
      baseUrl: 'https://ghe.acme.test/api/v3',
    });
    nock('https://ghe.acme.test')
      .post('/api/v3/repos/acme/shop/issues/5/comments', { body: 'hi' })
      .reply(201, { html_url: 'https://ghe.acme.test/acme/shop/issues/5#c' });
    await expect(ghes.commentOnIssue('https://ghe.acme.test/acme/shop/issues/5', 'hi')).resolves.toEqual({
      url: 'https://ghe.acme.test/acme/shop/issues/5#c',
    });
  });
});
