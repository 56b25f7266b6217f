/**
 * `doctor`'s GitHub section: what the token can do, found out with reads only.
 */
import { describe, expect, it } from 'vitest';
import { OWNER, prNode, prPage, REPO, workflowBody } from '../fixtures/github/github-api.ts';
import { useNockedGitHub } from '../fixtures/github/nock-github.ts';

const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const gh = useNockedGitHub();

function repoBody(permissions: { admin: boolean; push: boolean; pull: boolean }) {
  return { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, default_branch: 'main', permissions };
}

describe('checkAccess', () => {
  it('reports a classic token missing the workflow scope and a configured workflow that does not exist', async () => {
    gh.api
      .get(REPO_PATH)
      .reply(200, repoBody({ admin: false, push: true, pull: true }), { 'x-oauth-scopes': 'repo, read:org' });
    gh.api.get(`${REPO_PATH}/actions/workflows/deploy.yml`).reply(200, workflowBody('deploy.yml', 'active'));
    gh.api
      .get(`${REPO_PATH}/actions/workflows/deploy-web.yml`)
      .reply(200, workflowBody('deploy-web.yml', 'disabled_manually'));
    gh.api.get(`${REPO_PATH}/actions/workflows/deplyo.yml`).reply(404, { message: 'Not Found' });
    gh.api.post('/graphql').reply(200, prPage([prNode('PR_a', 7, 'SQUASH'), prNode('PR_b', 8, null)]));

    const checks = await gh.github.checkAccess({ workflows: ['deploy.yml', 'deploy-web.yml', 'deplyo.yml'] });
    expect(checks.map(({ check, ok }) => [check, ok])).toEqual([
      ['repository', true],
      ['token scopes', false],
      ['workflow deploy.yml', true],
      ['workflow deploy-web.yml', true],
      ['workflow deplyo.yml', false],
      ['pull requests (auto-merge)', true],
    ]);
    expect(checks[1]!.detail).toBe(
      'classic token is missing the workflow scope(s) (has: repo, read:org) — add them at https://github.com/settings/tokens or use a fine-grained token',
    );
    expect(checks[3]!.detail).toBe('found, disabled_manually (pause_deploys will leave it as it is)');
    expect(checks[4]!.detail).toContain(
      'no workflow "deplyo.yml" in acme/shop — check github.deploy_workflows in rollback.yml',
    );
    expect(checks[5]!.detail).toBe('readable; 1 open pull request(s) have auto-merge on');
  });

  it("says a fine-grained token's permissions cannot be read, and flags a user without write access", async () => {
    gh.api.get(REPO_PATH).reply(200, repoBody({ admin: false, push: false, pull: true }));
    gh.api.post('/graphql').reply(200, prPage([]));

    const checks = await gh.github.checkAccess();
    expect(checks.map(({ check, ok }) => [check, ok])).toEqual([
      ['repository', true],
      ['token permissions', true],
      ['write access', false],
      ['pull requests (auto-merge)', true],
    ]);
    expect(checks[0]!.detail).toBe("token accepted; acme/shop is visible (read-only access for the token's user)");
    expect(checks[1]!.detail).toContain('Actions read/write, Pull requests write, Contents read, Issues write');
    expect(checks[2]!.detail).toContain('add the user to the repository with the Write role');
  });

  it('stops at the first line when the token is rejected', async () => {
    gh.api.get(REPO_PATH).reply(401, { message: 'Bad credentials' });
    const checks = await gh.github.checkAccess({ workflows: ['deploy.yml'] });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ check: 'repository', ok: false });
    expect(checks[0]!.detail).toContain('GitHub rejected GITHUB_TOKEN (401)');
  });
});
