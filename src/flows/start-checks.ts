/**
 * Before a rollback is announced or an incident row exists: the bad release must be a tag that
 * exists and that the Deployments run now, and a named target must be a tag too. A typo
 * (`v1.2.4` while v1.2.3 runs) would otherwise propose the running release as its own target,
 * "revert" to it and record it as known-good; `v0.0.0` would announce a P1 and block deploys.
 */
import semver from 'semver';
import { UserFacingError } from '../domain/errors.ts';
import { imageTag } from '../domain/versions.ts';
import type { FlowDeps } from './deps.ts';

export interface StartCheckRequest {
  badVersion: string;
  target?: string;
}

/** What each Deployment's container runs now, as tags (null: no tag, e.g. a bare digest). */
async function runningTags(deps: FlowDeps): Promise<Map<string, string | null>> {
  const running = new Map<string, string | null>();
  for (const d of deps.config.deployments) {
    const snap = await deps.releases.deployments.get(d.name);
    const image = snap.containers.find((c) => c.container === d.container)?.image;
    if (!image) {
      const fix = 'fix deployments[].container in rollback.yml';
      throw new UserFacingError('not_found', `deployment ${d.name} has no container "${d.container}": ${fix}`);
    }
    running.set(d.name, imageTag(image));
  }
  return running;
}

const sameVersion = (a: string | null, b: string) =>
  a === b || (!!a && !!semver.valid(a) && !!semver.valid(b) && semver.eq(a, b));

/** True/false from GitHub; null when it can't tell (no GITHUB_TOKEN, or GitHub unavailable). */
async function tagExists(deps: FlowDeps, tag: string): Promise<boolean | null> {
  if (!deps.releases.tags) return null;
  try {
    return await deps.releases.tags.tagExists(tag);
  } catch (err) {
    // GitHub being down must not stop a rollback: what the cluster runs still proves the bad tag.
    deps.log.warn({ err, tag }, 'could not look the tag up in GitHub; start checks rely on the cluster');
    return null;
  }
}

export async function checkStartVersions(deps: FlowDeps, req: StartCheckRequest): Promise<void> {
  const running = await runningTags(deps);
  const describe = [...running].map(([name, tag]) => `${name} runs ${tag ?? 'an untagged image'}`).join(', ');
  const badExists = await tagExists(deps, req.badVersion);
  if (badExists === false) {
    const problem = `there is no tag ${req.badVersion} in ${repoName(deps)} (${describe})`;
    throw new UserFacingError('not_found', `${problem}: ${suggest(running)}`);
  }
  if (![...running.values()].some((tag) => sameVersion(tag, req.badVersion))) {
    const problem = `no Deployment runs ${req.badVersion} (${describe}), so there is nothing to roll back`;
    throw new UserFacingError('invalid_input', `${problem}: ${suggest(running)}`);
  }
  // A target is older than the bad release (validateStart), which runs: so it differs from what runs.
  if (req.target === undefined) return;
  const targetExists = await tagExists(deps, req.target);
  if (targetExists === false) {
    const problem = `there is no tag ${req.target} in ${repoName(deps)}, so there are no images to roll back to`;
    throw new UserFacingError(
      'not_found',
      `${problem}: name an existing release, or leave the target out for the proposal`,
    );
  }
  if (targetExists === null && !(await inHistory(deps, req.target))) {
    const problem = `${req.target} can't be checked (GitHub is not configured or unavailable) and no Deployment has run it`;
    const fix = 'name a release from the ReplicaSet history, or leave the target out for the proposal';
    throw new UserFacingError('invalid_input', `${problem}: ${fix}`);
  }
}

async function inHistory(deps: FlowDeps, tag: string): Promise<boolean> {
  for (const d of deps.config.deployments) {
    const revisions = await deps.releases.deployments.history(d.name);
    const images = revisions.map((r) => r.images.find((c) => c.container === d.container)?.image);
    const tags = images.map((i) => (i ? imageTag(i) : null));
    if (tags.some((t) => sameVersion(t, tag))) return true;
  }
  return false;
}

function repoName(deps: FlowDeps): string {
  return `${deps.config.github.owner}/${deps.config.github.repo}`;
}

/** The command that was probably meant: the release the Deployments run, when they agree on one. */
function suggest(running: Map<string, string | null>): string {
  const tags = new Set(running.values());
  const only = tags.size === 1 ? [...tags][0] : null;
  if (!only) return 'name the release that is running and bad';
  return `did you mean ${only}? Start again with \`/rollback ${only}\` (CLI: \`rollback-commander start ${only}\`)`;
}
