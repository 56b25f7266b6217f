/**
 * Applies the ordered SQL files in ./migrations under an advisory lock, so two bot replicas
 * starting together never apply the same migration twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
// Arbitrary but fixed: the advisory lock key for "rollback-commander migrations".
const LOCK_KEY = 0x52_43_4d_31;

export async function migrate(pool: Pool, schema: string): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_KEY, schema]);
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
    await client.query(`set search_path to ${quoteIdent(schema)}`);
    await client.query('create table if not exists rc_migrations (name text primary key, applied_at timestamptz not null default now())');
    const done = new Set((await client.query<{ name: string }>('select name from rc_migrations')).rows.map((r) => r.name));
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
  } finally {
    await client.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_KEY, schema]).catch(() => undefined);
    client.release();
  }
  return applied;
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  return `"${name}"`;
}
