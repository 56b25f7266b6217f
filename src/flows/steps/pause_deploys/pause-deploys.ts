/**
 * pause_deploys (runbook: "Pause ongoing deployments: disable auto-merge and cancel running
 * workflows"). Records exactly what it changed so resume_deploys undoes that and nothing else.
 *
 * Crash safety: BullMQ re-runs a step whose worker died (API_NOTES), with `previous` = the last
 * checkpoint. Intent is checkpointed BEFORE each mutation — a PR's merge method is gone once its
 * auto-merge is off, and "was it us who disabled this workflow?" can't be answered afterwards —
 * and on a re-run the record is trusted over what GitHub shows now.
 */
import { UserFacingError } from '../../../domain/errors.ts';
import type { SourceControl } from '../../ports.ts';
import { allOrFirstError, serialCheckpoint } from '../_shared/serial-checkpoint.ts';
import type { PausedRun, PauseRecord, RunOutcome } from './output.ts';

export interface PauseDeps {
  sourceControl: SourceControl & { forceCancelRun?(runId: number): Promise<void> };
  workflows: string[];
  previous: PauseRecord | undefined;
  checkpoint(record: PauseRecord): Promise<void>;
  progress(message: string): Promise<void>;
  /** How long a cancel may take to stick before force-cancel: `checks` reads, `intervalMs` apart. */
  settle?: { checks: number; intervalMs: number };
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

const DEFAULT_SETTLE = { checks: 6, intervalMs: 2_000 };
const FINAL: readonly RunOutcome[] = ['cancelled', 'finished'];

export async function pauseDeploys(deps: PauseDeps): Promise<{ record: PauseRecord; summary: string }> {
  const record: PauseRecord = structuredClone(deps.previous ?? { workflows: [], runs: [], pullRequests: [] });
  const save = serialCheckpoint(record, deps.checkpoint);
  const guard = (): void => {
    if (deps.signal?.aborted)
      throw new UserFacingError('aborted', 'pause_deploys was aborted; what it changed so far is recorded');
  };
  // Workflows first: once disabled, nothing merged meanwhile can start a new deploy run. Within
  // each phase the calls are independent and run at once (issue 8: pause in about a second).
  guard();
  await allOrFirstError(deps.workflows.map((workflow) => pauseWorkflow(deps, record, workflow, save)));
  guard();
  await allOrFirstError(deps.workflows.map((workflow) => cancelActiveRuns(deps, record, workflow, save)));
  await settleRuns(deps, record, save, guard);
  guard();
  await disableAutoMerge(deps, record, save, guard);
  return { record, summary: describePause(record) };
}

async function pauseWorkflow(
  deps: PauseDeps,
  record: PauseRecord,
  workflow: string,
  save: () => Promise<void>,
): Promise<void> {
  let entry = record.workflows.find((w) => w.workflow === workflow);
  if (entry?.done) return;
  const current = await deps.sourceControl.getWorkflow(workflow);
  if (!entry) {
    const active = current.state === 'active';
    entry = { workflow, priorState: current.state, disabledByUs: active, done: !active };
    record.workflows.push(entry);
    await save();
    if (!active) return;
  } else if (current.state !== 'active') {
    // Intent recorded before a crash and the workflow is disabled now: our call went through.
    entry.done = true;
    await save();
    return;
  }
  await deps.progress(`Disabling workflow ${workflow}`);
  await deps.sourceControl.disableWorkflow(workflow);
  entry.done = true;
  await save();
}

async function cancelActiveRuns(
  deps: PauseDeps,
  record: PauseRecord,
  workflow: string,
  save: () => Promise<void>,
): Promise<void> {
  const known = new Set(record.runs.map((r) => r.runId));
  const fresh = (await deps.sourceControl.listActiveRuns(workflow)).filter((run) => !known.has(run.id));
  for (const run of fresh) {
    record.runs.push({
      workflow,
      runId: run.id,
      htmlUrl: run.htmlUrl,
      status: run.status,
      outcome: 'cancelling',
      forced: false,
    });
  }
  if (fresh.length > 0) await save();
  const cancelling = record.runs.filter((r) => r.workflow === workflow && r.outcome === 'cancelling');
  await allOrFirstError(
    cancelling.map(async (entry) => {
      if (!fresh.some((run) => run.id === entry.runId) && (await refresh(deps, entry))) {
        await save(); // a re-run found it completed: the cancel from before the crash (or time) did it
        return;
      }
      await deps.progress(`Cancelling run #${entry.runId} (${entry.status}) of ${workflow}`);
      const answer = await deps.sourceControl.cancelRun(entry.runId);
      entry.outcome = 'cancel_requested';
      // 409: it completed first; read how, so the captain sees "success" or "failure", not a guess.
      if (answer === 'already_finished') await refresh(deps, entry);
      await save();
    }),
  );
}

/** Reads a run once; true when it has completed (and the entry now says how). */
async function refresh(deps: PauseDeps, entry: PausedRun): Promise<boolean> {
  const run = await deps.sourceControl.getRun(entry.runId);
  entry.lastStatus = run.status;
  entry.conclusion = run.conclusion;
  if (run.status !== 'completed') return false;
  entry.outcome = run.conclusion === 'cancelled' ? 'cancelled' : 'finished';
  return true;
}

/** A cancel is asynchronous on GitHub: watch each run complete, force-cancel those that don't. */
async function settleRuns(
  deps: PauseDeps,
  record: PauseRecord,
  save: () => Promise<void>,
  guard: () => void,
): Promise<void> {
  if (record.runs.every((r) => FINAL.includes(r.outcome))) return;
  const { checks, intervalMs } = deps.settle ?? DEFAULT_SETTLE;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const watch = async (): Promise<PausedRun[]> => {
    let open = record.runs.filter((r) => !FINAL.includes(r.outcome));
    for (let check = 0; check < checks && open.length > 0; check += 1) {
      if (check > 0) await sleep(intervalMs);
      await allOrFirstError(open.map((entry) => refresh(deps, entry)));
      await save();
      open = open.filter((r) => !FINAL.includes(r.outcome));
    }
    return open;
  };
  const stuck = await watch();
  const force = deps.sourceControl.forceCancelRun?.bind(deps.sourceControl);
  for (const entry of stuck) {
    if (!force) {
      entry.outcome = 'not_cancelled';
      continue;
    }
    guard();
    await deps.progress(`Run #${entry.runId} ignored the cancel; force-cancelling it`);
    await force(entry.runId);
    entry.outcome = 'force_requested';
    entry.forced = true;
    await save();
  }
  for (const entry of await watch()) entry.outcome = 'not_cancelled';
  await save();
}

async function disableAutoMerge(
  deps: PauseDeps,
  record: PauseRecord,
  save: () => Promise<void>,
  guard: () => void,
): Promise<void> {
  const current = await deps.sourceControl.listAutoMergePullRequests();
  for (const pr of current) {
    if (!record.pullRequests.some((p) => p.nodeId === pr.nodeId)) {
      record.pullRequests.push({ nodeId: pr.nodeId, number: pr.number, mergeMethod: pr.mergeMethod, done: false });
    }
  }
  const todo = record.pullRequests.filter((p) => !p.done);
  if (todo.length === 0) return;
  guard();
  await save(); // every merge method is on record before it disappears from GitHub
  await allOrFirstError(
    todo.map(async (entry) => {
      if (current.some((pr) => pr.nodeId === entry.nodeId)) {
        await deps.progress(`Disabling auto-merge on #${entry.number} (${entry.mergeMethod.toLowerCase()})`);
        await deps.sourceControl.disableAutoMerge(entry);
      }
      entry.done = true;
      await save();
    }),
  );
}

export function describePause(record: PauseRecord): string {
  const parts: string[] = [];
  const disabled = record.workflows.filter((w) => w.disabledByUs).map((w) => w.workflow);
  const leftAlone = record.workflows.filter((w) => !w.disabledByUs).map((w) => `${w.workflow} (${w.priorState})`);
  parts.push(disabled.length > 0 ? `Disabled ${disabled.join(', ')}` : 'No deploy workflow was active');
  if (leftAlone.length > 0) parts.push(`left ${leftAlone.join(', ')} as it was`);
  const runLabel = (r: PausedRun): string => `#${r.runId} ${r.status}${r.forced ? ', force-cancelled' : ''}`;
  const cancelled = record.runs.filter((r) => r.outcome === 'cancelled');
  const finished = record.runs.filter((r) => r.outcome === 'finished');
  const stuck = record.runs.filter((r) => !FINAL.includes(r.outcome));
  if (record.runs.length === 0) parts.push('no active runs');
  if (cancelled.length > 0)
    parts.push(`cancelled ${plural(cancelled.length, 'run')} (${cancelled.map(runLabel).join(', ')})`);
  if (finished.length > 0)
    parts.push(
      `${finished.map((r) => `#${r.runId} (${r.conclusion ?? 'finished'})`).join(', ')} finished before the cancel`,
    );
  if (stuck.length > 0) {
    parts.push(
      `COULD NOT CANCEL ${stuck.map((r) => `#${r.runId} (${r.lastStatus ?? r.status}) ${r.htmlUrl}`).join(', ')} — cancel by hand`,
    );
  }
  const prs = record.pullRequests.map((p) => `#${p.number} (${p.mergeMethod.toLowerCase()})`);
  parts.push(prs.length > 0 ? `disabled auto-merge on ${prs.join(', ')}` : 'no open PR had auto-merge');
  return parts.join('; ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
