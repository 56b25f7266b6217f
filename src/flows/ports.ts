/**
 * The ports the flows call. Each external system sits behind one small interface named for its
 * role; adapters are `<Tech><Port>` (K8sDeployments, GitHubSourceControl, …).
 *
 * Adapter error contract (src/domain/errors.ts):
 * - throw `UserFacingError` for anything a person must fix (missing object, 401/403 with the
 *   missing permission named, bad input), with `transient: false`;
 * - throw `AppError(..., { transient: true })` for what a retry may fix (network, 5xx, 429, 409
 *   conflicts on optimistic updates);
 * - prefix messages with what was being done: "while patching deployment prod/api: …".
 */

export interface ContainerImage {
  container: string;
  image: string;
}

export interface DeploymentSnapshot {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  observedGeneration: number;
  paused: boolean;
  replicas: number;
  containers: ContainerImage[];
}

export interface RolloutProgress {
  deployment: string;
  /** kubectl's own wording: "Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated..." */
  message: string;
  done: boolean;
}

export interface DeploymentRevision {
  revision: number;
  replicaSet: string;
  images: ContainerImage[];
  createdAt: string | undefined;
}

export interface Deployments {
  /** Throws UserFacingError('not_found') naming the namespace/name when it does not exist. */
  get(name: string): Promise<DeploymentSnapshot>;
  /** What `kubectl set image` sends: a strategic merge patch that merges containers by name. */
  setImages(name: string, images: ContainerImage[]): Promise<void>;
  /**
   * Resolves when the rollout is complete by kubectl's rollout-status rules (watch-based);
   * rejects with code 'rollout_failed' on ProgressDeadlineExceeded or deletion, 'timeout' after
   * timeoutMs, 'aborted' when the signal fires.
   */
  waitForRollout(
    name: string,
    options: { timeoutMs: number; signal?: AbortSignal; onProgress?: (progress: RolloutProgress) => void },
  ): Promise<void>;
  /** ReplicaSets controlled by the Deployment, newest revision first. */
  history(name: string): Promise<DeploymentRevision[]>;
  /** `kubectl rollout restart`: sets the kubectl.kubernetes.io/restartedAt template annotation. */
  restart(name: string, at: Date): Promise<void>;
}

export interface WorkflowInfo {
  id: number;
  name: string;
  path: string;
  /** GitHub's states: active, disabled_manually, disabled_inactivity, … */
  state: string;
}

export interface WorkflowRun {
  id: number;
  status: string;
  conclusion: string | null;
  htmlUrl: string;
  createdAt: string;
}

export interface AutoMergePullRequest {
  /** GraphQL node id, what enable/disablePullRequestAutoMerge take. */
  nodeId: string;
  number: number;
  mergeMethod: 'MERGE' | 'SQUASH' | 'REBASE';
}

export interface SourceControl {
  getWorkflow(workflow: string): Promise<WorkflowInfo>;
  disableWorkflow(workflow: string): Promise<void>;
  enableWorkflow(workflow: string): Promise<void>;
  /** Runs of the workflow in every status that is not completed (one listWorkflowRuns per status). */
  listActiveRuns(workflow: string): Promise<WorkflowRun[]>;
  /** 'cancelled' on 202, 'already_finished' on 409. */
  cancelRun(runId: number): Promise<'cancelled' | 'already_finished'>;
  getRun(runId: number): Promise<WorkflowRun>;
  /** Open PRs that have auto-merge enabled, with their merge method. */
  listAutoMergePullRequests(): Promise<AutoMergePullRequest[]>;
  disableAutoMerge(pr: AutoMergePullRequest): Promise<void>;
  enableAutoMerge(pr: AutoMergePullRequest): Promise<void>;
  /** Tags of published releases (drafts and prereleases skipped) and plain tags, deduplicated. */
  listReleaseTags(): Promise<string[]>;
}

/** The app's Redis (TARGET_REDIS_URL), read only. */
export interface Backlog {
  depth(key: string): Promise<number>;
}
