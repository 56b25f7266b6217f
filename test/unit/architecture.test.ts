/**
 * The layout the README's code map promises, checked on every run so it can't drift: which layer
 * may import which, one folder per runbook step, no file over 300 lines, and no module that
 * re-exports another one's names (an old import path kept alive hides where a thing lives).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STEP_IDS } from '../../src/domain/steps.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = tsFiles(src).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));
const layerOf = (path: string) => path.split('/')[1] ?? '';

/** Relative imports (static, `export … from` and dynamic) resolved to paths under the repo. */
function relativeImports(file: { path: string; text: string }): string[] {
  const specifiers = [...file.text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => relative(root, resolve(root, dirname(file.path), s)));
}

/** Which other layers each layer may import (anything not listed here is free: app, console, drill). */
const ALLOWED: Record<string, readonly string[]> = {
  domain: [],
  config: ['domain'],
  flows: ['config', 'domain'],
  adapters: ['config', 'domain', 'flows'],
  sim: [],
};

describe('architecture', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.path === 'src/flows/ports.ts')).toBe(true);
  });

  it('keeps each layer to the layers below it', () => {
    const crossings = files.flatMap((file) => {
      const layer = layerOf(file.path);
      const allowed = ALLOWED[layer];
      if (!allowed) return [];
      return relativeImports(file)
        .filter((target) => {
          const to = layerOf(target);
          return to !== layer && !allowed.includes(to);
        })
        .map((target) => `${file.path} imports ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it('puts every runbook step in src/flows/steps/<step_id>/index.ts and nothing else beside them', () => {
    const stepsDir = join(src, 'flows/steps');
    const missing = STEP_IDS.filter((id) => !files.some((f) => f.path === `src/flows/steps/${id}/index.ts`));
    expect(missing).toEqual([]);
    const known = new Set<string>([...STEP_IDS, '_shared', 'registry.ts']);
    expect(readdirSync(stepsDir).filter((name) => !known.has(name))).toEqual([]);
  });

  it('keeps every file in src at 300 lines or fewer', () => {
    const long = files
      .map((f) => ({ path: f.path, lines: f.text.trimEnd().split('\n').length }))
      .filter((f) => f.lines > 300)
      .map((f) => `${f.path}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it('gives every port an in-memory fake in test/fakes and a contract suite in test/contracts', () => {
    // A port is an interface in flows/ports.ts or flows/ports/ with methods; the rest is data.
    const portFiles = files.filter((f) => f.path === 'src/flows/ports.ts' || f.path.startsWith('src/flows/ports/'));
    const ports = portFiles.flatMap((f) =>
      [...f.text.matchAll(/^export interface (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)]
        .filter((m) => /^\s+\w+\??(<[^>]*>)?\(/m.test(m[2] ?? ''))
        .map((m) => m[1] ?? ''),
    );
    expect(ports).toContain('Deployments');
    expect(ports).toContain('TargetDatabase');
    const texts = (dir: string) => tsFiles(join(root, dir)).map((path) => readFileSync(path, 'utf8'));
    const fakes = texts('test/fakes');
    const contracts = texts('test/contracts');
    const named = (sources: string[], port: string) => sources.some((t) => new RegExp(`\\b${port}\\b`).test(t));
    expect(ports.filter((port) => !named(fakes, port))).toEqual([]);
    expect(ports.filter((port) => !named(contracts, port))).toEqual([]);
  });

  it('opens every Postgres pool through createPgPool, which always listens for idle-connection errors', () => {
    const raw = files
      .filter((f) => f.path !== 'src/adapters/db/pg-pool.ts' && /new (pg\.)?Pool\(/.test(f.text))
      .map((f) => f.path);
    expect(raw).toEqual([]);
  });

  it('re-exports names only from the modules that are entry points on purpose', () => {
    const entryPoints = new Set([
      'src/flows/ports.ts', // every port in one import
      'src/drill/index.ts', // drill mode's public surface
      'src/sim/kube/server.ts', // the simulators' public surface
      'src/sim/github/server.ts',
      'src/app/logger.ts', // pino's Logger type beside our createLogger
    ]);
    const reExports = files
      .filter((f) => !entryPoints.has(f.path))
      .flatMap((f) =>
        f.text
          .split('\n')
          .filter((line) => /^export (type )?(\*|\{\s*$|\{[^}]*\}( from|;))/.test(line))
          .map((line) => `${f.path}: ${line}`),
      );
    expect(reExports).toEqual([]);
  });
});
