/**
 * The incident's issue link → a comment with TTD/TTR when the incident is resolved. The link is
 * typed by a person under stress, so anything that isn't plainly an issue URL is refused clearly.
 */
import { UserFacingError } from '../../domain/errors.ts';
import type { GitHubCall } from './github-error.ts';
import type { GitHubOctokit } from './github-octokit.ts';

export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

/** github.com, plus the web host of a GitHub Enterprise Server API URL (https://ghe.example/api/v3). */
export function webHostOf(apiBaseUrl: string): string {
  const host = new URL(apiBaseUrl).host;
  return host === 'api.github.com' ? 'github.com' : host;
}

export function parseIssueUrl(issueUrl: string, webHost = 'github.com'): IssueRef {
  let url: URL | undefined;
  try {
    url = new URL(issueUrl.trim());
  } catch {
    url = undefined;
  }
  const hostOk = url !== undefined && url.protocol === 'https:' && (url.host === 'github.com' || url.host === webHost);
  const match = url?.pathname.match(/^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/issues\/(\d+)\/?$/);
  if (!hostOk || !match) {
    throw new UserFacingError(
      'invalid_input',
      `"${issueUrl}" is not a GitHub issue link: use the issue's address, like https://${webHost}/acme/shop/issues/123`,
    );
  }
  return { owner: match[1]!, repo: match[2]!, number: Number(match[3]) };
}

export async function commentOnIssue(
  octokit: GitHubOctokit,
  call: GitHubCall,
  webHost: string,
  issueUrl: string,
  body: string,
): Promise<{ url: string }> {
  const issue = parseIssueUrl(issueUrl, webHost);
  const slug = `${issue.owner}/${issue.repo}`;
  return call(
    {
      action: `while commenting on issue ${slug}#${issue.number}`,
      permission: 'issues=write',
      notFound: `issue ${slug}#${issue.number} does not exist or the token cannot see it — check the issue link on the incident and that the token has access to ${slug}`,
    },
    async () => {
      const { data } = await octokit.rest.issues.createComment({
        owner: issue.owner,
        repo: issue.repo,
        issue_number: issue.number,
        body,
      });
      return { url: data.html_url };
    },
  );
}
