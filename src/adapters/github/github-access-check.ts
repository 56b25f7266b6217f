/**
 * `rollback-commander doctor`: what GITHUB_TOKEN or the GitHub App can do, found out with reads
 * only — nothing is changed. A classic token reports its scopes in X-OAuth-Scopes; a fine-grained
 * token reports nothing, so for it the reads below are the evidence and writes are named, not
 * proven. An App installation's token comes with its permissions, checked against each step's.
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
  /** Set when authenticating as a GitHub App (github-app-auth.ts). */
  appId?: string;
}

/** What each step needs of a GitHub App installation (the README's App permission list). */
export const APP_PERMISSIONS: { permission: string; level: 'read' | 'write'; for: string }[] = [
  { permission: 'metadata', level: 'read', for: 'every call' },
  { permission: 'actions', level: 'write', for: 'pause_deploys, resume_deploys, smoke_tests' },
  { permission: 'pull_requests', level: 'write', for: 'pause_deploys and resume_deploys (auto-merge)' },
  { permission: 'contents', level: 'read', for: 'select_release (tags), migration_scope, migration_revert' },
  { permission: 'issues', level: 'write', for: 'resolve (the TTD/TTR comment)' },
];
const LEVELS = ['read', 'write', 'admin'];

const CLASSIC_SCOPES = ['repo', 'workflow'];

export async function checkGitHubAccess(target: AccessCheckTarget): Promise<AccessCheck[]> {
  const { octokit, owner, repo } = target;
  const slug = `${owner}/${repo}`;
  const attempt = async (
    check: string,
    permission: string,
    notFound: string,
    run: () => Promise<string>,
  ): Promise<AccessCheck> => {
    try {
      return {
        check,
        ok: true,
        detail: await guardGitHubCalls(target.token)({ action: `checking ${check}`, permission, notFound }, run),
      };
    } catch (err) {
      return { check, ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  };

  const app = target.appId ? await installationCheck(target) : undefined;
  if (app && !app.ok) return [app];

  let headers: Record<string, string | number | undefined> = {};
  let canPush = false;
  const repoCheck = await attempt('repository', 'metadata=read', repoNotFound(slug), async () => {
    const response = await octokit.rest.repos.get({ owner, repo });
    headers = response.headers;
    canPush = Boolean(response.data.permissions?.push || response.data.permissions?.admin);
    return app
      ? `${slug} is visible to the installation`
      : `token accepted; ${slug} is visible (${canPush ? 'write' : 'read-only'} access for the token's user)`;
  });
  // Every further check would fail the same way: one clear line beats five.
  if (!repoCheck.ok) return app ? [app, repoCheck] : [repoCheck];

  const checks = app ? [app, repoCheck] : [repoCheck, scopesCheck(headers['x-oauth-scopes'])];
  if (!canPush && !app) {
    checks.push({
      check: 'write access',
      ok: false,
      detail: `the token's user cannot write to ${slug}: disabling workflows, cancelling runs and auto-merge need write access — add the user to the repository with the Write role`,
    });
  }
  for (const workflow of target.workflows) {
    checks.push(
      await attempt(
        `workflow ${workflow}`,
        'actions=read',
        `no workflow "${workflow}" in ${slug} — check github.deploy_workflows in rollback.yml (the file name under .github/workflows, like deploy.yml)`,
        async () => {
          const { data } = await octokit.rest.actions.getWorkflow({ owner, repo, workflow_id: workflow });
          return data.state === 'active'
            ? 'found, active'
            : `found, ${data.state} (pause_deploys will leave it as it is)`;
        },
      ),
    );
  }
  checks.push(
    await attempt('pull requests (auto-merge)', 'pull_requests=read', repoNotFound(slug), async () => {
      const prs = await target.autoMerge.list();
      return `readable; ${prs.length} open pull request(s) have auto-merge on`;
    }),
  );
  return checks;
}

/** The installation on the repository and, against APP_PERMISSIONS, what it lacks. */
async function installationCheck(target: AccessCheckTarget): Promise<AccessCheck> {
  const check = 'GitHub App';
  const slug = `${target.owner}/${target.repo}`;
  let auth: { installationId?: number; permissions?: Record<string, string | undefined> };
  try {
    auth = (await target.octokit.auth({ type: 'installation' })) as typeof auth;
  } catch (err) {
    const status = (err as { status?: number }).status;
    const detail =
      status === 404
        ? `App ${target.appId} is not installed on ${slug} (or not given that repository): install it from the App's page (Install App) with the permissions in the README, "GitHub App"`
        : status === 401
          ? `GitHub rejected the App's signed JWT (401): check GITHUB_APP_ID (${target.appId}) and that GITHUB_APP_PRIVATE_KEY is a current private key of that App`
          : `could not find the App's installation on ${slug}: ${(err as Error).message}`;
    return { check, ok: false, detail };
  }
  const granted = auth.permissions ?? {};
  const lacking = APP_PERMISSIONS.filter((p) => LEVELS.indexOf(granted[p.permission] ?? '') < LEVELS.indexOf(p.level));
  const id = `App ${target.appId}, installation ${auth.installationId} on ${slug}`;
  if (lacking.length) {
    const list = lacking.map((p) => `${p.permission}: ${p.level} (${p.for})`).join('; ');
    return {
      check,
      ok: false,
      detail: `${id} lacks ${list} — add them under the App's Permissions & events, then approve the new permissions on the installation`,
    };
  }
  return {
    check,
    ok: true,
    detail: `${id}; granted ${APP_PERMISSIONS.map((p) => `${p.permission}: ${granted[p.permission]}`).join(', ')} — what every step needs`,
  };
}

function scopesCheck(header: string | number | undefined): AccessCheck {
  if (header === undefined) {
    return {
      check: 'token permissions',
      ok: true,
      detail: `fine-grained or app token: GitHub does not report its permissions, so writes are proven only when used — make sure it has ${FINE_GRAINED_NEEDS}`,
    };
  }
  const scopes = String(header)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const missing = CLASSIC_SCOPES.filter((s) => !scopes.includes(s));
  return missing.length === 0
    ? { check: 'token scopes', ok: true, detail: `classic token with ${CLASSIC_SCOPES.join(' and ')} scopes` }
    : {
        check: 'token scopes',
        ok: false,
        detail: `classic token is missing the ${missing.join(' and ')} scope(s) (has: ${scopes.join(', ') || 'none'}) — add them at https://github.com/settings/tokens or use a fine-grained token`,
      };
}
