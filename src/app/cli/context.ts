/** What every CLI command gets: the I/O, who runs it, and the two ways to open the bot's state. */

import { setTimeout as sleep } from 'node:timers/promises';
import { CommanderError } from 'commander';
import type { TimelineEvent } from '../../domain/incident.ts';
import type { CliOrigin } from '../../domain/origin.ts';
import type { StepId } from '../../domain/steps.ts';
import { mentionsAsText } from '../../domain/user-text.ts';
import type { FlowDeps } from '../../flows/deps.ts';
import type { Container } from '../container.ts';
import { renderTimeline } from '../text-report.ts';
import type { CliIo } from './io.ts';

/** What the read-only commands need: the incident store, the runbook (export's SLA budgets), the clock. */
export interface Reader {
  deps: Pick<FlowDeps, 'store' | 'config' | 'now'>;
}

export interface CliContext {
  io: CliIo;
  origin: CliOrigin;
  /** The global `--config` option. */
  configPath(): string | undefined;
  /** Everything (database, queue, cluster, Slack); `deferKubeErrors` for commands that need no cluster or report it. */
  open(options?: { deferKubeErrors?: boolean }): Promise<Container>;
  /** list, status and export: the bot's database alone, so they start fast and need nothing else. */
  read(): Promise<Reader>;
  /** The Slack user `--as` names, once cli.identities allows this OS user to act as them. */
  actor(c: Container, o: { as?: string }, incidentId?: string | null): Promise<string>;
}

export async function lastEventId(c: Container, incidentId: string): Promise<number> {
  return (await c.deps.store.timeline(incidentId)).at(-1)?.id ?? 0;
}

/** The command's own events (queued, approvals) were already said above: follow does not repeat them. */
function saidByCommand(e: TimelineEvent): boolean {
  return e.kind === 'step_queued' || e.kind === 'approval_given';
}

/** Live progress: print the events after `since` (taken before the command) until the step settles. */
export async function follow(
  c: Container,
  io: CliIo,
  incidentId: string,
  stepId: StepId,
  since: number,
): Promise<void> {
  let seen = since;
  for (;;) {
    const events = (await c.deps.store.timeline(incidentId)).filter((e) => e.id > seen);
    const fresh = events.filter((e) => !saidByCommand(e));
    if (fresh.length) io.out(renderTimeline(fresh));
    seen = events.at(-1)?.id ?? seen;
    const step = (await c.deps.store.get(incidentId)).steps.get(stepId)!;
    if (step.state !== 'queued' && step.state !== 'running') {
      const detail = step.error ? ` — ${step.error}` : step.summary ? ` — ${step.summary}` : '';
      io.out(mentionsAsText(`${stepId}: ${step.state}${detail}`));
      if (step.state === 'failed') throw new CommanderError(1, 'step_failed', step.error ?? 'failed');
      return;
    }
    await sleep(250);
  }
}
