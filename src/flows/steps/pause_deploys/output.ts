/**
 * What pause_deploys records: exactly what it changed on GitHub (`record`) and in the cluster
 * (`gitops`), checkpointed before each change. A re-run after a crash reads `record` back, and
 * resume_deploys reads it to undo exactly that and nothing else.
 */
import { z } from 'zod';
import { gitopsPauseRecordSchema } from '../../gitops/records.ts';

const pausedWorkflow = z.object({
  workflow: z.string(),
  /** GitHub's state when pause first looked: active, disabled_manually, disabled_inactivity, … */
  priorState: z.string(),
  /** It was active and we disable it; resume re-enables exactly these. Set before the call. */
  disabledByUs: z.boolean(),
  /** Nothing is left to do for it (false: intent recorded, the disable call may not have happened). */
  done: z.boolean(),
});

const runOutcome = z.enum([
  'cancelling', // intent recorded, cancel maybe not sent
  'cancel_requested',
  'force_requested',
  'cancelled',
  'finished', // completed on its own before the cancel took (409, or a conclusion other than cancelled)
  'not_cancelled', // still running after cancel (and force-cancel): a person must look
]);

const pausedRun = z.object({
  workflow: z.string(),
  runId: z.number(),
  htmlUrl: z.string(),
  /** Status when we found it. */
  status: z.string(),
  outcome: runOutcome,
  forced: z.boolean(),
  /** Status and conclusion at the last check. */
  lastStatus: z.string().optional(),
  conclusion: z.string().nullable().optional(),
});

/** A PR whose auto-merge pause turned off, with the merge method resume puts back (ports.ts AutoMergePullRequest). */
export const autoMergePullRequestSchema = z.object({
  /** GraphQL node id, what enable/disablePullRequestAutoMerge take. */
  nodeId: z.string(),
  number: z.number(),
  mergeMethod: z.enum(['MERGE', 'SQUASH', 'REBASE']),
});

const pausedPullRequest = autoMergePullRequestSchema.extend({
  /** The disable call returned (false: intent recorded with the merge method, call may not have happened). */
  done: z.boolean(),
});

const pauseRecordSchema = z.object({
  workflows: z.array(pausedWorkflow),
  runs: z.array(pausedRun),
  pullRequests: z.array(pausedPullRequest),
});

export const pauseDeploysOutputSchema = z.looseObject({
  /** The GitHub side; absent until the first checkpoint. */
  record: pauseRecordSchema.optional(),
  /** The Argo CD / Flux side (issue 11), when there was anything to pause or the guard is off. */
  gitops: gitopsPauseRecordSchema.optional(),
  /** Set once the step finished: a failure after it has nothing of pause's left to describe. */
  pausedAt: z.string().optional(),
});

/** The GitHub half alone, for pause's re-run and for resume: the GitOps record is read (and undone) by gitops/step-hooks.ts. */
export const pauseGitHubOutputSchema = pauseDeploysOutputSchema.pick({ record: true });

export type RunOutcome = z.output<typeof runOutcome>;
export type PausedRun = z.output<typeof pausedRun>;
export type PauseRecord = z.output<typeof pauseRecordSchema>;
