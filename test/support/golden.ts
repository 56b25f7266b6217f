/**
 * Golden files: the exact Block Kit a person has read once. `UPDATE_GOLDEN=1 npx vitest run …`
 * rewrites them; then read the diff before committing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

export function goldenPath(name: string): string {
  return `${GOLDEN_DIR}${name}.json`;
}

export function expectGolden(name: string, value: unknown): void {
  const path = goldenPath(name);
  const actual = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`no golden file ${path}: run with UPDATE_GOLDEN=1 to write it, then read it`);
  }
  expect(JSON.parse(actual), `differs from golden file ${path} (UPDATE_GOLDEN=1 rewrites it)`).toEqual(
    JSON.parse(readFileSync(path, 'utf8')),
  );
}
