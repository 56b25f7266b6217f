/**
 * The REST half of the simulated GitHub: the routes @octokit/rest calls for the bot (actions
 * workflows and runs, dispatch, releases, tags, git refs, compare, contents, issue comments,
 * the repository itself), with GitHub's status codes (202 cancel, 409 on a finished run, 204
 * enable/disable, 404 with `Not Found`) and bodies shaped like the 2022-11-28 API version.
 */
import { createHash } from 'node:crypto';
import { type SimGitHubState, type SimRun, type SimWorkflow } from './state.ts';

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

type Handler = (ctx: RestContext, m: RegExpMatchArray, url: URL, body: Record<string, unknown>) => RestReply;

const notFound = (): RestReply => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
});
const sha = (text: string) => createHash('sha1').update(text).digest('hex');

function findWorkflow(ctx: RestContext, id: string): SimWorkflow | undefined {
  const key = decodeURIComponent(id);
  return ctx.state.workflows.find((w) => w.file === key || String(w.id) === key);
}

function workflowBody(ctx: RestContext, w: SimWorkflow) {
  const { owner, repo } = ctx.state;
  return {
    id: w.id,
    node_id: `W_${w.id}`,
    name: w.file.replace(/\.ya?ml$/, ''),
    path: `.github/workflows/${w.file}`,
    state: w.state,
    created_at: '2026-01-10T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
    url: `${ctx.apiUrl}/repos/${owner}/${repo}/actions/workflows/${w.id}`,
    html_url: `${ctx.webUrl}/${owner}/${repo}/blob/main/.github/workflows/${w.file}`,
    badge_url: `${ctx.webUrl}/${owner}/${repo}/workflows/${w.file}/badge.svg`,
  };
}

function runBody(ctx: RestContext, r: SimRun) {
  const { owner, repo } = ctx.state;
  const workflow = ctx.state.workflows.find((w) => w.file === r.workflow);
  return {
    id: r.id,
    name: r.workflow.replace(/\.ya?ml$/, ''),
    run_number: r.id % 10_000,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    head_branch: r.headBranch,
    workflow_id: workflow?.id ?? 0,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    url: `${ctx.apiUrl}/repos/${owner}/${repo}/actions/runs/${r.id}`,
    html_url: `${ctx.webUrl}/${owner}/${repo}/actions/runs/${r.id}`,
  };
}

