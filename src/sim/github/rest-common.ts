/**
 * What the simulated GitHub's REST handlers share: the context they answer from, their reply,
 * GitHub's 404 body and its pagination.
 */
import type { SimGitHubState, SimRun } from './state.ts';

export interface RestReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestContext {
  state: SimGitHubState;
  /** http://127.0.0.1:port — for the `url` fields. */
  apiUrl: string;
  /** What html_url links use (GitHub's web host). */
  webUrl: string;
  now(): Date;
  /** Schedules the lifecycle of a dispatched run. */
  startDispatchedRun(run: SimRun): void;
}

export type Handler = (ctx: RestContext, m: RegExpMatchArray, url: URL, body: Record<string, unknown>) => RestReply;
/** A route: the verb, the path under /repos/{owner}/{repo}, and its handler. */
export type Route = [string, RegExp, Handler];

export const notFound = (): RestReply => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
});

/** GitHub's pagination: `per_page` and `page`, with a Link header naming the next page. */
export function page<T>(url: URL, items: T[], wrap: (slice: T[]) => unknown): RestReply {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
  const n = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const slice = items.slice((n - 1) * perPage, n * perPage);
  const headers: Record<string, string> = {};
  if (n * perPage < items.length) {
    const next = new URL(url);
    next.searchParams.set('page', String(n + 1));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: wrap(slice), headers };
}
