/**
 * The GraphQL the bot sends (src/adapters/github/github-auto-merge.ts): the open pull requests
 * with their auto-merge request, paged 100 at a time, and the two auto-merge mutations. Documents
 * are recognised by their root field, as the only three the bot sends; anything else is answered
 * the way GitHub answers a field it does not have, so a new query shows up here at once.
 */
import type { MergeMethod, SimGitHubState } from './state.ts';

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
}

const MERGE_METHODS: readonly MergeMethod[] = ['MERGE', 'SQUASH', 'REBASE'];

const error = (type: string, message: string) => ({ data: null, errors: [{ type, message, path: [] as string[] }] });

export function routeGraphql(state: SimGitHubState, request: GraphqlRequest): unknown {
  const query = typeof request.query === 'string' ? request.query : '';
  const variables = (
    typeof request.variables === 'object' && request.variables !== null ? request.variables : {}
  ) as Record<string, unknown>;
  const root = /\b(pullRequests|disablePullRequestAutoMerge|enablePullRequestAutoMerge)\s*\(/.exec(query)?.[1];
  if (root === 'pullRequests') return listPullRequests(state, query, variables);
  if (root === 'disablePullRequestAutoMerge' || root === 'enablePullRequestAutoMerge')
    return mutate(state, root, variables);
  return error(
    'undefinedField',
    'the GitHub simulator knows only repository.pullRequests, disablePullRequestAutoMerge and enablePullRequestAutoMerge',
  );
}

function listPullRequests(state: SimGitHubState, query: string, variables: Record<string, unknown>): unknown {
  if (variables.owner !== state.owner || variables.name !== state.repo) {
    return error(
      'NOT_FOUND',
      `Could not resolve to a Repository with the name '${String(variables.owner)}/${String(variables.name)}'.`,
    );
  }
  const first = Number(/first:\s*(\d+)/.exec(query)?.[1] ?? 100);
  const open = state.pullRequests.filter((p) => p.state === 'OPEN').sort((a, b) => a.number - b.number);
  // Cursors are the index after the last node served, base64 like GitHub's opaque ones.
  const after =
    typeof variables.after === 'string' ? Number(Buffer.from(variables.after, 'base64').toString('utf8')) : 0;
  const slice = open.slice(after, after + first);
  const end = after + slice.length;
  return {
    data: {
      repository: {
        pullRequests: {
          nodes: slice.map((p) => ({
            id: p.nodeId,
            number: p.number,
            autoMergeRequest: p.autoMerge ? { mergeMethod: p.autoMerge } : null,
          })),
          pageInfo: {
            hasNextPage: end < open.length,
            endCursor: slice.length ? Buffer.from(String(end)).toString('base64') : null,
          },
        },
      },
    },
  };
}

function mutate(
  state: SimGitHubState,
  root: 'disablePullRequestAutoMerge' | 'enablePullRequestAutoMerge',
  variables: Record<string, unknown>,
): unknown {
  const pr = state.pullRequests.find((p) => p.nodeId === variables.pullRequestId);
  if (!pr)
    return error('NOT_FOUND', `Could not resolve to a node with the global id of '${String(variables.pullRequestId)}'`);
  if (pr.state !== 'OPEN') return error('UNPROCESSABLE', `Pull request #${pr.number} is ${pr.state.toLowerCase()}`);
  if (root === 'disablePullRequestAutoMerge') {
    pr.autoMerge = null;
  } else {
    const method = variables.mergeMethod as MergeMethod;
    if (!MERGE_METHODS.includes(method))
      return error(
        'INVALID_ARGUMENT',
        `Variable $mergeMethod of type PullRequestMergeMethod! was provided invalid value ${JSON.stringify(method)}`,
      );
    pr.autoMerge = method;
  }
  return { data: { [root]: { pullRequest: { number: pr.number } } } };
}
