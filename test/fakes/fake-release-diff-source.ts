/**
 * An in-memory ReleaseDiffSource (flows/ports.ts), what describeResume reads: the commits and files
 * between two refs (as many commits as the GitHub adapter pages through, with the true total) and
 * file contents per ref. Same shape as the GitHub simulator's state (src/sim/github/state.ts).
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { ReleaseDiffSource } from '../../src/flows/ports.ts';
import type { SimCompare } from '../../src/sim/github/state.ts';

/** What the GitHub adapter reads of a compare at most (10 pages of 100); the total is still reported. */
export const COMPARE_COMMIT_CAP = 1000;

export interface FakeReleaseDiffState {
  /** Refs that exist (tags, branches). */
  refs: string[];
  /** `base...head` → what changed; an unknown pair of known refs has no changes. */
  compares: Record<string, SimCompare>;
  /** ref → path → text. */
  files: Record<string, Record<string, string>>;
}

export function createFakeReleaseDiffSource(
  state: FakeReleaseDiffState,
  repo = { owner: 'acme', repo: 'shop' },
): ReleaseDiffSource {
  const slug = `${repo.owner}/${repo.repo}`;
  return {
    async compare(base, head) {
      if (!state.refs.includes(base) || !state.refs.includes(head))
        throw new UserFacingError(
          'not_found',
          `while comparing ${base}...${head} in ${slug}: GitHub answered 404: ${base} or ${head} is not a tag, branch or commit of ${slug} — check the release tag and github.default_branch in rollback.yml`,
        );
      const data = state.compares[`${base}...${head}`] ?? { commits: [], files: [] };
      return {
        commits: data.commits.slice(0, COMPARE_COMMIT_CAP).map((c) => ({ ...c })),
        files: data.files.map((f) => ({ ...f })),
        totalCommits: data.commits.length,
      };
    },
    async getFileContent(path, ref) {
      return state.files[ref]?.[path] ?? null;
    },
  };
}
