/** Release tags: the runbook's `v<major>.<minor>.<patch>`, compared with semver. */
import semver from 'semver';

export function isReleaseTag(tag: string, pattern: string): boolean {
  return new RegExp(pattern).test(tag) && semver.valid(semver.clean(tag) ?? '') !== null;
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
