/**
 * Warnings shown next to a down migration before anyone approves it: reverting a migration that
 * added a table or column usually drops it, and the rows written since the release go with it.
 */
import { splitSqlStatements } from '../../../domain/sql-statements.ts';

export const DESTRUCTIVE_KINDS = ['drop_table', 'drop_column', 'truncate', 'delete', 'drop_schema'] as const;
export type DestructiveKind = (typeof DESTRUCTIVE_KINDS)[number];

export interface DestructiveWarning {
  kind: DestructiveKind;
  /** The statement, comments stripped and whitespace collapsed (string literals shown as ''). */
  statement: string;
  message: string;
}

const NAME = String.raw`((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)`;
const LIST = String.raw`(${NAME.slice(1, -1)}(?:\s*,\s*${NAME.slice(1, -1)})*)`;

const RULES: { kind: DestructiveKind; pattern: RegExp; message: (m: RegExpExecArray) => string }[] = [
  {
    kind: 'drop_table',
    pattern: new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${LIST}`, 'i'),
    message: (m) => `drops table ${m[1]} and every row in it`,
  },
  {
    kind: 'drop_schema',
    pattern: new RegExp(String.raw`^DROP\s+SCHEMA\s+(?:IF\s+EXISTS\s+)?${LIST}`, 'i'),
    message: (m) => `drops schema ${m[1]} and everything in it`,
  },
  {
    kind: 'truncate',
    pattern: new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?${LIST}`, 'i'),
    message: (m) => `empties ${m[1]}`,
  },
  {
    kind: 'delete',
    pattern: new RegExp(String.raw`^(?:WITH\b.*\b)?DELETE\s+FROM\s+(?:ONLY\s+)?${NAME}`, 'i'),
    message: (m) => `deletes rows from ${m[1]}`,
  },
];

// `ALTER TABLE t DROP [COLUMN] [IF EXISTS] c` — COLUMN is optional in PostgreSQL, so every DROP
// that is not a constraint, default, identity or similar drops a column.
const ALTER = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}\s+(.*)$`, 'i');
const NOT_A_COLUMN = /^(CONSTRAINT|DEFAULT|NOT\s+NULL|IDENTITY|EXPRESSION)\b/i;

export function describeDestructive(sql: string): DestructiveWarning[] {
  const warnings: DestructiveWarning[] = [];
  for (const statement of splitSqlStatements(sql)) {
    for (const rule of RULES) {
      const m = rule.pattern.exec(statement);
      if (m) warnings.push({ kind: rule.kind, statement, message: rule.message(m) });
    }
    warnings.push(...droppedColumns(statement));
  }
  return warnings;
}

function droppedColumns(statement: string): DestructiveWarning[] {
  const m = ALTER.exec(statement);
  if (!m) return [];
  const table = m[1] as string;
  const actions = (m[2] as string).split(/,(?![^(]*\))/);
  const warnings: DestructiveWarning[] = [];
  for (const action of actions) {
    // `ALTER COLUMN c DROP DEFAULT` starts with ALTER and keeps the data: only a leading DROP counts.
    const drop = /^\s*DROP\s+(.*)$/i.exec(action);
    if (!drop) continue;
    const target = (drop[1] as string).trim();
    if (NOT_A_COLUMN.test(target)) continue;
    const column = target
      .replace(/^COLUMN\s+/i, '')
      .replace(/^IF\s+EXISTS\s+/i, '')
      .split(/\s+/)[0];
    warnings.push({ kind: 'drop_column', statement, message: `drops column ${table}.${column} and its data` });
  }
  return warnings;
}
