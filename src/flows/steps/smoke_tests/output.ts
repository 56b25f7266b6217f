/**
 * What smoke_tests records: the dispatched workflow run (checkpointed before and after the
 * dispatch, so a re-run after a crash follows the same run instead of dispatching a second one),
 * or the command's result, or that a person runs them.
 */
import { z } from 'zod';

export const smokeRecordSchema = z.object({
  /** The attempt that dispatched it: a Retry (a new attempt) dispatches a fresh run. */
  attempt: z.number(),
  workflow: z.string(),
  ref: z.string(),
  dispatchedAt: z.string(),
  dispatched: z.boolean(),
  runId: z.number().optional(),
  url: z.string().optional(),
});

export const smokeTestsOutputSchema = z.looseObject({
  smoke: smokeRecordSchema.optional(),
  conclusion: z.string().nullable().optional(),
  /** validation.smoke.command: what ran, how long, and the last lines it printed. */
  command: z.array(z.string()).optional(),
  durationMs: z.number().optional(),
  tail: z.array(z.string()).optional(),
  /** Neither configured: a person runs them and confirms. */
  manual: z.boolean().optional(),
});

export type SmokeRecord = z.output<typeof smokeRecordSchema>;
export type SmokeTestsOutput = z.output<typeof smokeTestsOutputSchema>;
