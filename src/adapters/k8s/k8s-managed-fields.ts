/**
 * Who set a container's image, from the Deployment's `metadata.managedFields`: the API server
 * records, per field manager (`kubectl-set`, `argocd-controller`, our `rollback-commander`…), the
 * fields its last write changed. The entry owning
 * `f:spec` → `f:template` → `f:spec` → `f:containers` → `k:{"name":"api"}` → `f:image` set it.
 */
import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';

/** The name the bot's own writes carry (`?fieldManager=`), so they are recognisable in managedFields. */
export const FIELD_MANAGER = 'rollback-commander';

type Fields = Record<string, unknown>;

/** "kubectl-set (Update at 2026-12-01T09:30:00Z)", or undefined when no entry owns the image. */
export function imageSetBy(managedFields: V1ManagedFieldsEntry[] | undefined, container: string): string | undefined {
  const owners = (managedFields ?? [])
    .filter((entry) => !entry.subresource && ownsImage(entry.fieldsV1 as Fields | undefined, container))
    .map((entry) => {
      const how = entry.operation ? ` (${entry.operation}${at(entry.time)})` : '';
      return `${entry.manager ?? 'an unnamed manager'}${how}`;
    });
  return owners.length > 0 ? owners.join(', ') : undefined;
}

/** The bare manager names owning each container's image: container → "kubectl-set". */
export function imageManagers(
  managedFields: V1ManagedFieldsEntry[] | undefined,
  containers: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const container of containers) {
    const owner = (managedFields ?? []).find(
      (e) => !e.subresource && ownsImage(e.fieldsV1 as Fields | undefined, container),
    );
    if (owner?.manager) out[container] = owner.manager;
  }
  return out;
}

function ownsImage(fields: Fields | undefined, container: string): boolean {
  const list = child(child(child(child(fields, 'f:spec'), 'f:template'), 'f:spec'), 'f:containers');
  for (const [key, value] of Object.entries(list ?? {})) {
    if (key.startsWith('k:') && elementName(key) === container) return child(value as Fields, 'f:image') !== undefined;
  }
  return false;
}

function child(fields: Fields | undefined, key: string): Fields | undefined {
  const value = fields?.[key];
  return value && typeof value === 'object' ? (value as Fields) : undefined;
}

/** `k:{"name":"api"}` → "api". */
function elementName(key: string): string | undefined {
  try {
    const parsed = JSON.parse(key.slice(2)) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

function at(time: Date | string | undefined): string {
  if (!time) return '';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? '' : ` at ${date.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}
