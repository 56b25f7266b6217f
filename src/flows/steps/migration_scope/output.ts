/** What migration_scope records; migration_revert reads which migrations to revert, newest first. */
import { z } from 'zod';

const shipped = z.object({ version: z.string(), name: z.string(), file: z.string() });
/** One migration to revert; migration_revert's plan carries the one it reverts (migration_revert/plan.ts). */
export const migrationToRevertSchema = shipped.extend({ previousVersion: z.string().nullable() });

export const migrationScopeOutputSchema = z.looseObject({
  /** The database's head when scoped (null: an empty migrations table). */
  head: z.string().nullable(),
  shipped: z.array(shipped).optional(),
  rollbackNeeded: z.boolean().optional(),
  /** Newest first; each with the version the database is at once it is reverted. */
  toRevert: z.array(migrationToRevertSchema),
  /** The newest applied migration the target release already had. */
  expectedVersion: z.string().nullable(),
  notes: z.array(z.string()).optional(),
  report: z.string(),
  targetVersion: z.string().optional(),
});
export type MigrationScopeOutput = z.output<typeof migrationScopeOutputSchema>;
