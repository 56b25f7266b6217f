/**
 * A small SQL scanner: splits a migration into statements with comments and string/dollar-quoted
 * bodies blanked out, so keyword checks (DROP TABLE, COMMIT) see only real statements — not a
 * word inside a comment or a function body.
 */

/** Statements of `sql`, trimmed, literals replaced by '' and comments removed. */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const ch = sql[i] as string;
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      current += ' ';
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      current += ' ';
    } else if (ch === "'") {
      // E'…' strings allow backslash escapes (E'it\'s'); plain strings only double the quote.
      i = skipQuoted(sql, i, "'", /(^|[^\w$])[eE]$/.test(current));
      current += "''";
    } else if (ch === '"') {
      const end = skipQuoted(sql, i, '"');
      current += sql.slice(i, end);
      i = end;
    } else if (ch === '$' && !/[\w$]$/.test(current) && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(rest)) {
      const tag = (/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end === -1 ? sql.length : end + tag.length;
      current += "''";
    } else if (ch === ';') {
      pushStatement(statements, current);
      current = '';
      i += 1;
    } else {
      current += ch;
      i += 1;
    }
  }
  pushStatement(statements, current);
  return statements;
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes = false): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') {
      i += 2;
      continue;
    }
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

function pushStatement(statements: string[], text: string): void {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (trimmed) statements.push(trimmed);
}
