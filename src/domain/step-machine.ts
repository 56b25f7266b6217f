/**
 * The step lifecycle as an explicit transition table. Every applied transition is written to the
 * timeline by the store in the same transaction (see flows/).
 */
import { UserFacingError } from './errors.ts';
import type { StepRecord, StepState } from './incident.ts';

export type StepEvent =
  | 'enqueue' // Run pressed (or Retry: a new attempt)
  | 'start' // the worker picked the job up (again, after a stalled worker)
  | 'succeed'
  | 'await_approval' // ran and proposes something the captain must approve
  | 'await_confirmation' // needs a person to confirm a manual check
  | 'approve' // after-run approval given
  | 'apply' // a planned step's approvals are complete: apply the plan (same attempt)
  | 'confirm'
  | 'fail'
  | 'skip'
  | 'abort';

const TABLE: Record<StepState, Partial<Record<StepEvent, StepState>>> = {
  pending: { enqueue: 'queued', skip: 'skipped' },
  queued: { start: 'running', abort: 'aborted', fail: 'failed' },
  running: {
    start: 'running',
    succeed: 'succeeded',
    await_approval: 'awaiting_approval',
    await_confirmation: 'awaiting_confirmation',
    fail: 'failed',
    abort: 'aborted',
  },
  awaiting_approval: { approve: 'succeeded', apply: 'queued', enqueue: 'queued', skip: 'skipped', abort: 'aborted' },
  awaiting_confirmation: { confirm: 'succeeded', fail: 'failed', skip: 'skipped', abort: 'aborted' },
  failed: { enqueue: 'queued', skip: 'skipped' },
  aborted: { enqueue: 'queued', skip: 'skipped' },
  succeeded: {},
  skipped: {},
};

export function nextStepState(from: StepState, event: StepEvent): StepState {
  const to = TABLE[from][event];
  if (!to) {
    throw new UserFacingError(
      'illegal_transition',
      `a step that is ${describeState(from)} cannot ${EVENT_VERBS[event]}`,
    );
  }
  return to;
}

export function canTransition(from: StepState, event: StepEvent): boolean {
  return TABLE[from][event] !== undefined;
}

/** A new attempt starts when a step that already ran is queued again (Retry). */
export function isNewAttempt(from: StepState, event: StepEvent): boolean {
  return event === 'enqueue' && from !== 'pending';
}

export const DONE_STATES: readonly StepState[] = ['succeeded', 'skipped'];

export function isDone(state: StepState): boolean {
  return DONE_STATES.includes(state);
}

const EVENT_VERBS: Record<StepEvent, string> = {
  enqueue: 'be run',
  start: 'start',
  succeed: 'succeed',
  await_approval: 'wait for approval',
  await_confirmation: 'wait for confirmation',
  approve: 'be approved',
  apply: 'be applied',
  confirm: 'be confirmed',
  fail: 'fail',
  skip: 'be skipped',
  abort: 'be aborted',
};

export function describeState(state: StepState): string {
  return state.replace('_', ' ');
}

/** The record after an event: state from the table, attempt/timestamps/actor bookkeeping here. */
export function advance(
  record: StepRecord,
  event: StepEvent,
  at: Date,
  actor: string | null,
  changes: Partial<Pick<StepRecord, 'output' | 'summary' | 'error'>> = {},
): StepRecord {
  const state = nextStepState(record.state, event);
  const newAttempt = isNewAttempt(record.state, event) || (record.state === 'pending' && event === 'enqueue');
  const finished = state === 'succeeded' || state === 'failed' || state === 'skipped' || state === 'aborted';
  return {
    ...record,
    ...changes,
    state,
    attempt: newAttempt ? record.attempt + 1 : record.attempt,
    // Output survives a new attempt on purpose: it holds what earlier attempts changed in the world.
    summary: changes.summary !== undefined ? changes.summary : newAttempt ? null : record.summary,
    error: event === 'fail' ? (changes.error ?? 'failed') : newAttempt ? null : record.error,
    startedAt: event === 'start' && record.state === 'queued' ? at : newAttempt ? null : record.startedAt,
    finishedAt: finished ? at : null,
    updatedAt: at,
    actor: event === 'start' ? record.actor : (actor ?? record.actor),
    // A person acting again clears the old CLI origin; the CLI's store sets it anew for its own actions.
    actorVia: event === 'start' || actor === null ? (record.actorVia ?? null) : null,
  };
}
