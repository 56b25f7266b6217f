/**
 * `npm start` on a fresh clone and `rollback-commander drill [--scenario …]`: start drill mode,
 * say in one line where the console is and how to start the first drill, run until stopped.
 */

import { UserFacingError } from '../domain/errors.ts';
import { type Drill, startDrill } from './drill.ts';
import { actAs, drillSummary, startDrillScenario } from './play.ts';
import { isScenarioName, SCENARIO_NAMES } from './scenarios.ts';

export interface RunDrillOptions {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  scenario?: string;
  /** Resolves when the process is asked to stop. */
  stopSignal: Promise<void>;
  /** Tests: a unique world/schema/prefix name and a free port, and the running drill. */
  name?: string;
  port?: number;
  onReady?: (drill: Drill) => void;
}

export async function runDrillMode(options: RunDrillOptions): Promise<void> {
  if (options.scenario !== undefined && !isScenarioName(options.scenario)) {
    throw new UserFacingError(
      'invalid_input',
      `no drill scenario "${options.scenario}": use one of ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  const drill = await startDrill({ env: options.env, name: options.name, port: options.port });
  try {
    // The world was just made anew: a drill the last run left open no longer matches it.
    const leftover = await drill.deps.store.findOpen(drill.config.runbook.environment.name);
    if (leftover)
      await actAs(drill, 'captain', 'abort_incident', null, {
        incidentId: leftover.id,
        reason: 'drill mode restarted: the simulated world was reset',
      });
    if (options.scenario) {
      const { incident } = await startDrillScenario(drill, options.scenario);
      options.out(
        `Drill ${options.scenario} started (${incident.id}): open ${drill.url} and play it as captain, SRE and DB owner — Ctrl-C stops drill mode`,
      );
    } else {
      options.out(
        `Drill mode (simulated cluster and GitHub): open ${drill.url} and start the first drill, app-only, at ${drill.url}drill — or run: ${drillCommand(options.env)} --scenario app-only`,
      );
    }
    const reports = await reportWhenFinished(drill, options.out);
    options.onReady?.(drill);
    await options.stopSignal;
    clearInterval(reports);
  } finally {
    await drill.stop();
  }
}

/** Each drill that ends (resolved or aborted) gets its summary and drill report in the terminal too. */
async function reportWhenFinished(drill: Drill, out: (text: string) => void): Promise<NodeJS.Timeout> {
  const reported = new Set<string>();
  let first = true;
  const check = async () => {
    const recent = await drill.deps.store.list({ limit: 10 });
    for (const incident of recent.filter((i) => i.state !== 'open' && !reported.has(i.id))) {
      reported.add(incident.id);
      // Drills that ended before this start were reported by the run that saw them end.
      if (!first) out(`\n${incident.id} ${incident.state}\n${(await drillSummary(drill, incident.id)).markdown}\n`);
    }
    first = false;
  };
  await check().catch(() => undefined);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void check()
      .catch(() => undefined)
      .finally(() => (running = false));
  }, 2000);
  timer.unref();
  return timer;
}

/**
 * The drill command as the person can type it: `rollback-commander` is on PATH in the image and
 * after `npm install -g`, but in a checkout started with `npm start` only the npm script is.
 */
export function drillCommand(env: NodeJS.ProcessEnv): string {
  return env.npm_lifecycle_event ? 'npm run cli -- drill' : 'rollback-commander drill';
}
