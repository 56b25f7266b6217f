/** A StepContext for driving one executor directly: checkpoints and progress are kept in memory. */
import { pino } from 'pino';
import type { RunbookConfig } from '../../src/config/schema.ts';
import type { Incident, StepRecord } from '../../src/domain/incident.ts';
import { RUNBOOK, type StepId } from '../../src/domain/steps.ts';
import type { StepContext } from '../../src/flows/executor.ts';

export function testIncident(overrides: Partial<Incident> = {}): Incident {
  const at = new Date('2026-11-24T03:00:00Z');
  return {
    id: 'rb-1',
    environment: 'production',
    state: 'open',
    badVersion: 'v1.2.3',
    targetVersion: null,
    targetSource: null,
    severity: 'P1',
    trigger: 'slo_breach',
    critical: false,
    autopilot: true,
    drill: false,
    issueUrl: null,
    createdBy: 'USRE00001',
    createdAt: at,
    impactStartedAt: null,
    detectedAt: at,
    decidedAt: null,
    restoredAt: null,
    resolvedAt: null,
    chat: { incidents: null, releases: null },
    ...overrides,
  };
}

export function testStep(stepId: StepId, overrides: Partial<StepRecord> = {}): StepRecord {
  const at = new Date('2026-11-24T03:00:00Z');
  return {
    incidentId: 'rb-1',
    stepId,
    state: 'running',
    attempt: 1,
    version: 3,
    output: {},
    summary: null,
    error: null,
    startedAt: at,
    finishedAt: null,
    updatedAt: at,
    actor: null,
    ...overrides,
  };
}

export interface RecordingContext extends StepContext {
  checkpoints: Record<string, unknown>[];
  progressLines: string[];
  abort: AbortController;
}

export function testContext(
  stepId: StepId,
  config: RunbookConfig,
  options: { incident?: Partial<Incident>; previous?: Record<string, unknown>; steps?: StepRecord[] } = {},
): RecordingContext {
  const incident = testIncident(options.incident);
  const step = testStep(stepId, { output: options.previous ?? {} });
  const steps = new Map(RUNBOOK.map((d) => [d.id, testStep(d.id, { state: 'pending' })]));
  for (const s of options.steps ?? []) steps.set(s.stepId, s);
  steps.set(stepId, step);
  const abort = new AbortController();
  const ctx: RecordingContext = {
    incident,
    step,
    snapshot: { incident, steps, approvals: [] },
    config,
    previous: { ...(options.previous ?? {}) },
    checkpoints: [],
    progressLines: [],
    abort,
    async checkpoint(patch) {
      ctx.checkpoints.push(patch);
      Object.assign(ctx.previous, patch);
    },
    async progress(message) {
      ctx.progressLines.push(message);
    },
    signal: abort.signal,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
  };
  return ctx;
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string; transient?: boolean }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string; transient?: boolean };
  }
  throw new Error('expected a failure, but it succeeded');
}
