/**
 * An in-memory SourceControl (flows/ports.ts) over the same state as the HTTP-level fake GitHub
 * (test/fixtures/github/fake-github.ts): workflows and their states, runs, open PRs with their
 * auto-merge method, tags.
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { SmokeWorkflowSource, SourceControl, WorkflowRun } from '../../src/flows/ports.ts';
import type { FakeGitHubState, FakeRun } from '../fixtures/github/fake-github.ts';
import { OWNER, REPO } from '../fixtures/github/github-api.ts';

const ACTIVE = new Set(['in_progress', 'queued', 'waiting', 'pending', 'requested']);

export function createFakeSourceControl(
  initial: FakeGitHubState,
): SourceControl & SmokeWorkflowSource & { state: FakeGitHubState } {
  const state = structuredClone(initial);
  const toRun = (r: FakeRun): WorkflowRun => ({
    id: r.id,
    status: r.status,
    conclusion: r.conclusion,
    htmlUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/${r.id}`,
    createdAt: r.createdAt ?? '2026-11-24T10:00:00Z',
  });
  const workflow = (name: string) => {
    if (!(name in state.workflows))
      throw new UserFacingError(
        'not_found',
        `workflow ${name} was not found in ${OWNER}/${REPO}: check github.deploy_workflows in rollback.yml`,
      );
    return state.workflows[name]!;
  };
  const run = (id: number) => {
    const found = state.runs.find((r) => r.id === id);
    if (!found) throw new UserFacingError('not_found', `workflow run ${id} was not found in ${OWNER}/${REPO}`);
    return found;
  };
  const openPr = (nodeId: string) => {
    const pr = state.prs.find((p) => p.id === nodeId);
    if (pr?.state !== 'OPEN') throw new UserFacingError('conflict', `pull request ${nodeId} is not open`);
    return pr;
  };
  return {
    state,
    async getWorkflow(name) {
      return { id: 161335, name: 'deploy', path: `.github/workflows/${name}`, state: workflow(name) };
    },
    async disableWorkflow(name) {
      workflow(name);
      state.workflows[name] = 'disabled_manually';
    },
    async enableWorkflow(name) {
      workflow(name);
      state.workflows[name] = 'active';
    },
    async listActiveRuns(name) {
      return state.runs.filter((r) => r.workflow === name && ACTIVE.has(r.status)).map(toRun);
    },
    async cancelRun(id) {
      const r = run(id);
      if (r.status === 'completed') return 'already_finished';
      if (r.stuck === undefined) Object.assign(r, { status: 'completed', conclusion: 'cancelled' });
      return 'cancelled';
    },
    async getRun(id) {
      return toRun(run(id));
    },
    async listAutoMergePullRequests() {
      return state.prs
        .filter((p) => p.state === 'OPEN' && p.mergeMethod)
        .map((p) => ({ nodeId: p.id, number: p.number, mergeMethod: p.mergeMethod! }));
    },
    async disableAutoMerge(pr) {
      openPr(pr.nodeId).mergeMethod = null;
    },
    async enableAutoMerge(pr) {
      openPr(pr.nodeId).mergeMethod = pr.mergeMethod;
    },
    async listReleaseTags() {
      return [...(state.tags ?? [])];
    },
    // As the HTTP-level fake: a dispatched run finishes at once, green.
    async dispatchWorkflow(name) {
      workflow(name);
      state.runs.push({
        id: 9000 + state.runs.length,
        workflow: name,
        status: 'completed',
        conclusion: 'success',
        event: 'workflow_dispatch',
        createdAt: new Date().toISOString(),
      });
    },
    async findDispatchedRun(name, since) {
      const runs = state.runs.filter(
        (r) =>
          r.workflow === name &&
          r.event === 'workflow_dispatch' &&
          new Date(r.createdAt ?? 0).getTime() >= Math.floor(since.getTime() / 1000) * 1000,
      );
      return runs.map(toRun).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    },
  };
}
