/**
 * What migration_revert records besides its plan (plan.ts): the migrations reverted so far, one
 * attempt each and checkpointed before the next is planned, and the forward-fix plan's owners
 * when approving one recorded it instead.
 */
import { z } from 'zod';

export const migrationRevertOutputSchema = z.looseObject({
  /** Versions reverted by this step so far, across its attempts. */
  reverted: z.array(z.string()).optional(),
  /** The database head after the last revert. */
  head: z.string().nullable().optional(),
  alreadyReverted: z.boolean().optional(),
  forwardFix: z
    .object({
      migration: z.string(),
      plan: z.string().optional(),
      owners: z.array(z.string()),
      requestedBy: z.string().nullable(),
      recordedAt: z.string(),
    })
    .optional(),
});
export type MigrationRevertOutput = z.output<typeof migrationRevertOutputSchema>;
