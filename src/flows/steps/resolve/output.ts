/**
 * What resolve records: the resolution (summary, report, times, SLA verdicts, the issue comment),
 * which milestones.ts publishes as the `incident_resolved` event's payload when the incident closes.
 */
import { z } from 'zod';
import type { ResolutionReport } from './resolve-summary.ts';

export const resolveOutputSchema = z.looseObject({
  resolution: z
    .looseObject({
      summary: z.string(),
      report: z.custom<ResolutionReport>((v) => typeof v === 'object' && v !== null, 'the resolution report'),
      resolvedAt: z.string(),
    })
    .optional(),
});
export type ResolveOutput = z.output<typeof resolveOutputSchema>;
