/**
 * Label and field selectors as the API server parses them: `a=b,c!=d,e in (x,y),f notin (z),g,!h`
 * for labels; `metadata.name=x` / `metadata.namespace!=y` for fields (the only fields the real
 * server supports for every resource).
 */
import { type KubeObject, KubeStatusError } from './store.ts';

export type ObjectFilter = (object: KubeObject) => boolean;

export function parseSelectors(labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  const labels = parseLabelSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '');
  return (object) => labels(object.metadata.labels ?? {}) && fields(object);
}

function splitTerms(selector: string): string[] {
  // Commas inside "in (a,b)" belong to the term, not between terms.
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) terms.push(current.trim());
  return terms.filter(Boolean);
}

function parseLabelSelector(selector: string): (labels: Record<string, string>) => boolean {
  const tests = splitTerms(selector).map(parseLabelTerm);
  return (labels) => tests.every((test) => test(labels));
}

function parseLabelTerm(term: string): (labels: Record<string, string>) => boolean {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    return op === 'in'
      ? (l) => key in l && values.includes(l[key] ?? '')
      : (l) => !(key in l) || !values.includes(l[key] ?? '');
  }
  const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (eq) {
    const [, key = '', op, value = ''] = eq;
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (/^![^!=\s]+$/.test(term)) return (l) => !(term.slice(1) in l);
  if (/^[^!=\s()]+$/.test(term)) return (l) => term in l;
  throw new KubeStatusError(400, 'BadRequest', `unable to parse requirement: invalid label selector term "${term}"`);
}

function parseFieldSelector(selector: string): ObjectFilter {
  const tests = splitTerms(selector).map((term): ObjectFilter => {
    const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    const [, field = '', op, value = ''] = match ?? [];
    if (field !== 'metadata.name' && field !== 'metadata.namespace') {
      throw new KubeStatusError(
        400,
        'BadRequest',
        `"${field || term}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    const read = (o: KubeObject) => (field === 'metadata.name' ? o.metadata.name : o.metadata.namespace);
    return op === '!=' ? (o) => read(o) !== value : (o) => read(o) === value;
  });
  return (object) => tests.every((test) => test(object));
}
