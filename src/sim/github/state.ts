/**
 * What the simulated GitHub holds for one repository: exactly the objects the bot's adapters read
 * and change (src/adapters/github) — workflows and their runs, pull requests with auto-merge,
 * tags and releases, comparisons between refs, file contents per ref, and issue comments.
 * Plain data, so a drill or a test can seed it and assert on it directly.
 */
export type RunStatus = 'queued' | 'in_progress' | 'waiting' | 'pending' | 'requested' | 'completed';
export type MergeMethod = 'MERGE' | 'SQUASH' | 'REBASE';

export interface SimWorkflow {
  id: number;
  /** The file name under .github/workflows, which the API also accepts as the workflow id. */
  file: string;
  state: 'active' | 'disabled_manually';
}

export interface SimRun {
  id: number;
  workflow: string;
  status: RunStatus;
  conclusion: string | null;
  event: string;
  headBranch: string;
  createdAt: string;
  /** A run that ignores a normal cancel (only force-cancel stops it). */
  ignoresCancel?: boolean;
}

export interface SimPullRequest {
  /** GraphQL node id (what the auto-merge mutations take). */
  nodeId: string;
  number: number;
  title: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  autoMerge: MergeMethod | null;
}

export interface SimCommit {
  sha: string;
  message: string;
  author: string;
}

export interface SimCompare {
  commits: SimCommit[];
  files: { filename: string; status: string }[];
}

export interface SimComment {
  id: number;
  issue: number;
  body: string;
  createdAt: string;
}

export interface SimGitHubState {
  owner: string;
  repo: string;
  workflows: SimWorkflow[];
  runs: SimRun[];
  pullRequests: SimPullRequest[];
  /** Tag name → commit sha. */
  tags: Record<string, string>;
  releases: { tag: string; draft?: boolean; prerelease?: boolean }[];
  /** `base...head` → what changed; an unknown pair of known refs compares as "no changes". */
  compares: Record<string, SimCompare>;
  /** ref → path → file text. Directories are implied by the paths. */
  files: Record<string, Record<string, string>>;
  /** Issues that exist (comments on others get 404). */
  issues: number[];
  comments: SimComment[];
  /** What a workflow_dispatch run does: it is queued, runs, then completes with `conclusion` after `durationMs`. */
  dispatch: { conclusion: 'success' | 'failure'; durationMs: number };
}

export function emptyGitHubState(owner: string, repo: string): SimGitHubState {
  return {
    owner,
    repo,
    workflows: [],
    runs: [],
    pullRequests: [],
    tags: {},
    releases: [],
    compares: {},
    files: {},
    issues: [],
    comments: [],
    dispatch: { conclusion: 'success', durationMs: 500 },
  };
}

/** Active (not completed) runs, the ones pause_deploys cancels. */
export function activeRuns(state: SimGitHubState, workflow: string): SimRun[] {
  return state.runs.filter((r) => r.workflow === workflow && r.status !== 'completed');
}
