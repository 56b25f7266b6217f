/**
 * An in-memory IssueComments (flows/ports.ts) for one repository: the issues that exist and the
 * comments posted on them, with the GitHub adapter's answers (a link that is not an issue of the
 * repo refused, an unknown issue not found, an empty comment refused).
 */
import { parseIssueUrl } from '../../src/adapters/github/github-issue-comment.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import type { IssueComments } from '../../src/flows/ports.ts';

export interface FakeIssueComments extends IssueComments {
  /** Issue numbers that exist; add one before commenting on it. */
  issues: number[];
  /** Every comment posted, in order. */
  comments: { issue: number; body: string; url: string }[];
}

export function createFakeIssueComments(options: {
  owner: string;
  repo: string;
  issues?: number[];
}): FakeIssueComments {
  const { owner, repo } = options;
  const issues = [...(options.issues ?? [])];
  const comments: FakeIssueComments['comments'] = [];
  let nextId = 9001;
  return {
    issues,
    comments,
    async commentOnIssue(issueUrl, body) {
      const issue = parseIssueUrl(issueUrl);
      const slug = `${issue.owner}/${issue.repo}`;
      const action = `while commenting on issue ${slug}#${issue.number}`;
      if (issue.owner !== owner || issue.repo !== repo || !issues.includes(issue.number)) {
        throw new UserFacingError(
          'not_found',
          `${action}: GitHub answered 404: issue ${slug}#${issue.number} does not exist or the token cannot see it — check the issue link on the incident and that the token has access to ${slug}`,
        );
      }
      if (!body)
        throw new UserFacingError('invalid_input', `${action}: GitHub refused the request (422: Validation Failed)`);
      const url = `https://github.com/${owner}/${repo}/issues/${issue.number}#issuecomment-${nextId++}`;
      comments.push({ issue: issue.number, body, url });
      return { url };
    },
  };
}
