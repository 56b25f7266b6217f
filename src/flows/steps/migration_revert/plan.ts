/**
 * The plan migration_revert shows before two people approve it and then applies exactly as shown:
 * the revert itself (a down file's SQL, a command's argv, or a forward-fix when neither exists)
 * and where it sits among the migrations still to revert. The SLA rule reads its kind
 * (forward-fix.ts): an approved forward-fix plan meets a P2's restore milestone.
 */
import { z } from 'zod';
import { migrationToRevertSchema } from '../migration_scope/output.ts';
import { DESTRUCTIVE_KINDS } from './describe-destructive.ts';

const warning = z.object({
  kind: z.enum(DESTRUCTIVE_KINDS),
  /** The statement, comments stripped and whitespace collapsed (string literals shown as ''). */
  statement: z.string(),
  message: z.string(),
});

const base = { migration: migrationToRevertSchema, summary: z.string() };
const downFile = z.object({
  ...base,
  kind: z.literal('down_file'),
  file: z.string(),
  /** The bad release's tag the file was read at. */
  ref: z.string(),
  sql: z.string(),
  sha256: z.string(),
  warnings: z.array(warning),
});
const command = z.object({ ...base, kind: z.literal('command'), argv: z.array(z.string()) });
const forwardFix = z.object({ ...base, kind: z.literal('forward_fix'), reason: z.string() });

/** How one migration is reverted (migration-revert.ts plans and runs it). */
export const revertPlanSchema = z.discriminatedUnion('kind', [downFile, command, forwardFix]);

/** What Run shows and Apply gets back: the revert plan plus where it sits in the sequence. */
const sequence = {
  /** The database head when planned. */
  head: z.string(),
  /** Versions still to revert after this one, newest first. */
  remainingAfter: z.array(z.string()),
  expectedVersion: z.string().nullable(),
  requestedBy: z.string().nullable(),
  /** forward_fix only: what the owners commit to doing instead. */
  forwardFix: z.string().optional(),
};
export const plannedRevertSchema = z.discriminatedUnion('kind', [
  downFile.extend(sequence),
  command.extend(sequence),
  forwardFix.extend(sequence),
]);

export type RevertPlan = z.output<typeof revertPlanSchema>;
export type PlannedRevert = z.output<typeof plannedRevertSchema>;

/**
 * What the SLA rule reads of a plan (forward-fix.ts): its kind alone. A plan of another kind is
 * simply not a forward-fix, so this is checked with safeParse rather than refused.
 */
export const forwardFixKindSchema = forwardFix.pick({ kind: true });
