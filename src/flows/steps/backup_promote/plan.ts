/**
 * The plan backup_promote shows before two people approve it: the restored database, the Secret
 * key it is written into, where the value it replaces is kept, and the Deployments restarted.
 * Apply refuses if database.promotion changed since.
 */
import { z } from 'zod';

export const promotePlanSchema = z.object({
  database: z.string(),
  location: z.string(),
  /** backup_restore's record of the backup (output.ts), as it was when planned. */
  backup: z.looseObject({ name: z.string(), takenAt: z.string() }),
  secret: z.string(),
  key: z.string(),
  /** Where the replaced value is kept (same Secret). */
  previousKey: z.string(),
  deployments: z.array(z.string()),
});
export type PromotePlan = z.output<typeof promotePlanSchema>;
