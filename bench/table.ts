/** A benchmark's result as a table: each bench returns these, and the runner prints them. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** Prints the table with columns aligned: numbers to the right, text to the left. */
export function printTable(table: BenchTable, write: (line: string) => void = console.log): void {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = table.columns.map(
    (_, i) => table.rows.length > 0 && table.rows.every((row) => typeof row[i] === 'number'),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  write(table.title);
  write(line(table.columns));
  write(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) write(line(row));
  write('');
}
