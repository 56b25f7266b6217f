/** The name of the database a backup is restored into, per incident (pure, no I/O). */
import { createHash } from 'node:crypto';

const MAX_NAME = 63;

/** `<prefix>_<incident id>`, folded to what PostgreSQL accepts unquoted; a hash keeps folded ids apart. */
export function restoreDatabaseName(prefix: string, incidentId: string): string {
  const folded = incidentId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const plain = `${prefix}_${folded}`;
  if (folded === incidentId && plain.length <= MAX_NAME) return plain;
  const hash = createHash('sha256').update(incidentId).digest('hex').slice(0, 8);
  return `${plain.slice(0, MAX_NAME - 9)}_${hash}`;
}
