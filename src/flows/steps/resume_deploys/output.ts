/**
 * What resume_deploys records: what it re-enabled on GitHub (`resume`, checkpointed before each
 * auto-merge call so a re-run after a crash trusts it) and what each GitOps controller got back.
 */
import { z } from 'zod';
import { gitopsResumeRecordSchema } from '../../gitops/records.ts';
import { autoMergePullRequestSchema } from '../pause_deploys/output.ts';

const resumedPullRequest = autoMergePullRequestSchema.extend({
  outcome: z.enum(['enabling', 'enabled', 'already_enabled', 'not_enabled']),
  /** Why GitHub refused (closed, merged, already mergeable), for not_enabled. */
  reason: z.string().optional(),
});

const resumeRecordSchema = z.object({
  /** Workflows re-enabled, or found active again (a re-run reads the state before enabling). */
  workflows: z.array(z.string()),
  pullRequests: z.array(resumedPullRequest),
});

export const resumeDeploysOutputSchema = z.looseObject({
  resume: resumeRecordSchema.optional(),
  gitops: gitopsResumeRecordSchema.optional(),
  resumedAt: z.string().optional(),
});

export type ResumedPullRequest = z.output<typeof resumedPullRequest>;
export type ResumeRecord = z.output<typeof resumeRecordSchema>;
