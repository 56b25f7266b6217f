/**
 * The exact image to revert a Deployment to. A tag is mutable: whoever can push to the registry
 * can make `app:v1.2.2` mean something else than what ran last week. When the Deployment's
 * ReplicaSet history holds a pod template pinned to a digest for the target tag
 * (`app:v1.2.2@sha256:…`), that digest is what really ran, so the revert pins to it.
 */
import type { DeploymentConfig } from '../../../config/schema.ts';
import type { DeploymentRevision } from '../../ports.ts';

export interface RevertImage {
  image: string;
  /** `sha256:…` when pinned, with where it came from; null when only the (mutable) tag is known. */
  digest: string | null;
  source: string | null;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function revertImage(d: DeploymentConfig, target: string, revisions: DeploymentRevision[]): RevertImage {
  const tagged = `${d.image}:${target}`;
  for (const revision of revisions) {
    const image = revision.images.find((c) => c.container === d.container)?.image ?? '';
    const at = image.indexOf('@');
    if (at < 0 || image.slice(0, at) !== tagged || !DIGEST.test(image.slice(at + 1))) continue;
    const source = `ReplicaSet ${revision.replicaSet} (revision ${revision.revision})`;
    return { image, digest: image.slice(at + 1), source };
  }
  return { image: tagged, digest: null, source: null };
}

/** The thread line saying what the revert is pinned to, or that it is not. */
export function describeRevertImage(d: DeploymentConfig, target: string, pick: RevertImage): string {
  if (pick.digest) return `${d.name}: ${target} pinned to digest ${pick.digest} (as ${pick.source} ran it)`;
  return (
    `${d.name}: no digest for ${target} in its ReplicaSet history, so the revert uses the tag ${pick.image}, ` +
    'which is mutable (whatever the registry holds under it now is what will run)'
  );
}
