/**
 * GitHubSourceControl: the SourceControl port over GitHub's REST and GraphQL APIs (Octokit 22),
 * plus what doctor, migration scoping, smoke tests and resolve need from GitHub.
 * Every call maps failures per github-error.ts, so an SRE reads which permission or config key
 * to fix, and BullMQ sees `transient` on what a retry may fix.
 */
import type { SourceControl, WorkflowInfo, WorkflowRun } from '../../flows/ports.ts';
import { type AccessCheck, checkGitHubAccess } from './github-access-check.ts';
import { createGitHubAutoMerge } from './github-auto-merge.ts';
import { guardGitHubCalls, repoNotFound } from './github-error.ts';
import { commentOnIssue, webHostOf } from './github-issue-comment.ts';
import { createGitHubOctokit, DEFAULT_GITHUB_API_URL, type GitHubOctokitOptions } from './github-octokit.ts';
import { createGitHubRepoContent, type GitHubRepoContent, statusOf } from './github-repo-content.ts';

export interface GitHubSourceControlOptions extends GitHubOctokitOptions {
  owner: string;
  repo: string;
}

export interface GitHubSourceControl extends SourceControl, Omit<GitHubRepoContent, 'listReleaseTags'> {
  /** For a run that ignored a normal cancel (API_NOTES: only then). */
  forceCancelRun(runId: number): Promise<void>;
  dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
  /** The earliest workflow_dispatch run created at or after `since` (the one our dispatch made). */
  findDispatchedRun(workflow: string, since: Date): Promise<WorkflowRun | undefined>;
  commentOnIssue(issueUrl: string, body: string): Promise<{ url: string }>;
  checkAccess(options?: { workflows?: string[] }): Promise<AccessCheck[]>;
}

/** Every status GitHub has for a run that has not completed (API_NOTES "Active runs"). */
export const ACTIVE_RUN_STATUSES = ['in_progress', 'queued', 'waiting', 'pending', 'requested'] as const;

export function createGitHubSourceControl(options: GitHubSourceControlOptions): GitHubSourceControl {
  const { owner, repo, token } = options;
  const slug = `${owner}/${repo}`;
  const octokit = createGitHubOctokit(options);
  const call = guardGitHubCalls(token ?? '');
  const autoMerge = createGitHubAutoMerge(octokit, owner, repo);
  const content = createGitHubRepoContent(octokit, owner, repo, call);
  const webHost = webHostOf(options.baseUrl ?? DEFAULT_GITHUB_API_URL);

  const onWorkflow = (verb: string, workflow: string, permission: string) => ({
    action: `while ${verb} workflow ${workflow} in ${slug}`,
    permission,
    notFound: `no workflow "${workflow}" in ${slug} — check github.deploy_workflows in rollback.yml (the file name under .github/workflows, like deploy.yml) and github.owner/github.repo`,
  });
  const onRun = (verb: string, runId: number, permission: string) => ({
    action: `while ${verb} run ${runId} in ${slug}`,
    permission,
    notFound: `run ${runId} is not in ${slug} (deleted, or github.owner/github.repo in rollback.yml point elsewhere)`,
  });
  const onPullRequests = (verb: string) => ({
    action: `while ${verb} in ${slug}`,
    permission: 'pull_requests=write',
    notFound: repoNotFound(slug),
  });

  return {
    getWorkflow: (workflow) =>
      call(onWorkflow('reading', workflow, 'actions=read'), async (): Promise<WorkflowInfo> => {
        const { data } = await octokit.rest.actions.getWorkflow({ owner, repo, workflow_id: workflow });
        return { id: data.id, name: data.name, path: data.path, state: data.state };
      }),
    disableWorkflow: (workflow) =>
      call(onWorkflow('disabling', workflow, 'actions=write'), async () => {
        await octokit.rest.actions.disableWorkflow({ owner, repo, workflow_id: workflow });
      }),
    enableWorkflow: (workflow) =>
      call(onWorkflow('enabling', workflow, 'actions=write'), async () => {
        await octokit.rest.actions.enableWorkflow({ owner, repo, workflow_id: workflow });
      }),
    listActiveRuns: (workflow) =>
      call(onWorkflow('listing active runs of', workflow, 'actions=read'), async () => {
        const byId = new Map<number, WorkflowRun>();
        for (const status of ACTIVE_RUN_STATUSES) {
          const runs = await octokit.paginate(octokit.rest.actions.listWorkflowRuns, {
            owner,
            repo,
            workflow_id: workflow,
            status,
            per_page: 100,
          });
          for (const run of runs) byId.set(run.id, toRun(run));
        }
        return [...byId.values()];
      }),
    cancelRun: (runId) =>
      call(onRun('cancelling', runId, 'actions=write'), async () => {
        try {
          await octokit.rest.actions.cancelWorkflowRun({ owner, repo, run_id: runId });
          return 'cancelled' as const;
        } catch (err) {
          if (statusOf(err) === 409) return 'already_finished' as const;
          throw err;
        }
      }),
    forceCancelRun: (runId) =>
      call(onRun('force-cancelling', runId, 'actions=write'), async () => {
        await octokit.rest.actions.forceCancelWorkflowRun({ owner, repo, run_id: runId });
      }),
    getRun: (runId) =>
      call(onRun('reading', runId, 'actions=read'), async () =>
        toRun((await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId })).data),
      ),
    listAutoMergePullRequests: () =>
      call(onPullRequests('listing open pull requests with auto-merge'), () => autoMerge.list()),
    disableAutoMerge: (pr) =>
      call(onPullRequests(`disabling auto-merge on #${pr.number}`), () => autoMerge.disable(pr)),
    enableAutoMerge: (pr) =>
      call(onPullRequests(`enabling auto-merge (${pr.mergeMethod.toLowerCase()}) on #${pr.number}`), () =>
        autoMerge.enable(pr),
      ),
    listReleaseTags: content.listReleaseTags,
    compare: content.compare,
    getFileContent: content.getFileContent,
    listDirectory: content.listDirectory,
    tagExists: content.tagExists,
    dispatchWorkflow: (workflow, ref, inputs) =>
      call(onWorkflow(`dispatching (ref ${ref})`, workflow, 'actions=write'), async () => {
        await octokit.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: workflow, ref, inputs });
      }),
    findDispatchedRun: (workflow, since) =>
      call(onWorkflow('finding the dispatched run of', workflow, 'actions=read'), async () => {
        // GitHub's created filter is second-granular; flooring keeps a run made in the same second.
        const created = `>=${new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z')}`;
        const { data } = await octokit.rest.actions.listWorkflowRuns({
          owner,
          repo,
          workflow_id: workflow,
          event: 'workflow_dispatch',
          created,
          per_page: 100,
        });
        const runs = data.workflow_runs.map(toRun).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        return runs[0];
      }),
    commentOnIssue: (issueUrl, body) => commentOnIssue(octokit, call, webHost, issueUrl, body),
    checkAccess: (checkOptions = {}) =>
      checkGitHubAccess({
        octokit,
        autoMerge,
        owner,
        repo,
        token: token ?? '',
        workflows: checkOptions.workflows ?? [],
        appId: options.app?.appId,
      }),
  };
}

function toRun(run: {
  id: number;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  created_at: string;
}): WorkflowRun {
  return {
    id: run.id,
    status: run.status ?? 'unknown',
    conclusion: run.conclusion,
    htmlUrl: run.html_url,
    createdAt: run.created_at,
  };
}
