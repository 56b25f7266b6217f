/** Playing a drill in tests: a drill on fast timings, and waiting for a step to reach a state. */
import type { StepState } from '../../src/domain/incident.ts';
import type { StepId } from '../../src/domain/steps.ts';
import { type Drill, startDrill } from '../../src/drill/drill.ts';
import { DATABASE_URL, REDIS_URL } from './services.ts';
import { until } from './wait.ts';

export function startTestDrill(name: string): Promise<Drill> {
  return startDrill({
    name,
    port: 0,
    env: { PATH: process.env.PATH, DATABASE_URL, REDIS_URL, LOG_LEVEL: 'silent' },
    world: { rolloutMs: 150, deadlineMs: 600, smokeMs: 200 },
    timing: { rolloutTimeout: '20s', smokePoll: '100ms', queueWindow: '400ms', queueInterval: '100ms' },
  });
}

export function untilStep(drill: Drill, id: string, stepId: StepId, state: StepState, timeoutMs = 30_000) {
  return until(
    `${stepId} to be ${state}`,
    async () => {
      const s = (await drill.deps.store.get(id)).steps.get(stepId)!;
      if (s.state === 'failed' && state !== 'failed') throw new Error(`${stepId} failed: ${s.error}`);
      return s.state === state ? s : null;
    },
    timeoutMs,
  );
}
