/**
 * Turns zod issues into the lines of one config error: the key's path, the YAML line it is on,
 * and for an unknown key the known key it was probably meant to be. loadConfig collects these for
 * the YAML and the env together, so a user fixes everything in one pass instead of one per start.
 */
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export interface YamlSource {
  doc: Document;
  lines: LineCounter;
}

export function readYaml(text: string): YamlSource {
  const lines = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lines }), lines };
}

/** Syntax errors, each with the line the parser stopped at. */
export function yamlSyntaxProblems(source: string, yaml: YamlSource): string[] {
  return yaml.doc.errors.map(
    (e) => `  - ${source} line ${e.linePos?.[0].line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`,
  );
}

function formatPath(path: PropertyKey[]): string {
  if (!path.length) return '(top level)';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Levenshtein distance: small enough to write here rather than take a dependency for. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest known key, if it is close enough to be a typo (at most a third of the letters differ). */
export function closest(word: string, known: string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: editDistance(word.toLowerCase(), k.toLowerCase()) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(Math.max(word.length, best.k.length) / 3)) ? best.k : undefined;
}

/** The line of the YAML node at `path`, or of its nearest ancestor that exists (a missing key). */
function lineOf(yaml: YamlSource, path: PropertyKey[], key?: string): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? yaml.doc.contents : yaml.doc.getIn(path.slice(0, n) as unknown[], true);
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return yaml.lines.linePos(range[0]).line;
    }
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return yaml.lines.linePos(range[0]).line;
  }
  return undefined;
}

/** The keys the schema object at `path` accepts, to suggest one for an unknown key. */
function knownKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let s: unknown = schema;
  for (const p of [...path, null]) {
    // Look through defaults, optionals, pipes and arrays to the object underneath.
    for (let guard = 0; guard < 10; guard++) {
      const def = (s as { def?: Record<string, unknown> } | undefined)?.def;
      if (!def) return [];
      if (def.type === 'object' && (p === null || typeof p === 'string')) break;
      if (def.type === 'array' && typeof p === 'number') break;
      s = def.innerType ?? def.in ?? def.schema ?? (def.type === 'array' && p === null ? def.element : undefined);
      if (!s) return [];
    }
    const def = (s as { def: { type: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (p === null) return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
    s = def.type === 'object' ? def.shape?.[p as string] : def.element;
  }
  return [];
}

/**
 * One line per issue. `yaml` (with its schema) adds line numbers and did-you-mean; without it
 * (the env) values are left out, because env values may be secrets.
 */
export function describeIssues(
  source: string,
  issues: z.core.$ZodIssue[],
  yaml?: { yaml: YamlSource; schema: z.ZodType },
): string[] {
  return issues.flatMap((i) => {
    // A schema's own message for unknown keys (autopilot lists the steps) beats a guess.
    if (i.code === 'unrecognized_keys' && /^Unrecognized key/.test(i.message)) {
      return i.keys.map((key) => {
        const line = yaml ? lineOf(yaml.yaml, i.path, key) : undefined;
        const known = yaml ? knownKeysAt(yaml.schema, i.path) : [];
        const hint = closest(key, known);
        const where = i.path.length ? ` in \`${formatPath(i.path)}\`` : '';
        return (
          `  - ${source} \`${formatPath([...i.path, key])}\`: unknown key${where}` +
          `${hint ? `: did you mean \`${hint}\`?` : ''}${line ? ` (line ${line})` : ''}`
        );
      });
    }
    const message = yaml ? i.message : i.message.replace(/received .*/i, '').trim();
    const line = yaml ? lineOf(yaml.yaml, i.path) : undefined;
    return [`  - ${source} \`${formatPath(i.path)}\`: ${message}${line ? ` (line ${line})` : ''}`];
  });
}
