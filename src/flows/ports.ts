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

import type { Approval, ChatRef, Incident, StepRecord, TimelineEvent } from '../domain/incident.ts';
import type { StepId } from '../domain/steps.ts';
import type { NewTimelineEvent } from '../domain/timeline-events.ts';

// The ports in ports/ (one file per concern), re-exported so `./ports.ts` stays the one import.
export type * from './ports/commands.ts';
export type * from './ports/database.ts';
export type * from './ports/gitops.ts';
export type * from './ports/metrics.ts';
export type * from './ports/migration-source.ts';
export type * from './ports/secrets.ts';
export type * from './ports/sla-timers.ts';

export interface ContainerImage {
  container: string;
  image: string;
  /** In a live Deployment: the field manager that last set this image (managedFields), when known. */
  setBy?: string;
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
    options: {
      timeoutMs: number;
      signal?: AbortSignal;
      onProgress?: (progress: RolloutProgress) => void;
      /** The template images the bot set: any other image seen rejects at once with OutsideChangeError. */
      expect?: ContainerImage[];
    },
  ): Promise<void>;
  /** ReplicaSets controlled by the Deployment, newest revision first. */
  history(name: string): Promise<DeploymentRevision[]>;
  /** `kubectl rollout restart`: sets the kubectl.kubernetes.io/restartedAt template annotation. */
  restart(name: string, at: Date): Promise<void>;
}

/** What backup_promote needs of the Deployments port: `kubectl rollout restart` and the wait after it. */
export type RestartableDeployments = Pick<Deployments, 'restart' | 'waitForRollout'>;

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

/** Posts the incident's checklists (announce); the Slack layer implements it. */
export interface Announcer {
  /** Posts (or finds already posted) both checklists; returns where. */
  announce(incident: Incident): Promise<{ incidents: string; releases: string }>;
}

/** Comments on the incident's GitHub issue (resolve). */
export interface IssueComments {
  commentOnIssue(issueUrl: string, body: string): Promise<{ url: string }>;
}

/** What describeResume reads; GitHubSourceControl has both. */
export interface ReleaseDiffSource {
  compare(
    base: string,
    head: string,
  ): Promise<{
    commits: { sha: string; message: string; author: string }[];
    files: { filename: string; status: string }[];
    totalCommits: number;
  }>;
  getFileContent(path: string, ref: string): Promise<string | null>;
}

/** Dispatches and follows the smoke-test workflow (smoke_tests). */
export interface SmokeWorkflowSource extends Pick<SourceControl, 'getRun'> {
  dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
  findDispatchedRun(workflow: string, since: Date): Promise<WorkflowRun | undefined>;
}

/** Whether a tag exists in the repo (exact match; false on 404). */
export interface ReleaseTags {
  tagExists(tag: string): Promise<boolean>;
}

/** The app's Redis (TARGET_REDIS_URL), read only. */
export interface Backlog {
  depth(key: string): Promise<number>;
}

// ---- the bot's own state ------------------------------------------------------------------

export interface IncidentSnapshot {
  incident: Incident;
  steps: ReadonlyMap<StepId, StepRecord>;
  approvals: readonly Approval[];
}

/** What a flow records: only the kinds of domain/timeline-events.ts, each with its payload. */
export type NewEvent = NewTimelineEvent;

export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'state'
    | 'targetVersion'
    | 'targetSource'
    | 'severity'
    | 'critical'
    | 'autopilot'
    | 'impactStartedAt'
    | 'detectedAt'
    | 'decidedAt'
    | 'restoredAt'
    | 'resolvedAt'
    | 'chat'
  >
>;

/** What one atomic change writes: the store applies it under the incident's row lock, in one transaction. */
export interface Mutation<R> {
  incident?: IncidentPatch;
  /** Whole step records to write; the store bumps each one's version. */
  steps?: StepRecord[];
  approvals?: Approval[];
  events: NewEvent[];
  result: R;
}

/** What opening an incident records; the store adds the id, state and chat refs. */
export type NewIncident = Pick<
  Incident,
  | 'environment'
  | 'badVersion'
  | 'targetVersion'
  | 'targetSource'
  | 'severity'
  | 'trigger'
  | 'critical'
  | 'issueUrl'
  | 'createdBy'
  | 'createdAt'
  | 'impactStartedAt'
  | 'detectedAt'
> & { /** Defaults to on. */ autopilot?: boolean /** Defaults to false. */; drill?: boolean };

export interface KnownGood {
  environment: string;
  version: string | null;
  images: ContainerImage[] | Record<string, string>;
  source: string;
  recordedBy: string;
  recordedAt: Date;
}

export interface IncidentStore {
  /** Creates the incident with every runbook step pending; refuses a second open incident per environment. */
  create(input: NewIncident, events: Omit<NewEvent, 'at'>[]): Promise<Incident>;
  get(incidentId: string): Promise<IncidentSnapshot>;
  findOpen(environment: string): Promise<Incident | null>;
  list(filter: { environment?: string; openOnly?: boolean; limit?: number }): Promise<Incident[]>;
  mutate<R>(incidentId: string, change: (snapshot: IncidentSnapshot) => Mutation<R> | Promise<Mutation<R>>): Promise<R>;
  append(incidentId: string, events: NewEvent[]): Promise<void>;
  timeline(incidentId: string): Promise<TimelineEvent[]>;
  /** Merges into a step's output without a state change (a checkpoint inside a running step). */
  checkpoint(incidentId: string, stepId: StepId, attempt: number, output: Record<string, unknown>): Promise<void>;
  recordKnownGood(entry: KnownGood): Promise<void>;
  /**
   * Bad versions an incident actually reverted away from (revert_images succeeded or patched a
   * Deployment), newest incident first; an incident aborted before any revert taints nothing.
   */
  revertedVersions(environment: string): Promise<{ version: string; incidentId: string }[]>;
  knownGood(environment: string, limit?: number): Promise<KnownGood[]>;
  /** Steps queued or running in open incidents: the reconciler re-enqueues their jobs after a crash. */
  activeSteps(): Promise<StepRecord[]>;
  /** Records where one checklist message was posted; each channel on its own, so concurrent posts can't overwrite each other. */
  setChatRef(incidentId: string, channel: 'incidents' | 'releases', ref: ChatRef): Promise<void>;
}

// ---- the step queue and the people ------------------------------------------------------

export interface StepJob {
  incidentId: string;
  stepId: StepId;
  attempt: number;
  /** `apply`: a planned step whose approvals are complete applies its approved plan. */
  kind?: 'run' | 'apply';
}

export interface StepQueue {
  /** Idempotent: the job id is derived from (incident, step, attempt), so a second call is a no-op. */
  enqueue(job: StepJob): Promise<void>;
  /** Asks whichever worker runs the job to stop it (BullMQ's abort signal). */
  abort(job: StepJob, reason: string): Promise<void>;
  /** BullMQ's state of the job ('waiting', 'active', 'completed', 'failed', …), or null when there is none. */
  jobState(job: StepJob): Promise<string | null>;
  /** Why BullMQ gave up on the job (the last error's message), when it did. */
  failedReason?(job: StepJob): Promise<string | null>;
}

export interface RoleDirectory {
  rolesOf(userId: string): Promise<import('../domain/steps.ts').Role[]>;
  /** User ids holding a role, for mentions and the checklist header. */
  membersOf(role: import('../domain/steps.ts').Role): Promise<string[]>;
}

/** Told after every committed change, so chat can re-render; must never throw into the flow. */
export interface IncidentObserver {
  changed(incidentId: string, events: readonly NewEvent[]): void;
}
