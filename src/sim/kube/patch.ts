/**
 * The three patch formats the API server accepts for built-in types. The difference that matters
 * to us: a strategic merge patch merges `containers` by `name` (what `kubectl set image` relies
 * on), a JSON merge patch replaces the whole array.
 */
import { isDeepStrictEqual } from 'node:util';
import { KubeStatusError } from './store.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

export function applyPatch(contentType: string, target: unknown, patch: unknown): unknown {
  const original = structuredClone(target) as Json;
  if (contentType === 'application/json-patch+json') return jsonPatch(original, patch);
  if (!isObject(patch as Json)) throw invalid('a merge patch must be a JSON object');
  if (contentType === 'application/merge-patch+json') return mergePatch(original, patch as Json);
  if (contentType === 'application/strategic-merge-patch+json') return strategicMerge(original, patch as JsonObject);
  throw new KubeStatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
  );
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): KubeStatusError {
  return new KubeStatusError(422, 'Invalid', message);
}

/** RFC 7386: objects merge recursively, null deletes, anything else (arrays included) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

/** patchMergeKey of the list fields we meet in Deployments, ReplicaSets and Secrets. */
export const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
};

function strategicMerge(target: Json, patch: JsonObject): Json {
  if (patch.$patch === 'delete') return null;
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue; // $setElementOrder/…, $retainKeys: ordering hints we don't need
    const current = result[key];
    const mergeKey = MERGE_KEYS[key];
    if (value === null) delete result[key];
    else if (Array.isArray(value) && mergeKey && Array.isArray(current))
      result[key] = mergeList(current, value, mergeKey);
    else if (isObject(value) && isObject(current)) result[key] = strategicMerge(current, value);
    else result[key] = isObject(value) ? withoutDirectives(value) : value;
  }
  return result;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string): Json[] {
  const result = [...current];
  for (const item of patch) {
    if (!isObject(item)) throw invalid(`a "${mergeKey}"-keyed list element must be an object`);
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index] ?? null, item);
    } else {
      result.push(withoutDirectives(item));
    }
  }
  return result;
}

function withoutDirectives(value: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('$')));
}

/** RFC 6902 with RFC 6901 pointers; a failed `test` or a missing path is a 422, like the API server. */
export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw invalid('a JSON patch must be an array of operations');
  let doc = target;
  for (const op of operations as JsonObject[]) {
    const path = String(op.path ?? '');
    if (op.op === 'test') {
      if (!isDeepStrictEqual(read(doc, path), op.value)) throw invalid(`testing value ${path} failed`);
    } else if (op.op === 'remove') {
      doc = edit(doc, path, 'remove');
    } else if (op.op === 'add' || op.op === 'replace') {
      doc = edit(doc, path, op.op, op.value ?? null);
    } else if (op.op === 'move' || op.op === 'copy') {
      const value = structuredClone(read(doc, String(op.from)));
      if (op.op === 'move') doc = edit(doc, String(op.from), 'remove');
      doc = edit(doc, path, 'add', value);
    } else {
      throw invalid(`unexpected JSON patch operation "${String(op.op)}"`);
    }
  }
  return doc;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw invalid(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function read(doc: Json, path: string, tokens = pointer(path)): Json {
  let node: Json | undefined = doc;
  for (const token of tokens) {
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    if (node === undefined) throw invalid(`doc is missing path: ${path}`);
  }
  return node;
}

function edit(doc: Json, path: string, op: 'add' | 'replace' | 'remove', value: Json = null): Json {
  const tokens = pointer(path);
  const last = tokens.pop();
  if (last === undefined) return op === 'remove' ? null : value;
  const parent = read(doc, path, tokens);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw invalid(`doc is missing path: ${path}`);
    if (op !== 'add' && index >= parent.length) throw invalid(`doc is missing path: ${path}`);
    parent.splice(index, op === 'add' ? 0 : 1, ...(op === 'remove' ? [] : [value]));
  } else if (isObject(parent)) {
    if (op !== 'add' && !(last in parent)) throw invalid(`doc is missing path: ${path}`);
    if (op === 'remove') delete parent[last];
    else parent[last] = value;
  } else {
    throw invalid(`doc is missing path: ${path}`);
  }
  return doc;
}
