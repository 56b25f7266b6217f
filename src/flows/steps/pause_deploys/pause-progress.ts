/**
 * What a pause_deploys that stopped part-way had done, from its checkpointed record, in the words
 * a captain needs before pressing Retry: "disabled workflow deploy.yml; did NOT cancel runs #12, #13".
 */
import type { PauseRecord } from './output.ts';

export function describePauseProgress(record: PauseRecord | undefined, workflows: readonly string[]): string {
  const did: string[] = [];
  const didNot: string[] = [];
  const r = record ?? { workflows: [], runs: [], pullRequests: [] };
  const runs = (ids: number[]) => `run${ids.length === 1 ? '' : 's'} ${ids.map((id) => `#${id}`).join(', ')}`;
  for (const w of workflows) {
    const entry = r.workflows.find((e) => e.workflow === w);
    if (entry?.disabledByUs && entry.done) did.push(`disabled workflow ${w}`);
    else if (entry && !entry.disabledByUs) did.push(`left workflow ${w} as it was (${entry.priorState})`);
    else didNot.push(entry ? `confirm disabling workflow ${w}` : `disable workflow ${w}`);
  }
  const stopped = r.runs
    .filter((run) => run.outcome === 'cancelled' || run.outcome === 'finished')
    .map((run) => run.runId);
  const asked = r.runs
    .filter((run) => run.outcome === 'cancel_requested' || run.outcome === 'force_requested')
    .map((run) => run.runId);
  const open = r.runs
    .filter((run) => run.outcome === 'cancelling' || run.outcome === 'not_cancelled')
    .map((run) => run.runId);
  if (stopped.length) did.push(`stopped ${runs(stopped)}`);
  if (asked.length) did.push(`asked GitHub to cancel ${runs(asked)} (not yet confirmed)`);
  if (open.length) didNot.push(`cancel ${runs(open)}`);
  if (r.runs.length === 0) didNot.push('look for (or cancel) running deploys');
  const prsDone = r.pullRequests.filter((p) => p.done).map((p) => `#${p.number}`);
  const prsOpen = r.pullRequests.filter((p) => !p.done).map((p) => `#${p.number}`);
  if (prsDone.length) did.push(`disabled auto-merge on ${prsDone.join(', ')}`);
  didNot.push(prsOpen.length ? `disable auto-merge on ${prsOpen.join(', ')}` : 'finish disabling auto-merge');
  const parts = [...did, ...(didNot.length ? [`did NOT ${didNot.join(', NOT ')}`] : [])];
  return `${parts.join('; ')} — press Retry to finish (it picks up from here)`;
}
