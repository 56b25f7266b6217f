/**
 * `rollback-commander doctor`: what GITHUB_TOKEN can do, found out with reads only — nothing is
 * changed. A classic token reports its scopes in X-OAuth-Scopes; a fine-grained or App token
 * reports nothing, so for those the reads below are the evidence and writes are named, not proven.
 */
import type { GitHubAutoMerge } from './github-auto-merge.ts';
import { FINE_GRAINED_NEEDS, guardGitHubCalls, repoNotFound } from './github-error.ts';
import type { GitHubOctokit } from './github-octokit.ts';

export interface AccessCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface AccessCheckTarget {
  octokit: GitHubOctokit;
  autoMerge: GitHubAutoMerge;
  owner: string;
  repo: string;
  token: string;
  workflows: string[];
}

const CLASSIC_SCOPES = ['repo', 'workflow'];

export async function checkGitHubAccess(target: AccessCheckTarget): Promise<AccessCheck[]> {
  const { octokit, owner, repo } = target;
  const slug = `${owner}/${repo}`;
  const attempt = async (check: string, permission: string, notFound: string, run: () => Promise<string>): Promise<AccessCheck> => {
    try {
      return { check, ok: true, detail: await guardGitHubCalls(target.token)({ action: `checking ${check}`, permission, notFound }, run) };
    } catch (err) {
      return { check, ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  };

  let headers: Record<string, string | number | undefined> = {};
  let canPush = false;
  const repoCheck = await attempt('repository', 'metadata=read', repoNotFound(slug), async () => {
    const response = await octokit.rest.repos.get({ owner, repo });
    headers = response.headers;
    canPush = Boolean(response.data.permissions?.push || response.data.permissions?.admin);
    return `token accepted; ${slug} is visible (${canPush ? 'write' : 'read-only'} access for the token's user)`;
  });
  // Every further check would fail the same way: one clear line beats five.
  if (!repoCheck.ok) return [repoCheck];

  const checks = [repoCheck, scopesCheck(headers['x-oauth-scopes'])];
  if (!canPush) {
    checks.push({ check: 'write access', ok: false, detail: `the token's user cannot write to ${slug}: disabling workflows, cancelling runs and auto-merge need write access — add the user to the repository with the Write role` });
  }
  for (const workflow of target.workflows) {
    checks.push(await attempt(`workflow ${workflow}`, 'actions=read', `no workflow "${workflow}" in ${slug} — check github.deploy_workflows in rollback.yml (the file name under .github/workflows, like deploy.yml)`, async () => {
      const { data } = await octokit.rest.actions.getWorkflow({ owner, repo, workflow_id: workflow });
      return data.state === 'active' ? 'found, active' : `found, ${data.state} (pause_deploys will leave it as it is)`;
    }));
  }
  checks.push(await attempt('pull requests (auto-merge)', 'pull_requests=read', repoNotFound(slug), async () => {
    const prs = await target.autoMerge.list();
    return `readable; ${prs.length} open pull request(s) have auto-merge on`;
  }));
  return checks;
}

function scopesCheck(header: string | number | undefined): AccessCheck {
  if (header === undefined) {
    return {
      check: 'token permissions',
      ok: true,
      detail: `fine-grained or app token: GitHub does not report its permissions, so writes are proven only when used — make sure it has ${FINE_GRAINED_NEEDS}`,
    };
  }
  const scopes = String(header).split(',').map((s) => s.trim()).filter(Boolean);
  const missing = CLASSIC_SCOPES.filter((s) => !scopes.includes(s));
  return missing.length === 0
    ? { check: 'token scopes', ok: true, detail: `classic token with ${CLASSIC_SCOPES.join(' and ')} scopes` }
    : { check: 'token scopes', ok: false, detail: `classic token is missing the ${missing.join(' and ')} scope(s) (has: ${scopes.join(', ') || 'none'}) — add them at https://github.com/settings/tokens or use a fine-grained token` };
}
