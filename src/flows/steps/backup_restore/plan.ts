/**
 * The plan backup_restore shows before two people approve it: which backup, the data-loss window,
 * and the NEW database it goes into. Apply restores exactly that backup, and refuses if the
 * target database or server changed since.
 */
import { z } from 'zod';

export const backupRestorePlanSchema = z.object({
  backup: z.object({ name: z.string(), takenAt: z.string(), sizeBytes: z.number() }),
  dataLoss: z.object({ from: z.string(), to: z.string(), text: z.string() }),
  /** The new database, on `server` (host:port — no credentials). */
  database: z.string(),
  server: z.string(),
  firstBadRequestAt: z.string(),
});
export type BackupRestorePlan = z.output<typeof backupRestorePlanSchema>;