/** GitHub's pagination: `per_page` and `page`, with a Link header naming the next page. */
function page<T>(url: URL, items: T[], wrap: (slice: T[]) => unknown): RestReply {
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

/** The `created` filter the smoke step uses: `>=2026-11-24T10:00:00Z`. */
function createdMatches(filter: string | null, createdAt: string): boolean {
  if (!filter) return true;
  const m = /^>=(.+)$/.exec(filter);
  return m ? Date.parse(createdAt) >= Date.parse(m[1]!) : true;
}

function knownRef(ctx: RestContext, ref: string): boolean {
  return ref in ctx.state.tags || ref in ctx.state.files || ref === 'main' || /^[0-9a-f]{7,40}$/.test(ref);
}

const ROUTES: [string, RegExp, Handler][] = [
  [
    'GET',
    /^$/,
    (ctx) => ({
      status: 200,
      body: {
        id: 1,
        full_name: `${ctx.state.owner}/${ctx.state.repo}`,
        default_branch: 'main',
        allow_auto_merge: true,
        permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      },
    }),
  ],
  [
    'GET',
    /^\/actions\/workflows\/([^/]+)$/,
    (ctx, m) => {
      const w = findWorkflow(ctx, m[1]!);
      return w ? { status: 200, body: workflowBody(ctx, w) } : notFound();
    },
  ],
  [
    'PUT',
    /^\/actions\/workflows\/([^/]+)\/(enable|disable)$/,
    (ctx, m) => {
      const w = findWorkflow(ctx, m[1]!);
      if (!w) return notFound();
      w.state = m[2] === 'enable' ? 'active' : 'disabled_manually';
      return { status: 204 };
    },
  ],
  [
    'GET',
    /^\/actions\/workflows\/([^/]+)\/runs$/,
    (ctx, m, url) => {
      const w = findWorkflow(ctx, m[1]!);
      if (!w) return notFound();
      const status = url.searchParams.get('status');
      const event = url.searchParams.get('event');
      const created = url.searchParams.get('created');
      const runs = ctx.state.runs
        .filter(
          (r) =>
            r.workflow === w.file &&
            (!status || r.status === status) &&
            (!event || r.event === event) &&
            createdMatches(created, r.createdAt),
        )
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return page(url, runs, (slice) => ({
        total_count: runs.length,
        workflow_runs: slice.map((r) => runBody(ctx, r)),
      }));
    },
  ],
  [
    'POST',
    /^\/actions\/workflows\/([^/]+)\/dispatches$/,
    (ctx, m, _url, body) => {
      const w = findWorkflow(ctx, m[1]!);
      if (!w) return notFound();
      if (w.state !== 'active')
        return {
          status: 422,
          body: { message: `Workflow does not have 'workflow_dispatch' trigger or is disabled (${w.state})` },
        };
      const ref = typeof body.ref === 'string' ? body.ref : '';
      if (!knownRef(ctx, ref)) return { status: 422, body: { message: `No ref found for: ${ref}` } };
      const run: SimRun = {
        id: nextRunId(ctx.state),
        workflow: w.file,
        status: 'queued',
        conclusion: null,
        event: 'workflow_dispatch',
        headBranch: ref,
        createdAt: isoSeconds(ctx.now()),
      };
      ctx.state.runs.push(run);
      ctx.startDispatchedRun(run);
      return { status: 204 };
    },
  ],
  [
    'GET',
    /^\/actions\/runs\/(\d+)$/,
    (ctx, m) => {
      const run = ctx.state.runs.find((r) => r.id === Number(m[1]));
      return run ? { status: 200, body: runBody(ctx, run) } : notFound();
    },
  ],
  [
    'POST',
    /^\/actions\/runs\/(\d+)\/(cancel|force-cancel)$/,
    (ctx, m) => {
      const run = ctx.state.runs.find((r) => r.id === Number(m[1]));
      if (!run) return notFound();
      if (run.status === 'completed')
        return { status: 409, body: { message: 'Cannot cancel a workflow run that is completed.' } };
      if (m[2] === 'force-cancel' || !run.ignoresCancel)
        Object.assign(run, { status: 'completed', conclusion: 'cancelled' });
      return { status: 202, body: {} };
    },
  ],
  [
    'GET',
    /^\/releases$/,
    (ctx, _m, url) =>
      page(url, ctx.state.releases, (slice) =>
        slice.map((r, i) => ({
          id: 1000 + i,
          tag_name: r.tag,
          name: r.tag,
          draft: r.draft ?? false,
          prerelease: r.prerelease ?? false,
          html_url: `${ctx.webUrl}/${ctx.state.owner}/${ctx.state.repo}/releases/tag/${r.tag}`,
        })),
      ),
  ],
  [
    'GET',
    /^\/tags$/,
    (ctx, _m, url) =>
      page(url, Object.entries(ctx.state.tags), (slice) =>
        slice.map(([name, commit]) => ({
          name,
          commit: { sha: commit, url: `${ctx.apiUrl}/repos/${ctx.state.owner}/${ctx.state.repo}/commits/${commit}` },
        })),
      ),
  ],
  [
    'GET',
    /^\/git\/ref\/tags\/(.+)$/,
    (ctx, m) => {
      const tag = decodeURIComponent(m[1]!);
      const commit = ctx.state.tags[tag];
      return commit
        ? {
            status: 200,
            body: { ref: `refs/tags/${tag}`, node_id: `REF_${tag}`, object: { sha: commit, type: 'commit' } },
          }
        : notFound();
    },
  ],
  [
    'GET',
    /^\/compare\/(.+)$/,
    (ctx, m, url) => {
      const basehead = decodeURIComponent(m[1]!);
      const [base, head] = basehead.split('...');
      if (!base || !head || !knownRef(ctx, base) || !knownRef(ctx, head)) return notFound();
      const data = ctx.state.compares[basehead] ?? { commits: [], files: [] };
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 250));
      const n = Number(url.searchParams.get('page') ?? 1);
      const commits = data.commits.slice((n - 1) * perPage, n * perPage).map((c) => ({
        sha: c.sha,
        commit: {
          message: c.message,
          author: { name: c.author, email: `${c.author}@example.com`, date: '2026-11-20T10:00:00Z' },
        },
        author: { login: c.author },
      }));
      return {
        status: 200,
        body: {
          status: data.commits.length ? 'ahead' : 'identical',
          ahead_by: data.commits.length,
          behind_by: 0,
          total_commits: data.commits.length,
          commits,
          files: data.files,
        },
      };
    },
  ],
  [
    'GET',
    /^\/contents\/(.+)$/,
    (ctx, m, url) => contents(ctx, decodeURIComponent(m[1]!), url.searchParams.get('ref') ?? 'main'),
  ],
  [
    'POST',
    /^\/issues\/(\d+)\/comments$/,
    (ctx, m, _url, body) => {
      const issue = Number(m[1]);
      if (!ctx.state.issues.includes(issue)) return notFound();
      if (typeof body.body !== 'string' || !body.body)
        return {
          status: 422,
          body: { message: 'Validation Failed', errors: [{ field: 'body', code: 'missing_field' }] },
        };
      const comment = {
        id: 9000 + ctx.state.comments.length + 1,
        issue,
        body: body.body,
        createdAt: ctx.now().toISOString(),
      };
      ctx.state.comments.push(comment);
      const html = `${ctx.webUrl}/${ctx.state.owner}/${ctx.state.repo}/issues/${issue}#issuecomment-${comment.id}`;
      return {
        status: 201,
        body: { id: comment.id, body: comment.body, html_url: html, created_at: comment.createdAt },
      };
    },
  ],
  [
    'GET',
    /^\/issues\/(\d+)\/comments$/,
    (ctx, m, url) => {
      const issue = Number(m[1]);
      if (!ctx.state.issues.includes(issue)) return notFound();
      return page(
        url,
        ctx.state.comments.filter((c) => c.issue === issue),
        (slice) => slice.map((c) => ({ id: c.id, body: c.body, created_at: c.createdAt })),
      );
    },
  ],
];

/** The contents API: a file (base64) or a directory listing at a ref; `raw` media type answers the text. */
function contents(ctx: RestContext, path: string, ref: string): RestReply {
  const files = ctx.state.files[ref];
  if (!files) return notFound();
  const text = files[path];
  if (text !== undefined) {
    return {
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        name: path.split('/').pop(),
        path,
        sha: sha(text),
        size: Buffer.byteLength(text),
        content: Buffer.from(text).toString('base64'),
      },
    };
  }
  const prefix = `${path.replace(/\/+$/, '')}/`;
  const children = new Map<string, { type: string; sha: string }>();
  for (const [p, t] of Object.entries(files)) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const [first, ...more] = rest.split('/');
    children.set(first!, more.length ? { type: 'dir', sha: sha(`${prefix}${first}`) } : { type: 'file', sha: sha(t) });
  }
  if (children.size === 0) return notFound();
  return {
    status: 200,
    body: [...children].map(([name, c]) => ({ name, path: `${prefix}${name}`, sha: c.sha, type: c.type })),
  };
}

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

function nextRunId(state: SimGitHubState): number {
  return Math.max(7000, ...state.runs.map((r) => r.id)) + 1;
}

function isoSeconds(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
