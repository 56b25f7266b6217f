/**
 * `kubectl kustomize` in-process, for the subset deploy/ uses: resources (files and directories),
 * components, namespace, images, configMapGenerator (files; create/replace/merge; no hash
 * suffix) and inline JSON 6902 patches. CI machines have no kubectl, so the tests render
 * deploy/ with this; deploy-manifests.test.ts checks it against what kubectl itself rendered
 * (test/golden/deploy/). Anything else in a kustomization is refused, not ignored.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { jsonPatch } from '../../src/sim/kube/patch.ts';

export interface KubeResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [field: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  components?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  configMapGenerator?: ConfigMapGenerator[];
  patches?: { target: { kind?: string; name?: string }; patch: string }[];
}

interface ConfigMapGenerator {
  name: string;
  behavior?: 'create' | 'replace' | 'merge';
  files?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
}

const KNOWN_KEYS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'namespace',
  'images',
  'configMapGenerator',
  'patches',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
]);

export function kustomize(dir: string): KubeResource[] {
  return build(resolve(dir), []);
}

function build(dir: string, inherited: KubeResource[]): KubeResource[] {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`${dir} has no kustomization.yaml`);
  const k = parseYaml(readFileSync(file, 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length)
    throw new Error(
      `${file}: the test renderer does not support ${unknown.join(', ')}: extend test/support/kustomize.ts`,
    );
  let out = [...inherited];
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    out.push(...(statSync(path).isDirectory() ? build(path, []) : readResources(path)));
  }
  for (const generator of k.configMapGenerator ?? []) out = generate(dir, generator, out);
  // A component is applied to what the kustomization has accumulated so far.
  for (const entry of k.components ?? []) out = build(join(dir, entry), out);
  for (const p of k.patches ?? [])
    out = out.map((r) =>
      targets(p.target, r)
        ? (jsonPatch(structuredClone(r) as never, parseYaml(p.patch)) as unknown as KubeResource)
        : r,
    );
  if (k.namespace) out = out.map((r) => withNamespace(r, k.namespace!));
  for (const image of k.images ?? []) out = out.map((r) => withImage(r, image));
  return out;
}

function readResources(path: string): KubeResource[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => doc.toJS() as KubeResource | null)
    .filter((r): r is KubeResource => r !== null);
}

function generate(dir: string, g: ConfigMapGenerator, current: KubeResource[]): KubeResource[] {
  if (!g.options?.disableNameSuffixHash && g.behavior !== 'replace' && g.behavior !== 'merge') {
    throw new Error(
      `configMapGenerator ${g.name}: the test renderer does not compute name hashes; set options.disableNameSuffixHash`,
    );
  }
  const data = Object.fromEntries((g.files ?? []).map((f) => [basename(f), readFileSync(join(dir, f), 'utf8')]));
  const behavior = g.behavior ?? 'create';
  if (behavior === 'create') {
    const labels = g.options?.labels;
    return [
      ...current,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name, ...(labels ? { labels } : {}) }, data },
    ];
  }
  const found = current.find((r) => r.kind === 'ConfigMap' && r.metadata.name === g.name);
  if (!found)
    throw new Error(`configMapGenerator ${g.name}: behavior ${behavior} but no such ConfigMap to ${behavior}`);
  const merged = behavior === 'merge' ? { ...(found.data as object), ...data } : data;
  return current.map((r) => (r === found ? { ...r, data: merged } : r));
}

function targets(target: { kind?: string; name?: string }, r: KubeResource): boolean {
  // kustomize reads a target's name as an anchored regular expression.
  return (
    (!target.kind || target.kind === r.kind) &&
    (!target.name || new RegExp(`^(?:${target.name})$`).test(r.metadata.name))
  );
}

function withNamespace(r: KubeResource, namespace: string): KubeResource {
  if (CLUSTER_SCOPED.has(r.kind)) return r;
  const next: KubeResource = { ...r, metadata: { ...r.metadata, namespace } };
  // kustomize's default (setRoleBindingSubjects: defaultOnly): service accounts without a namespace, or in `default`.
  if (r.kind === 'RoleBinding' || r.kind === 'ClusterRoleBinding') {
    const subjects = (r.subjects as { kind: string; namespace?: string }[] | undefined) ?? [];
    next.subjects = subjects.map((s) =>
      s.kind === 'ServiceAccount' && (!s.namespace || s.namespace === 'default') ? { ...s, namespace } : s,
    );
  }
  return next;
}

function withImage(r: KubeResource, image: { name: string; newName?: string; newTag?: string }): KubeResource {
  const spec = (r.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec;
  if (!spec?.containers) return r;
  const next = structuredClone(r);
  const containers = (next.spec as { template: { spec: { containers: { image?: string }[] } } }).template.spec
    .containers;
  for (const c of containers) {
    const [name, tag] = (c.image ?? '').split(':');
    if (name === image.name)
      c.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ''}`;
  }
  return next;
}
