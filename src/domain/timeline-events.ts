/**
 * The incident timeline's events: one discriminated union on `kind`, each kind with the payload
 * its writers record and its readers (Slack thread lines, export, console, drill report, metrics)
 * rely on. The store accepts only these; rows read back are checked at the boundary
 * (`toTimelineBody`), and a kind this build does not know (an older or newer bot wrote it)
 * becomes `unknown`, which every reader shows as a generic line instead of failing.
 */
import type { AutopilotMandate } from './autopilot.ts';
import type { Severity, Trigger } from './incident.ts';
import type { CliOrigin } from './origin.ts';
import type { Role, StepId } from './steps.ts';

/** Stamped on events a CLI command records (flows/cli-origin-store.ts): the OS account behind it. */
type Stamped = {
  via?: CliOrigin;
};

export interface TimelinePayloads {
  incident_started: Stamped & {
    badVersion: string;
    requestedTarget: string | null;
    severity: Severity;
    trigger: Trigger;
    critical: boolean;
    issueUrl: string | null;
    environment: string;
    autopilot: boolean;
    drill: boolean;
  };
  step_queued: Stamped & {
    attempt: number;
    /** Queued to apply an approved plan (not a fresh run). */
    apply?: boolean;
    /** Queued by the bot (at start or by autopilot), not by a click. */
    automatic?: boolean;
    autopilot?: { after: AutopilotMandate; because: string };
  };
  step_started: Stamped & { attempt: number };
  step_resumed: Stamped & { attempt: number };
  /** `message` plus whatever the executor adds (`deployment`, counts, …). */
  step_progress: Stamped & { message: string; deployment?: string; [detail: string]: unknown };
  step_succeeded: Stamped & { summary: string | null; attempt?: number; confirmed?: boolean };
  step_awaiting_approval: Stamped & { summary: string | null; attempt?: number };
  step_awaiting_confirmation: Stamped & { summary: string | null; attempt?: number };
  step_failed: Stamped & { error: string; hint?: string | null };
  step_retrying: Stamped & { error: string; try: number; maxTries: number };
  step_skipped: Stamped & { reason: string };
  step_aborted: Stamped & { reason: string | null };
  approval_given: Stamped & { role: Role; remaining: readonly Role[] };
  action_refused: Stamped & { action: string; reason: string };
  target_approved: Stamped & { targetVersion: string; badVersion: string; source: string | null };
  app_restored: Stamped & { restoredAt: string; ttrMs: number; skipped: { stepId: StepId; summary: string | null }[] };
  /** The resolve step's resolution: the Markdown summary, the report Slack renders, times and SLA verdicts. */
  incident_resolved: Stamped & { summary: string; resolvedAt: string; report?: unknown; [figure: string]: unknown };
  incident_aborted: Stamped & { reason: string };
  incident_marked_critical: Stamped & { reason: string };
  sla_reminder: Stamped & { milestone: string; percent: number; dueAt: string; budgetMs: number };
  sla_breached: Stamped & { milestone: string; dueAt: string; budgetMs: number; mention: string[] };
  times_corrected: Stamped & { field: string; from: string | null; to: string };
}

export type TimelineKind = keyof TimelinePayloads;

/** Every kind, in the order of a typical incident (the guard below checks against this list). */
export const TIMELINE_KINDS = [
  'incident_started',
  'step_queued',
  'step_started',
  'step_resumed',
  'step_progress',
  'step_succeeded',
  'step_awaiting_approval',
  'step_awaiting_confirmation',
  'step_failed',
  'step_retrying',
  'step_skipped',
  'step_aborted',
  'approval_given',
  'action_refused',
  'target_approved',
  'app_restored',
  'incident_resolved',
  'incident_aborted',
  'incident_marked_critical',
  'sla_reminder',
  'sla_breached',
  'times_corrected',
] as const satisfies readonly TimelineKind[];

// Fails to compile when a kind is added to TimelinePayloads but not to TIMELINE_KINDS.
type Missing = Exclude<TimelineKind, (typeof TIMELINE_KINDS)[number]>;
const allListed: [Missing] extends [never] ? true : Missing = true;
void allListed;

/** Kind plus its payload, correlated: narrowing on `kind` types `payload`. */
type TimelineBody = { [K in TimelineKind]: { kind: K; payload: TimelinePayloads[K] } }[TimelineKind];

/** A stored row whose kind this build does not know: shown generically, never dropped. */
interface UnknownTimelineBody {
  kind: 'unknown';
  /** The kind as stored. */
  storedKind: string;
  payload: Record<string, unknown> & Stamped;
}

/**
 * A body read back from the database: the payload is jsonb some earlier build may have written, so
 * besides its typed fields it may hold others (read as `unknown`), and readers stay defensive.
 */
export type StoredTimelineBody =
  | { [K in TimelineKind]: { kind: K; payload: TimelinePayloads[K] & Record<string, unknown> } }[TimelineKind]
  | UnknownTimelineBody;

/** What a flow records; the store adds the id. */
export type NewTimelineEvent = TimelineBody & { actor: string; at: Date; stepId?: StepId | null };

export function isTimelineKind(kind: string): kind is TimelineKind {
  return (TIMELINE_KINDS as readonly string[]).includes(kind);
}

/**
 * The boundary check for rows read back: a known kind keeps its payload (jsonb written by this
 * code; readers still treat missing fields defensively), anything else becomes `unknown`.
 */
export function toTimelineBody(kind: string, payload: unknown): StoredTimelineBody {
  const p = (typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {}) as Record<
    string,
    unknown
  >;
  if (isTimelineKind(kind)) return { kind, payload: p } as StoredTimelineBody;
  return { kind: 'unknown', storedKind: kind, payload: p };
}

/** The kind as written in the database (for export, JSON output and generic lines). */
export function storedKind(e: StoredTimelineBody): string {
  return e.kind === 'unknown' ? e.storedKind : e.kind;
}

/**
 * For the end of a switch on `kind`: fails to compile when a kind is not handled. At run time it
 * does nothing, so the caller falls through to its generic line (readers never crash on an event).
 */
export function exhaustive(e: never): void {
  void e;
}

/**
 * A type guard for one kind, so finding an event narrows its payload (`events.findLast(ofKind('step_skipped'))`)
 * and a misspelt kind does not compile.
 */
export function ofKind<K extends StoredTimelineBody['kind']>(kind: K) {
  return <E extends StoredTimelineBody>(e: E): e is Extract<E, { kind: K }> => e.kind === kind;
}
