/**
 * The bot's own database, migrated and checked to belong to this environment. Apart from
 * container.ts so the CLI's read-only commands (list, status, export) open only this: no
 * Kubernetes, GitHub, Slack or BullMQ modules to load, no settings for them to need.
 */
import type pg from 'pg';
import { refuseForeignEnvironment } from '../adapters/db/environment-guard.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { createPgPool } from '../adapters/db/pg-pool.ts';
import { UserFacingError } from '../domain/errors.ts';
import { type AppConfig, defaultSchemaFor } from './config.ts';

/** Where a pool error goes: the app's pino logger, or (the CLI's read-only commands, which load no pino) stderr. */
export interface PoolErrorLog {
  error(obj: { err: unknown }, message: string): void;
}

export async function openBotDatabase(config: AppConfig, log: PoolErrorLog): Promise<pg.Pool> {
  const { env, runbook } = config;
  const pool = createPgPool(
    { connectionString: env.DATABASE_URL, options: `-c search_path=${env.DATABASE_SCHEMA}`, max: 10 },
    (err) => log.error({ err }, 'postgres pool error'),
  );
  const urls = env.DATABASE_OWNER_URL ? 'DATABASE_URL and DATABASE_OWNER_URL' : 'DATABASE_URL';
  try {
    await migrateAsOwner(pool, env.DATABASE_OWNER_URL, env.DATABASE_SCHEMA);
  } catch (err) {
    await pool.end().catch(() => undefined);
    // The URL may hold a password: name the variable, not its value.
    throw new UserFacingError(
      'upstream_unavailable',
      `cannot use the bot's database (${urls}, schema ${env.DATABASE_SCHEMA}): ${(err as Error).message} — ` +
        `is PostgreSQL running and ${urls} right?`,
      { cause: err },
    );
  }
  try {
    await refuseForeignEnvironment(
      pool,
      env.DATABASE_SCHEMA,
      runbook.environment.name,
      defaultSchemaFor(runbook.environment.name),
    );
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}

/** Migrations run as the owner role when there is one, which then grants the runtime role (migrate.ts). */
async function migrateAsOwner(runtime: pg.Pool, ownerUrl: string | undefined, schema: string): Promise<void> {
  if (!ownerUrl) {
    await migrate(runtime, schema);
    return;
  }
  const runtimeRole = (await runtime.query<{ role: string }>('select current_user as role')).rows[0]?.role;
  const owner = createPgPool({ connectionString: ownerUrl, max: 1 }, () => undefined);
  try {
    await migrate(owner, schema, { runtimeRole });
  } finally {
    await owner.end().catch(() => undefined);
  }
}
