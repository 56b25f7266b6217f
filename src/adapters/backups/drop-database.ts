/**
 * DROP DATABASE for a restore role that only has CREATEDB. `WITH (FORCE)` checks that the caller may
 * signal every session in the database — autovacuum workers included, which run as no role at all —
 * so it fails with "must be a member of the role whose process is being terminated or member of
 * pg_signal_backend" whenever autovacuum visits the fresh tables. A plain DROP DATABASE ends
 * autovacuum workers itself (and waits up to 5 s for other sessions), so on that error the drop
 * ends the sessions this role may end (a pg_restore orphaned by a killed worker) and drops plainly.
 */
import pg from 'pg';
import { UserFacingError } from '../../domain/errors.ts';

const INSUFFICIENT_PRIVILEGE = '42501';
const OBJECT_IN_USE = '55006';
const ATTEMPTS = 3;

interface Holder {
  pid: number;
  /** null for background workers (autovacuum), which run as no role. */
  role: string | null;
  mine: boolean;
}

/** Terminates leftover sessions too: a pg_restore orphaned by a killed worker may still be connected. */
export async function dropDatabase(admin: pg.Client, database: string): Promise<void> {
  const name = pg.escapeIdentifier(database);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return;
  } catch (err) {
    if (sqlState(err) !== INSUFFICIENT_PRIVILEGE) throw err;
  }
  for (let attempt = 1; ; attempt += 1) {
    const holders = await readHolders(admin, database);
    const foreign = holders.filter((h) => h.role !== null && !h.mine);
    if (foreign.length) throw cannotEnd(database, await currentRole(admin), foreign);
    for (const holder of holders.filter((h) => h.mine)) {
      await admin.query('select pg_terminate_backend($1)', [holder.pid]);
    }
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (err) {
      // A session that arrived between the look and the drop: look again, a few times.
      if (sqlState(err) !== OBJECT_IN_USE || attempt >= ATTEMPTS) throw err;
    }
  }
}

async function readHolders(admin: pg.Client, database: string): Promise<Holder[]> {
  // usename and datname are visible to every role; backend_type is not, hence usesysid is null.
  const { rows } = await admin.query<Holder>(
    `select pid, usename as role,
            usesysid is not null and pg_has_role(current_user, usesysid, 'MEMBER') as mine
       from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
    [database],
  );
  return rows;
}

async function currentRole(admin: pg.Client): Promise<string> {
  const { rows } = await admin.query<{ role: string }>('select current_user as role');
  return rows[0]?.role ?? 'the restore role';
}

function cannotEnd(database: string, role: string, foreign: Holder[]): UserFacingError {
  const roles = [...new Set(foreign.map((h) => h.role))].join(', ');
  return new UserFacingError(
    'forbidden',
    `database ${database} is in use by sessions of ${roles}, which the restore role ${role} may not end: ` +
      `on the restore server run GRANT pg_signal_backend TO ${pg.escapeIdentifier(role)} ` +
      `(or end those sessions by hand), then retry`,
  );
}

function sqlState(err: unknown): string | undefined {
  return (err as { code?: unknown } | null)?.code as string | undefined;
}
