/** What backup_restore records; backup_promote and backup_abandon read the restored database and its backup. */
import { z } from 'zod';

export const backupRestoreOutputSchema = z.looseObject({
  /** The new database's name on the restore server. */
  database: z.string(),
  /** host:port/database — no credentials. */
  location: z.string(),
  backup: z.looseObject({ name: z.string(), takenAt: z.string() }),
  validation: z.object({
    ok: z.boolean(),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
    headVersion: z.string().nullable(),
    rowCounts: z.record(z.string(), z.number()),
  }),
  resumed: z.boolean().optional(),
  cleanedUp: z.boolean().optional(),
});
export type BackupRestoreOutput = z.output<typeof backupRestoreOutputSchema>;
