/**
 * `metadata.managedFields` as the API server keeps it for non-apply writes: the writer is the
 * `fieldManager` query parameter, else the User-Agent up to its first "/" (kubectl set image sends
 * `fieldManager=kubectl-set`; a bare client-node sends `kubernetes-client-javascript/…`). Every
 * field a write changes moves to the writer's `Update` entry and out of every other entry, so the
 * entry owning `f:spec.f:template.f:spec.f:containers.k:{"name":"api"}.f:image` says who set it last.
 */
import { MERGE_KEYS } from './patch.ts';
import type { KubeObject } from './store.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
}

type FieldsV1 = { [segment: string]: FieldsV1 };

/** Metadata the server sets itself, and status (a subresource): nobody "manages" these by writing the object. */
const SERVER_OWNED_METADATA = new Set([
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'namespace',
  'name',
]);
const MAX_MANAGER_LENGTH = 128;

/** The manager name the API server records for a request. */
export function managerOf(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? '').split('/')[0]!.slice(0, MAX_MANAGER_LENGTH);
}

/** `next` with managedFields updated for a write by `manager` that replaced `current` (undefined: a create). */
export function trackManagedFields(current: KubeObject | undefined, next: KubeObject, manager: string): KubeObject {
  const before = leaves(current);
  const after = leaves(next);
  const changed = [...after.keys()].filter((path) => before.get(path) !== after.get(path));
  const removed = [...before.keys()].filter((path) => !after.has(path));
  const lost = new Set([...changed, ...removed]);
  const entries = (
    (current?.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined)?.managedFields ?? []
  ).map((entry) => {
    const kept = (p: string) => after.has(p) && (entry.manager === manager || !lost.has(p));
    return { entry, paths: new Set(flatten(entry.fieldsV1).filter(kept)) };
  });
  let mine = entries.find(({ entry }) => entry.manager === manager && entry.operation === 'Update');
  if (!mine && changed.length > 0) {
    const entry: ManagedFieldsEntry = {
      manager,
      operation: 'Update',
      apiVersion: next.apiVersion,
      time: '',
      fieldsType: 'FieldsV1',
      fieldsV1: {},
    };
    mine = { entry, paths: new Set() };
    entries.push(mine);
  }
  if (mine && changed.length > 0) {
    for (const path of changed) mine.paths.add(path);
    mine.entry.time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }
  const managedFields = entries
    .filter(({ paths }) => paths.size > 0)
    .map(({ entry, paths }) => ({ ...entry, fieldsV1: nest([...paths]) }));
  return { ...next, metadata: { ...next.metadata, managedFields } } as KubeObject;
}

/** Every leaf field of the object's writable part as a path ("f:spec\u0000f:replicas") → its value as JSON. */
function leaves(object: KubeObject | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!object) return out;
  const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = object;
  const meta = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => !SERVER_OWNED_METADATA.has(k)));
  walk({ ...rest, metadata: meta }, [], out);
  return out;
}

function walk(value: unknown, path: string[], out: Map<string, string>, key?: string): void {
  const mergeKey = key ? MERGE_KEYS[key] : undefined;
  if (Array.isArray(value) && mergeKey) {
    for (const item of value as Record<string, unknown>[]) {
      const element = [...path, `k:${JSON.stringify({ [mergeKey]: item[mergeKey] })}`];
      out.set([...element, '.'].join('\u0000'), '');
      walk(item, element, out);
    }
    return;
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, `f:${k}`], out, k);
    return;
  }
  if (path.length > 0) out.set(path.join('\u0000'), JSON.stringify(value));
}

function flatten(fields: FieldsV1, prefix: string[] = []): string[] {
  const children = Object.entries(fields);
  if (children.length === 0) return prefix.length ? [prefix.join('\u0000')] : [];
  return children.flatMap(([segment, inner]) => flatten(inner, [...prefix, segment]));
}

function nest(paths: string[]): FieldsV1 {
  const root: FieldsV1 = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('\u0000')) node = node[segment] ??= {};
  }
  return root;
}
