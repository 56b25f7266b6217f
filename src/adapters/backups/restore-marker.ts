/**
 * How a restore proves a database is its own, and how far it got: a JSON comment on the database
 * (`COMMENT ON DATABASE`, which pg_restore without --create leaves alone). A worker killed mid-restore
 * leaves state "restoring"; the retry sees it, drops the half-made database and starts over.
 * A database without the marker is someone else's and is never dropped or overwritten.
 */
import pg from 'pg';

export interface RestoreMarker {
  tool: 'rollback-commander';
  incident: string;
  /** "promoted": the app's Secret points at it, so it is production now and never dropped. */
  state: 'restoring' | 'restored' | 'promoted';
  /** The backup file being restored. */
  backup: string;
  startedAt: string;
}

export type DatabaseStatus = { exists: false } | { exists: true; marker: RestoreMarker | null };

export async function readDatabaseStatus(admin: pg.Client, database: string): Promise<DatabaseStatus> {
  const result = await admin.query<{ comment: string | null }>(
    `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
    [database],
  );
  const row = result.rows[0];
  if (!row) return { exists: false };
  return { exists: true, marker: parseMarker(row.comment) };
}

export async function writeRestoreMarker(admin: pg.Client, database: string, marker: RestoreMarker): Promise<void> {
  await admin.query(
    `COMMENT ON DATABASE ${pg.escapeIdentifier(database)} IS ${pg.escapeLiteral(JSON.stringify(marker))}`,
  );
}

function parseMarker(comment: string | null): RestoreMarker | null {
  if (!comment) return null;
  try {
    const value = JSON.parse(comment) as Partial<RestoreMarker>;
    if (value.tool !== 'rollback-commander' || typeof value.incident !== 'string') return null;
    if (value.state !== 'restoring' && value.state !== 'restored' && value.state !== 'promoted') return null;
    return value as RestoreMarker;
  } catch {
    return null;
  }
}
