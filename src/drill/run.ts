/**
 * `npm start` on a fresh clone and `rollback-commander drill [--scenario …]`: start drill mode,
 * say in one line where the console is and how to start the first drill, run until stopped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startDrill, type Drill } from './drill.ts';
import { actAs, startDrillScenario } from './play.ts';
import { isScenarioName, SCENARIO_NAMES } from './scenarios.ts';
import { UserFacingError } from '../domain/errors.ts';

export interface RunDrillOptions {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  scenario?: string;
  /** Resolves when the process is asked to stop. */
  stopSignal: Promise<void>;
  /** The console's routes on the same HTTP server (issue 9 §2). */
  routes?: (drill: Drill) => (req: IncomingMessage, res: ServerResponse) => boolean;
}

export async function runDrillMode(options: RunDrillOptions): Promise<void> {
  if (options.scenario !== undefined && !isScenarioName(options.scenario)) {
    throw new UserFacingError('invalid_input', `no drill scenario "${options.scenario}": use one of ${SCENARIO_NAMES.join(', ')}`);
  }
  const drill = await startDrill({ env: options.env, routes: options.routes });
  try {
    // The world was just made anew: a drill the last run left open no longer matches it.
    const leftover = await drill.deps.store.findOpen(drill.config.runbook.environment.name);
    if (leftover) await actAs(drill, 'captain', 'abort_incident', null, { incidentId: leftover.id, reason: 'drill mode restarted: the simulated world was reset' });
    if (options.scenario) {
      const { incident } = await startDrillScenario(drill, options.scenario);
      options.out(`Drill ${options.scenario} started (${incident.id}): open ${drill.url} and play it as captain, SRE and DB owner — Ctrl-C stops drill mode`);
    } else {
      options.out(`Drill mode (simulated cluster and GitHub): open ${drill.url} and start the first drill, app-only — or run: rollback-commander drill --scenario app-only`);
    }
    await options.stopSignal;
  } finally {
    await drill.stop();
  }
}
