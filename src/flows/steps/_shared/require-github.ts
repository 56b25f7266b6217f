/** Used by the GitHub-backed steps (pause_deploys, resume_deploys): refuse clearly when GitHub is not configured. */
import { UserFacingError } from '../../../domain/errors.ts';
import type { SourceControl } from '../../ports.ts';

export function requireGitHub<T extends SourceControl>(sc: T | null, what: string): T {
  if (!sc)
    throw new UserFacingError(
      'config_invalid',
      `cannot ${what}: GITHUB_TOKEN is not set. Set it (Actions read/write, Pull requests write) and Retry, or do it by hand and Skip with a reason`,
    );
  return sc;
}
