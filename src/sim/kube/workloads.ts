/**
 * Deployment and ReplicaSet shapes, the API server's defaulting and the validation rules that a
 * wrong patch would trip (a container without an image, a selector that doesn't match).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type KubeObject, KubeStatusError, type Resource } from './store.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; [field: string]: unknown };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export interface FakeDeployment extends KubeObject {
  spec: {
    replicas: number;
    paused?: boolean;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
    progressDeadlineSeconds?: number;
    [field: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface FakeReplicaSet extends KubeObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
  status?: { replicas: number; readyReplicas: number; availableReplicas: number; observedGeneration?: number };
}

/** Defaults the API server fills in and the validation it enforces, for objects being written. */
export function admit(resource: Resource, object: KubeObject): KubeObject {
  if (resource === 'secrets') return admitSecret(object);
  if (resource !== 'deployments') return object;
  const d = object as FakeDeployment;
  const spec = (d.spec ?? {}) as Partial<FakeDeployment['spec']>;
  d.spec = {
    replicas: 1,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    ...spec,
  } as FakeDeployment['spec'];
  validateDeployment(d);
  return d;
}

/** `stringData` is write-only sugar the API server folds into base64 `data`. */
function admitSecret(secret: KubeObject): KubeObject {
  const data = { ...(secret.data as Record<string, string> | undefined) };
  for (const [key, value] of Object.entries((secret.stringData as Record<string, string> | undefined) ?? {})) {
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  for (const [key, value] of Object.entries(data)) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new KubeStatusError(
        422,
        'Invalid',
        `Secret "${secret.metadata.name}" is invalid: data[${key}]: Invalid value: illegal base64 data`,
      );
    }
  }
  const { stringData: _ignored, ...rest } = secret;
  return { ...rest, type: secret.type ?? 'Opaque', data } as KubeObject;
}

function validateDeployment(d: FakeDeployment): void {
  const problems: string[] = [];
  const selector = d.spec.selector?.matchLabels ?? {};
  const labels = d.spec.template?.metadata?.labels ?? {};
  if (Object.keys(selector).length === 0) problems.push('spec.selector: Required value');
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
    problems.push('spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
  }
  const containers = d.spec.template?.spec?.containers ?? [];
  if (containers.length === 0) problems.push('spec.template.spec.containers: Required value');
  containers.forEach((c, i) => {
    if (!c.name) problems.push(`spec.template.spec.containers[${i}].name: Required value`);
    if (!c.image) problems.push(`spec.template.spec.containers[${i}].image: Required value`);
    if (containers.findIndex((o) => o.name === c.name) !== i) {
      problems.push(`spec.template.spec.containers[${i}].name: Duplicate value: "${c.name}"`);
    }
  });
  if (problems.length > 0) {
    throw new KubeStatusError(
      422,
      'Invalid',
      `Deployment.apps "${d.metadata.name}" is invalid: ${problems.join(', ')}`,
    );
  }
}

/** The deployment controller's comparison: templates equal once the RS's pod-template-hash label is ignored. */
export function sameTemplate(rsTemplate: PodTemplate, template: PodTemplate): boolean {
  return isDeepStrictEqual(normalize(rsTemplate), normalize(template));
}

function normalize(template: PodTemplate): PodTemplate {
  const copy = structuredClone(template);
  const labels = { ...copy.metadata?.labels };
  delete labels[POD_TEMPLATE_HASH];
  copy.metadata = { ...copy.metadata, labels };
  if (!copy.metadata.annotations || Object.keys(copy.metadata.annotations).length === 0)
    delete copy.metadata.annotations;
  return copy;
}

/** A short hash in the alphabet the controller uses for pod-template-hash (no vowels, no look-alikes). */
export function templateHash(template: PodTemplate): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256')
    .update(stableJson(normalize(template)))
    .digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function revisionOf(object: KubeObject): number {
  const value = Number(object.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isFinite(value) ? value : 0;
}

export function condition(type: string, status: Condition['status'], reason: string, message: string): Condition {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}
