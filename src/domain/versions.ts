/** Release tags: the runbook's `v<major>.<minor>.<patch>`, compared with semver. */
import semver from 'semver';

export function isReleaseTag(tag: string, pattern: string): boolean {
  return new RegExp(pattern).test(tag) && semver.valid(semver.clean(tag) ?? '') !== null;
}

/**
 * Why `tag` is not a release the bot may record as known-good or roll back to, or null: it must
 * match github.tag_pattern, be semver, and not be a prerelease.
 */
export function releaseProblem(tag: string, pattern: string): string | null {
  if (!new RegExp(pattern).test(tag)) return `${tag} does not match github.tag_pattern (${pattern})`;
  if (semver.valid(semver.clean(tag) ?? '') === null) return `${tag} is not a semver version`;
  if (semver.prerelease(tag) !== null) return `${tag} is a prerelease`;
  return null;
}

export function isStableRelease(tag: string, pattern: string): boolean {
  return releaseProblem(tag, pattern) === null;
}

/** Highest stable release below `bad`, excluding known-bad tags. */
export function previousRelease(tags: readonly string[], bad: string, exclude: ReadonlySet<string>, pattern: string): string | null {
  const candidates = tags
    .filter((t) => isReleaseTag(t, pattern) && !exclude.has(t))
    .filter((t) => semver.prerelease(t) === null && semver.lt(t, bad));
  return candidates.sort(semver.rcompare)[0] ?? null;
}

/** The tag of an image reference `repo:tag` (digests and registries with ports handled). */
export function imageTag(image: string): string | null {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(colon + 1) : null;
}

export function imageRepo(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
