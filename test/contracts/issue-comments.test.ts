/**
 * The IssueComments contract (flows/ports.ts) — what the resolve step uses — run against the GitHub
 * adapter talking to the GitHub simulator over HTTP (src/sim/github) and the in-memory fake
 * (test/fakes/fake-issue-comments.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { IssueComments } from '../../src/flows/ports.ts';
import { type GitHubSim, startGitHubSim } from '../../src/sim/github/server.ts';
import { createFakeIssueComments } from '../fakes/fake-issue-comments.ts';

const TOKEN = 'sim-token';
let gh: GitHubSim;

beforeAll(async () => {
  gh = await startGitHubSim({ owner: 'acme', repo: 'shop', token: TOKEN });
});
afterAll(async () => {
  await gh?.close();
});

interface Harness {
  comments: IssueComments;
  /** What the issue holds now, in order. */
  posted(issue: number): string[];
}

const implementations: [string, () => Harness][] = [
  [
    'GitHub adapter (GitHub simulator)',
    () => {
      // One simulator per file: each case starts with issue 7 and no comments.
      gh.state.issues.splice(0, Infinity, 7);
      gh.state.comments.splice(0, Infinity);
      return {
        comments: createGitHubSourceControl({ baseUrl: gh.url, token: TOKEN, owner: 'acme', repo: 'shop', retries: 0 }),
        posted: (issue) => gh.state.comments.filter((c) => c.issue === issue).map((c) => c.body),
      };
    },
  ],
  [
    'in-memory fake',
    () => {
      const fake = createFakeIssueComments({ owner: 'acme', repo: 'shop', issues: [7] });
      return {
        comments: fake,
        posted: (issue) => fake.comments.filter((c) => c.issue === issue).map((c) => c.body),
      };
    },
  ],
];

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(implementations)('IssueComments contract: %s', (_name, make) => {
  it("comments on the incident's issue and answers the comment's own link", async () => {
    const h = make();
    const first = await h.comments.commentOnIssue('https://github.com/acme/shop/issues/7', 'Resolved: TTR 14 min');
    const second = await h.comments.commentOnIssue('https://github.com/acme/shop/issues/7/', 'Follow-up filed');
    expect(first.url).toMatch(/^https:\/\/github\.com\/acme\/shop\/issues\/7#issuecomment-\d+$/);
    expect(second.url).toMatch(/^https:\/\/github\.com\/acme\/shop\/issues\/7#issuecomment-\d+$/);
    expect(second.url).not.toBe(first.url);
    expect(h.posted(7)).toEqual(['Resolved: TTR 14 min', 'Follow-up filed']);
  });

  it('refuses a link that is not a GitHub issue, saying what one looks like, and posts nothing', async () => {
    const h = make();
    for (const link of ['https://github.com/acme/shop/pull/7', 'http://github.com/acme/shop/issues/7', 'issue 7']) {
      const err = await rejection(h.comments.commentOnIssue(link, 'Resolved'));
      expect(err.code).toBe('invalid_input');
      // The example's host is the web host of the API the adapter talks to (github.com, or a GHES host).
      expect(err.message).toMatch(
        / is not a GitHub issue link: use the issue's address, like https:\/\/\S+\/acme\/shop\/issues\/123$/,
      );
      expect(err.message.startsWith(`"${link}"`)).toBe(true);
    }
    expect(h.posted(7)).toEqual([]);
  });

  it('answers not_found for an issue that does not exist or is in another repository', async () => {
    const h = make();
    const missing = await rejection(h.comments.commentOnIssue('https://github.com/acme/shop/issues/99', 'Resolved'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain('while commenting on issue acme/shop#99: GitHub answered 404');
    expect(missing.message).toContain('check the issue link on the incident');
    const other = await rejection(h.comments.commentOnIssue('https://github.com/acme/other/issues/7', 'Resolved'));
    expect(other.code).toBe('not_found');
    expect(other.message).toContain('issue acme/other#7 does not exist or the token cannot see it');
    expect(h.posted(7)).toEqual([]);
  });

  it('refuses an empty comment', async () => {
    const h = make();
    const err = await rejection(h.comments.commentOnIssue('https://github.com/acme/shop/issues/7', ''));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/^while commenting on issue acme\/shop#7: GitHub refused the request \(422/);
    expect(h.posted(7)).toEqual([]);
  });
});
