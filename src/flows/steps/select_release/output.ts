/** What select_release records; approving it (flows/step-commands.ts) reads the proposal and what may be approved. */
import { z } from 'zod';

export const selectReleaseOutputSchema = z.looseObject({
  /** `/rollback … to <version>`: written by start-rollback.ts as the step's input before it runs. */
  requestedTarget: z.string().optional(),
  proposal: z.object({ version: z.string(), source: z.string() }).optional(),
  /** Releases older than the bad one that exist (history or tags), newest first. */
  validTargets: z.array(z.string()).optional(),
  /** Versions an incident rolled back away from → that incident: approvable only by naming them. */
  taintedTargets: z.record(z.string(), z.string()).optional(),
  candidates: z.record(z.string(), z.unknown()).optional(),
  disagreements: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
});
export type SelectReleaseOutput = z.output<typeof selectReleaseOutputSchema>;
