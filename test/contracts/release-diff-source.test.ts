/**
 * The ReleaseDiffSource contract (flows/ports.ts) — the commits and files describeResume reads —
 * run against the GitHub adapter talking to the GitHub simulator over HTTP (src/sim/github) and the
 * in-memory fake (test/fakes/fake-release-diff-source.ts) over the same state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { ReleaseDiffSource } from '../../src/flows/ports.ts';
import { type GitHubSim, startGitHubSim } from '../../src/sim/github/server.ts';
import {
  COMPARE_COMMIT_CAP,
  createFakeReleaseDiffSource,
  type FakeReleaseDiffState,
} from '../fakes/fake-release-diff-source.ts';

const TOKEN = 'sim-token';
const commit = (n: number) => ({
  sha: n.toString(16).padStart(40, '0'),
  message: `change ${n}`,
  author: `dev${n % 3}`,
});

const STATE: FakeReleaseDiffState = {
  refs: ['v1.2.2', 'v1.2.3', 'v1.3.0'],
  compares: {
    'v1.2.2...v1.2.3': {
      commits: [
        { sha: 'a'.repeat(40), message: 'fix: retry the payment webhook', author: 'alice' },
        { sha: 'b'.repeat(40), message: 'feat: orgs\n\nAdds the orgs table.', author: 'bob' },
      ],
      files: [
        { filename: 'supabase/migrations/20261120_add_orgs.sql', status: 'added' },
        { filename: 'src/app.ts', status: 'modified' },
      ],
    },
    'v1.2.3...v1.3.0': { commits: Array.from({ length: COMPARE_COMMIT_CAP + 50 }, (_, i) => commit(i + 1)), files: [] },
  },
  files: { 'v1.2.3': { 'CHANGELOG.md': '## v1.2.3\n- orgs\n' } },
};

let gh: GitHubSim;
beforeAll(async () => {
  gh = await startGitHubSim({ owner: 'acme', repo: 'shop', token: TOKEN });
  for (const ref of STATE.refs) gh.state.tags[ref] = 'c'.repeat(40);
  Object.assign(gh.state, structuredClone({ compares: STATE.compares, files: STATE.files }));
});
afterAll(async () => {
  await gh?.close();
});

const implementations: [string, () => ReleaseDiffSource][] = [
  [
    'GitHub adapter (GitHub simulator)',
    () => createGitHubSourceControl({ baseUrl: gh.url, token: TOKEN, owner: 'acme', repo: 'shop', retries: 0 }),
  ],
  ['in-memory fake', () => createFakeReleaseDiffSource(structuredClone(STATE))],
];

describe.each(implementations)('ReleaseDiffSource contract: %s', (_name, make) => {
  it('lists the commits between two releases in order, with author and whole message, and the files', async () => {
    const diff = await make().compare('v1.2.2', 'v1.2.3');
    expect(diff).toEqual({
      commits: [
        { sha: 'a'.repeat(40), message: 'fix: retry the payment webhook', author: 'alice' },
        { sha: 'b'.repeat(40), message: 'feat: orgs\n\nAdds the orgs table.', author: 'bob' },
      ],
      files: [
        { filename: 'supabase/migrations/20261120_add_orgs.sql', status: 'added' },
        { filename: 'src/app.ts', status: 'modified' },
      ],
      totalCommits: 2,
    });
  });

  it('reads a long release page by page up to its cap, and still reports the true total', async () => {
    const diff = await make().compare('v1.2.3', 'v1.3.0');
    expect(diff.totalCommits).toBe(COMPARE_COMMIT_CAP + 50);
    expect(diff.commits).toHaveLength(COMPARE_COMMIT_CAP);
    expect(diff.commits[0]).toEqual(commit(1));
    expect(diff.commits[100]).toEqual(commit(101));
    expect(diff.commits.at(-1)).toEqual(commit(COMPARE_COMMIT_CAP));
  });

  it('has no changes between known refs it was told nothing about, and names an unknown ref', async () => {
    const source = make();
    expect(await source.compare('v1.2.2', 'v1.3.0')).toEqual({ commits: [], files: [], totalCommits: 0 });
    const err = await source.compare('v1.2.3', 'v9.9.9').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('not_found');
    expect((err as AppError).message).toContain('v1.2.3 or v9.9.9 is not a tag, branch or commit of acme/shop');
  });

  it('reads a file at a ref, and null where it does not exist', async () => {
    const source = make();
    expect(await source.getFileContent('CHANGELOG.md', 'v1.2.3')).toBe('## v1.2.3\n- orgs\n');
    expect(await source.getFileContent('CHANGELOG.md', 'v1.2.2')).toBeNull();
    expect(await source.getFileContent('NOPE.md', 'v1.2.3')).toBeNull();
  });
});
