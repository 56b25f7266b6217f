/**
 * What resolve records: the resolution (summary, report, times, SLA verdicts, the issue comment),
 * which milestones.ts publishes as the `incident_resolved` event's payload when the incident closes.
 */
import { z } from 'zod';
import type { ResolutionReport } from './resolve-summary.ts';

/** The TTD/TTR comment on the linked GitHub issue: where it is, or why it could not be posted. */
const commentResult = z.object({ url: z.string().nullable(), error: z.string().optional() });

export const resolveOutputSchema = z.looseObject({
  /** Checkpointed once posted, so a worker that dies after posting it does not post it twice. */
  issueComment: commentResult.optional(),
  resolution: z
    .looseObject({
      summary: z.string(),
      report: z.custom<ResolutionReport>((v) => typeof v === 'object' && v !== null, 'the resolution report'),
      resolvedAt: z.string(),
    })
    .optional(),
});
export type ResolveOutput = z.output<typeof resolveOutputSchema>;
export type CommentResult = z.output<typeof commentResult>;
