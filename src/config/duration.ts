/**
 * The duration type of rollback.yml ("5m", "30s", "2h", "500ms" → milliseconds). Its own module
 * so schema.ts and the sections it mounts (database.ts) can share it without
 * importing each other in a cycle.
 */
import ms from 'ms';
import { z } from 'zod';

export const duration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write it like 30s, 5m or 2h` });
    return z.NEVER;
  }
  return parsed;
});
