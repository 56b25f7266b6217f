/**
 * One bot, one environment: a schema that already holds another environment's incidents belongs
 * to another bot. Sharing it would let each bot's worker, reconciler and relay see the other's
 * rows (the queries are scoped, but ids and locks would still be shared), so start-up refuses it.
 */
import type { Pool } from 'pg';
import { UserFacingError } from '../../domain/errors.ts';

export async function refuseForeignEnvironment(
  pool: Pool,
  schema: string,
  environment: string,
  defaultSchema: string,
): Promise<void> {
  const res = await pool.query<{ environment: string; incidents: string }>(
    'select environment, count(*)::text as incidents from incidents where environment <> $1 group by environment order by environment',
    [environment],
  );
  if (res.rowCount === 0) return;
  const others = res.rows
    .map((r) => `${r.environment} (${r.incidents} incident${r.incidents === '1' ? '' : 's'})`)
    .join(', ');
  const fix =
    schema === defaultSchema
      ? 'give this bot another DATABASE_SCHEMA'
      : `unset DATABASE_SCHEMA (the default is ${defaultSchema}) or set another one`;
  throw new UserFacingError(
    'config_invalid',
    `the bot's schema ${schema} already holds incidents of ${others}, and this bot runs ${environment}: ` +
      `each environment needs its own bot and schema — ${fix}, or point the config at the environment this schema belongs to`,
  );
}
