/**
 * Per-PR auto-merge lives only in GitHub's GraphQL API (API_NOTES "Auto-merge"): list open PRs
 * with their auto-merge request, disable it, and re-enable it with the original merge method.
 */
import type { AutoMergePullRequest } from '../../flows/ports.ts';
import type { GitHubOctokit } from './github-octokit.ts';

export const LIST_AUTO_MERGE_QUERY = `query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: 100, after: $after) {
      nodes { id number autoMergeRequest { mergeMethod } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

export const DISABLE_AUTO_MERGE_MUTATION = `mutation($pullRequestId: ID!) {
  disablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId }) { pullRequest { number } }
}`;

export const ENABLE_AUTO_MERGE_MUTATION = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) { pullRequest { number } }
}`;

interface PullRequestPage {
  repository: {
    pullRequests: {
      nodes: {
        id: string;
        number: number;
        autoMergeRequest: { mergeMethod: AutoMergePullRequest['mergeMethod'] } | null;
      }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  } | null;
}

/** A repository with thousands of open PRs is a config mistake, not something to page through forever. */
const MAX_PAGES = 50;

export interface GitHubAutoMerge {
  list(): Promise<AutoMergePullRequest[]>;
  disable(pr: AutoMergePullRequest): Promise<void>;
  enable(pr: AutoMergePullRequest): Promise<void>;
}

export function createGitHubAutoMerge(octokit: GitHubOctokit, owner: string, repo: string): GitHubAutoMerge {
  return {
    async list() {
      const found: AutoMergePullRequest[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const data: PullRequestPage = await octokit.graphql<PullRequestPage>(LIST_AUTO_MERGE_QUERY, {
          owner,
          name: repo,
          after,
        });
        const prs = data.repository?.pullRequests;
        if (!prs) break;
        for (const node of prs.nodes) {
          if (node.autoMergeRequest)
            found.push({ nodeId: node.id, number: node.number, mergeMethod: node.autoMergeRequest.mergeMethod });
        }
        if (!prs.pageInfo.hasNextPage) break;
        after = prs.pageInfo.endCursor;
      }
      return found;
    },
    async disable(pr) {
      await octokit.graphql(DISABLE_AUTO_MERGE_MUTATION, { pullRequestId: pr.nodeId });
    },
    async enable(pr) {
      await octokit.graphql(ENABLE_AUTO_MERGE_MUTATION, { pullRequestId: pr.nodeId, mergeMethod: pr.mergeMethod });
    },
  };
}
