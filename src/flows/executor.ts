/** The contract between the step runner and each step's executor. */
import type { Logger } from 'pino';
import type { RunbookConfig } from '../config/schema.ts';
import type { Incident, StepRecord } from '../domain/incident.ts';
import type { StepId } from '../domain/steps.ts';
import type { IncidentPatch, IncidentSnapshot } from './ports.ts';

export interface StepContext {
  incident: Incident;
  step: StepRecord;
  snapshot: IncidentSnapshot;
  config: RunbookConfig;
  /** The step's output so far — what earlier attempts or a worker that died already did. */
  previous: Record<string, unknown>;
  /** Durably merges into the step's output before the next side effect (crash safety). */
  checkpoint(patch: Record<string, unknown>): Promise<void>;
  /** A progress line for the timeline and the thread. */
  progress(message: string, data?: Record<string, unknown>): Promise<void>;
  signal: AbortSignal;
  now(): Date;
  log: Logger;
}

export interface StepOutcome {
  outcome: 'succeeded' | 'awaiting_approval' | 'awaiting_confirmation';
  summary: string;
  output?: Record<string, unknown>;
  incident?: IncidentPatch;
}

export interface StepPlan {
  /** What will happen, in words (and the SQL, backup or commands), shown before anyone approves. */
  summary: string;
  plan: Record<string, unknown>;
}

/**
 * A plain step runs; a planned step (approval `plan`) plans, is approved, then applies that plan.
 * `describeProgress` says, from the step's checkpointed output, what a step that failed part-way
 * did and did not do (added to the failure, so nobody has to guess before pressing Retry).
 */
export interface RunExecutor {
  run(ctx: StepContext): Promise<StepOutcome>;
  describeProgress?(output: Record<string, unknown>, config: RunbookConfig): string | null;
}
export interface PlannedExecutor {
  plan(ctx: StepContext): Promise<StepPlan>;
  apply(ctx: StepContext & { plan: Record<string, unknown> }): Promise<StepOutcome>;
  describeProgress?(output: Record<string, unknown>, config: RunbookConfig): string | null;
}
export type StepExecutor = RunExecutor | PlannedExecutor;

export type Executors = Partial<Record<StepId, StepExecutor>>;
