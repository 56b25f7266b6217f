/** Release tags: the runbook's `v<major>.<minor>.<patch>`, compared with semver. */
import semver from 'semver';
import { cleanUserText, quoteInput } from './user-text.ts';

export type ReleaseParse = { ok: true; tag: string } | { ok: false; problem: string };

/**
 * THE answer to "is this a release?" for `/rollback`, the confirm modal and the CLI, so a value
 * one of them accepts (or pre-fills) is never refused by another. A release is a semver tag
 * matching github.tag_pattern. `1.2.3` is read as `v1.2.3` when only that form is a tag here;
 * prereleases and build metadata are releases only if the pattern says so.
 */
export function parseRelease(input: string, tagPattern: string, what = 'the bad release'): ReleaseParse {
  const token = cleanUserText(input).trim();
  const candidates = /^v/i.test(token) ? [token] : [token, `v${token}`];
  const tag = candidates.find((t) => isReleaseTag(t, tagPattern));
  if (tag) return { ok: true, tag };
  if (!semver.valid(semver.clean(token) ?? '')) {
    return { ok: false, problem: `${quoteInput(token)} is not a version for ${what}: write it like \`v1.2.3\`.` };
  }
  const kind = semver.prerelease(token) ? 'a prerelease' : token.includes('+') ? 'a build' : 'not a tag form';
  return {
    ok: false,
    problem:
      `${quoteInput(token)} (${kind}) is not a release tag here: tags match \`${tagPattern}\` ` +
      `(github.tag_pattern in rollback.yml). Name ${what} by its release tag, like \`v1.2.3\`.`,
  };
}

/** A target must be a release older than the bad one (both already parsed). */
export function targetProblem(target: string, badVersion: string): string | null {
  if (semver.prerelease(target))
    return `${quoteInput(target)} is a prerelease: roll back to a release, like \`v1.2.2\`.`;
  if (!semver.valid(semver.clean(badVersion) ?? '')) return null;
  if (semver.eq(target, badVersion)) return 'The target is the bad release itself: name an older release.';
  if (semver.gt(target, badVersion))
    return `${quoteInput(target)} is newer than ${quoteInput(badVersion)}: a rollback goes to an older release.`;
  return null;
}

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
export function previousRelease(
  tags: readonly string[],
  bad: string,
  exclude: ReadonlySet<string>,
  pattern: string,
): string | null {
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
