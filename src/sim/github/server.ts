/**
 * A simulated GitHub API over real HTTP on loopback, for the bot's real GitHub adapter (Octokit)
 * to talk to through GITHUB_API_URL: the REST routes in rest.ts and the GraphQL in graphql.ts,
 * token auth, and dispatched workflow runs that queue, run and complete over time. The drill
 * world and the tests use this one simulator, as they share src/sim/kube for Kubernetes.
 *
 *   const gh = await startGitHubSim({ owner: 'acme', repo: 'shop', token: 't' });
 *   gh.state.workflows.push({ id: 1, file: 'deploy.yml', state: 'active' });
 *   createGitHubSourceControl({ baseUrl: gh.url, token: 't', owner: 'acme', repo: 'shop' });
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routeGraphql } from './graphql.ts';
import { routeRest } from './rest.ts';
import type { RestContext } from './rest-common.ts';
import { emptyGitHubState, type SimGitHubState, type SimRun } from './state.ts';

export type {
  MergeMethod,
  SimComment,
  SimCompare,
  SimGitHubState,
  SimPullRequest,
  SimRun,
  SimWorkflow,
} from './state.ts';

export interface GitHubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface GitHubSimOptions {
  owner: string;
  repo: string;
  /** The token every request must carry (`token …` or `Bearer …`). */
  token: string;
  /** Where html_url links point (default https://github.com). */
  webUrl?: string;
  now?: () => Date;
}

export type GitHubSim = Awaited<ReturnType<typeof startGitHubSim>>;

export async function startGitHubSim(options: GitHubSimOptions) {
  const state: SimGitHubState = emptyGitHubState(options.owner, options.repo);
  const requests: GitHubRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const now = options.now ?? (() => new Date());
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  let ctx!: RestContext;

  const server = createServer((req, res) => {
    void (async () => {
      // The server's own origin: pagination Link headers must point back here.
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const method = req.method ?? 'GET';
      const text = await readBody(req);
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        return reply(res, 400, { message: 'Problems parsing JSON' });
      }
      requests.push({
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text ? body : undefined,
      });
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) {
        return reply(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
      }
      if (method === 'POST' && url.pathname === '/graphql') return reply(res, 200, routeGraphql(state, body));
      const raw = (req.headers.accept ?? '').includes('.raw');
      const out = routeRest(ctx, method, url, body, raw);
      reply(res, out.status, out.body, out.headers);
    })().catch((err: unknown) => reply(res, 500, { message: `GitHub simulator error: ${(err as Error).message}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  ctx = {
    state,
    apiUrl: url,
    webUrl: (options.webUrl ?? 'https://github.com').replace(/\/+$/, ''),
    now,
    startDispatchedRun(run: SimRun) {
      const { durationMs, conclusion } = state.dispatch;
      later(durationMs / 4, () => {
        if (run.status === 'queued') run.status = 'in_progress';
      });
      later(durationMs, () => run.status !== 'completed' && Object.assign(run, { status: 'completed', conclusion }));
    },
  };

  return {
    /** GITHUB_API_URL for the bot. */
    url,
    state,
    /** Every request received, in order (the auth header is never kept). */
    requests,
    /** Requests that changed something (not GETs, not the pull request listing). */
    mutations(): string[] {
      return requests
        .filter(
          (r) =>
            r.method !== 'GET' &&
            !(r.path === '/graphql' && String((r.body as { query?: string }).query).includes('pullRequests(')),
        )
        .map((r) =>
          r.path === '/graphql'
            ? `GRAPHQL ${/\b(\w+PullRequestAutoMerge)\b/.exec(String((r.body as { query?: string }).query))?.[1]} ${JSON.stringify((r.body as { variables?: unknown }).variables)}`
            : `${r.method} ${r.path}`,
        );
    },
    async close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(
  res: import('node:http').ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type':
      typeof body === 'string' ? 'application/vnd.github.raw; charset=utf-8' : 'application/json; charset=utf-8',
    ...headers,
  });
  res.end(text);
}
