/**
 * An in-memory Deployments port (flows/ports.ts): Deployments with their containers, who set each
 * image (managedFields' manager), and ReplicaSet history numbered as Kubernetes does (going back
 * to an earlier template renumbers its ReplicaSet). Rollouts complete at once unless a test holds
 * one; an image other than the bot's expectation is an outside change, as in the real adapter.
 */
import { OutsideChangeError, UserFacingError } from '../../src/domain/errors.ts';
import type { ContainerImage, DeploymentRevision, DeploymentSnapshot, Deployments } from '../../src/flows/ports.ts';

interface FakeDeployment {
  uid: string;
  generation: number;
  replicas: number;
  containers: Required<Pick<ContainerImage, 'container' | 'image'>>[];
  setBy: Map<string, string>;
  revisions: { revision: number; replicaSet: string; images: string; createdAt: string }[];
  restartedAt: string | null;
}

export interface FakeDeploymentsPort extends Deployments {
  add(name: string, containers: { name: string; image: string }[], replicas?: number): void;
  /** Someone else's `kubectl set image`. */
  setImageAs(manager: string, name: string, container: string, image: string): void;
}

export function createFakeDeployments(namespace = 'prod'): FakeDeploymentsPort {
  const deployments = new Map<string, FakeDeployment>();
  let uid = 0;
  const find = (name: string): FakeDeployment => {
    const d = deployments.get(name);
    if (!d)
      throw new UserFacingError(
        'not_found',
        `deployment ${namespace}/${name} was not found: check deployments[].name in rollback.yml and the kube context and namespace`,
      );
    return d;
  };
  const template = (d: FakeDeployment) => JSON.stringify([d.containers, d.restartedAt]);
  const roll = (name: string, d: FakeDeployment) => {
    d.generation += 1;
    const images = template(d);
    const next = Math.max(0, ...d.revisions.map((r) => r.revision)) + 1;
    const reused = d.revisions.find((r) => r.images === images);
    if (reused) reused.revision = next;
    else
      d.revisions.push({
        revision: next,
        replicaSet: `${name}-${next.toString(16).padStart(8, '0')}`,
        images,
        createdAt: new Date().toISOString(),
      });
  };
  return {
    add(name, containers, replicas = 1) {
      const d: FakeDeployment = {
        uid: `uid-${++uid}`,
        generation: 0,
        replicas,
        containers: containers.map((c) => ({ container: c.name, image: c.image })),
        setBy: new Map(containers.map((c) => [c.name, 'kubectl-client-side-apply'])),
        revisions: [],
        restartedAt: null,
      };
      deployments.set(name, d);
      roll(name, d);
    },
    setImageAs(manager, name, container, image) {
      const d = find(name);
      d.containers = d.containers.map((c) => (c.container === container ? { ...c, image } : c));
      d.setBy.set(container, manager);
      roll(name, d);
    },
    async get(name) {
      const d = find(name);
      const snapshot: DeploymentSnapshot = {
        namespace,
        name,
        uid: d.uid,
        generation: d.generation,
        observedGeneration: d.generation,
        paused: false,
        replicas: d.replicas,
        containers: d.containers.map((c) => ({ ...c, setBy: d.setBy.get(c.container) })),
      };
      return snapshot;
    },
    async setImages(name, images) {
      const d = find(name);
      const missing = images.find((i) => !d.containers.some((c) => c.container === i.container));
      if (missing) {
        throw new UserFacingError(
          'invalid_input',
          `deployment ${namespace}/${name} has no container "${missing.container}" (its containers: ${d.containers.map((c) => c.container).join(', ')}): fix deployments[].container in rollback.yml`,
        );
      }
      if (images.every((i) => d.containers.find((c) => c.container === i.container)?.image === i.image)) return;
      d.containers = d.containers.map((c) => ({
        ...c,
        image: images.find((i) => i.container === c.container)?.image ?? c.image,
      }));
      for (const i of images) d.setBy.set(i.container, 'rollback-commander');
      roll(name, d);
    },
    async waitForRollout(name, options) {
      const d = find(name);
      const changed = (options.expect ?? []).filter(
        (e) => d.containers.find((c) => c.container === e.container)?.image !== e.image,
      );
      if (changed.length) {
        const differences = changed.map((e) => {
          const found = d.containers.find((c) => c.container === e.container);
          return `container "${e.container}" runs ${found?.image ?? '(no image)'}, not ${e.image} as the bot set it (changed by ${d.setBy.get(e.container)}, per the Deployment's managedFields)`;
        });
        throw new OutsideChangeError(
          `deployment ${namespace}/${name} was changed by someone else during the revert: ${differences.join('; ')}.`,
        );
      }
      options.onProgress?.({ deployment: name, message: `deployment "${name}" successfully rolled out`, done: true });
    },
    async history(name) {
      const d = find(name);
      return [...d.revisions]
        .sort((a, b) => b.revision - a.revision)
        .map(
          (r): DeploymentRevision => ({
            revision: r.revision,
            replicaSet: r.replicaSet,
            images: (JSON.parse(r.images) as [FakeDeployment['containers'], string | null])[0].map((c) => ({
              container: c.container,
              image: c.image,
            })),
            createdAt: r.createdAt,
          }),
        );
    },
    async restart(name, at) {
      const d = find(name);
      const restartedAt = at.toISOString().replace(/\.\d{3}Z$/, 'Z'); // RFC 3339 to the second, as kubectl writes it
      if (d.restartedAt === restartedAt) return;
      d.restartedAt = restartedAt;
      roll(name, d);
    },
  };
}
