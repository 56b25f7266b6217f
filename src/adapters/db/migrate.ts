/**
 * Applies the ordered SQL files in ./migrations under an advisory lock, so two bot replicas
 * starting together never apply the same migration twice.
 *
 * With `runtimeRole` (DATABASE_OWNER_URL set), the pool connects as a separate owner role and
 * the runtime role gets only what the bot needs: rows of its tables, and of the timeline only
 * SELECT and INSERT. A role that owns the timeline could drop its append-only trigger; one that
 * merely writes to it cannot.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg, { type Pool, type PoolClient } from 'pg';

const { escapeIdentifier } = pg;

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
// Arbitrary but fixed: the advisory lock key for "rollback-commander migrations".
const LOCK_KEY = 0x52_43_4d_31;

export async function migrate(pool: Pool, schema: string, options: { runtimeRole?: string } = {}): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_KEY, schema]);
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
    await client.query(`set search_path to ${quoteIdent(schema)}`);
    await client.query(
      'create table if not exists rc_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('select name from rc_migrations')).rows.map((r) => r.name),
    );
    for (const file of files.filter((f) => !done.has(f))) {
      const sql = await readFile(join(MIGRATIONS_DIR, file), 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into rc_migrations (name) values ($1)', [file]);
        await client.query('commit');
        applied.push(file);
      } catch (err) {
        await client.query('rollback');
        throw new Error(`while applying database migration ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    if (options.runtimeRole) await grantRuntime(client, schema, options.runtimeRole);
  } finally {
    await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_KEY, schema]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/** Idempotent, and run on every start so tables added by later migrations are covered too. */
async function grantRuntime(client: PoolClient, schema: string, role: string): Promise<void> {
  const s = quoteIdent(schema);
  const r = escapeIdentifier(role);
  await client.query('begin');
  try {
    await client.query(`grant usage on schema ${s} to ${r}`);
    await client.query(`grant select, insert, update, delete on all tables in schema ${s} to ${r}`);
    await client.query(`grant usage, select, update on all sequences in schema ${s} to ${r}`);
    await client.query(`revoke insert, update, delete, truncate on ${s}.rc_migrations from ${r}`);
    await client.query(`revoke update, delete, truncate on ${s}.timeline from ${r}`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    const message = `while granting the runtime role ${role} its privileges in schema ${schema}`;
    throw new Error(`${message}: ${(err as Error).message}`, { cause: err });
  }
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    throw new Error(`invalid schema name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  return `"${name}"`;
}
