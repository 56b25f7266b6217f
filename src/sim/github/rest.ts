/**
 * The REST half of the simulated GitHub: the routes @octokit/rest calls for the bot (actions
 * workflows and runs, dispatch, releases, tags, git refs, compare, contents, issue comments,
 * the repository itself), with GitHub's status codes (202 cancel, 409 on a finished run, 204
 * enable/disable, 404 with `Not Found`) and bodies shaped like the 2022-11-28 API version.
 */
import { ACTIONS_ROUTES } from './rest-actions.ts';
import type { RestContext, RestReply, Route } from './rest-common.ts';
import { notFound } from './rest-common.ts';
import { ISSUE_ROUTES } from './rest-issues.ts';
import { REPO_ROUTES } from './rest-repo.ts';

const ROUTES: Route[] = [...REPO_ROUTES, ...ACTIONS_ROUTES, ...ISSUE_ROUTES];

export function routeRest(
  ctx: RestContext,
  method: string,
  url: URL,
  body: Record<string, unknown>,
  raw: boolean,
): RestReply {
  const base = `/repos/${ctx.state.owner}/${ctx.state.repo}`;
  if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return notFound();
  const path = url.pathname.slice(base.length);
  for (const [verb, pattern, handler] of ROUTES) {
    if (verb !== method) continue;
    const m = path.match(pattern);
    if (!m) continue;
    const reply = handler(ctx, m, url, body);
    // Accept: application/vnd.github.raw — the file's text itself.
    if (raw && reply.status === 200 && isFile(reply.body))
      return { status: 200, body: Buffer.from(reply.body.content, 'base64').toString('utf8') };
    return reply;
  }
  return {
    status: 404,
    body: { message: `Not Found (the GitHub simulator has no route for ${method} ${url.pathname})` },
  };
}

function isFile(body: unknown): body is { type: 'file'; content: string } {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'file';
}
