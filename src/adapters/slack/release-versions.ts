/**
 * The checks a typed release name must pass, shared by `/rollback` and the confirm modal.
 * Each returns the problem in words, or null.
 */
import semver from 'semver';

const shown = (token: string) => `\`${token.replace(/`/g, "'")}\``;

export function versionProblem(token: string, what: string): string | null {
  return semver.valid(token) ? null : `${shown(token)} is not a version for ${what}: write it like \`v1.2.3\`.`;
}

/** A target must be a release (no prerelease), and older than the bad release. */
export function targetProblem(target: string, badVersion: string): string | null {
  const invalid = versionProblem(target, 'the target');
  if (invalid) return invalid;
  if (semver.prerelease(target)) return `${shown(target)} is a prerelease: roll back to a release, like \`v1.2.2\`.`;
  if (!semver.valid(badVersion)) return null;
  if (semver.eq(target, badVersion)) return 'The target is the bad release itself: name an older release.';
  if (semver.gt(target, badVersion)) return `${shown(target)} is newer than ${shown(badVersion)}: a rollback goes to an older release.`;
  return null;
}
