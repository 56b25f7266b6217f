/**
 * Quoted SQL names for the configured migrations table. Config already restricts them to plain
 * identifiers; quoting as well keeps mixed case intact and makes injection impossible.
 */
import { escapeIdentifier } from 'pg';
import type { MigrationsTableConfig } from '../../config/database.ts';

export interface MigrationsTableSql {
  qualified: string;
  version: string;
  order: string;
}

export function migrationsTableSql(table: MigrationsTableConfig): MigrationsTableSql {
  return {
    qualified: `${escapeIdentifier(table.schema)}.${escapeIdentifier(table.table)}`,
    version: escapeIdentifier(table.version_column),
    order: escapeIdentifier(table.order_column),
  };
}
