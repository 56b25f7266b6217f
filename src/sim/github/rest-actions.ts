/**
 * The simulated GitHub's Actions routes: workflows (get, enable/disable, their runs, dispatch) and
 * runs (get, cancel/force-cancel with 202, 409 on a finished run).
 */
import { notFound, page, type RestContext, type Route } from './rest-common.ts';
import { knownRef } from './rest-repo.ts';
import type { SimGitHubState, SimRun, SimWorkflow } from './state.ts';

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

/** The `created` filter the smoke step uses: `>=2026-11-24T10:00:00Z`. */
function createdMatches(filter: string | null, createdAt: string): boolean {
  if (!filter) return true;
  const m = /^>=(.+)$/.exec(filter);
  return m ? Date.parse(createdAt) >= Date.parse(m[1]!) : true;
}

export const ACTIONS_ROUTES: Route[] = [
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
];

function nextRunId(state: SimGitHubState): number {
  return Math.max(7000, ...state.runs.map((r) => r.id)) + 1;
}

function isoSeconds(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
