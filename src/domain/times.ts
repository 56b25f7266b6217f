/**
 * PRODUCT.md "Times and metrics", the one definition used by the checklist, the timers, the
 * resolve summary, the export and /metrics. Pure: every time (and `now`) comes in as an argument.
 */
// Per-function paths: the date-fns index loads ~250 modules, most of the CLI's start-up time.
import { formatDuration, intervalToDuration } from './date-fns.ts';
import type { Incident, StepRecord } from './incident.ts';
import { isDone } from './step-machine.ts';
import { RUNBOOK, type StepId } from './steps.ts';

export type IncidentTimes = Pick<
  Incident,
  'severity' | 'state' | 'impactStartedAt' | 'detectedAt' | 'decidedAt' | 'restoredAt' | 'resolvedAt'
>;

export interface Durations {
  /** detected − impact started */
  ttdMs: number | null;
  /** decided − detected */
  decideMs: number | null;
  /** restored − detected */
  ttrMs: number | null;
  /** restored − impact started */
  impactMs: number | null;
}

const between = (from: Date | null, to: Date | null): number | null =>
  from && to ? to.getTime() - from.getTime() : null;

export function durationsOf(t: IncidentTimes): Durations {
  return {
    ttdMs: between(t.impactStartedAt, t.detectedAt),
    decideMs: between(t.detectedAt, t.decidedAt),
    ttrMs: between(t.detectedAt, t.restoredAt),
    impactMs: between(t.impactStartedAt, t.restoredAt),
  };
}

// ---- SLAs ----------------------------------------------------------------------------------

export type Milestone = 'decide' | 'restore';
/** The config's `sla:` section, in milliseconds. */
export interface SlaBudgets {
  P1: { decide: number; restore: number };
  P2: { restore: number };
}

/** Runbook: P1 has a decision and a restore budget; P2 only "rollback or forward-fix within 2 hours". */
export function budgetsOf(
  severity: Incident['severity'],
  budgets: SlaBudgets,
): { milestone: Milestone; budgetMs: number }[] {
  if (severity === 'P1')
    return [
      { milestone: 'decide', budgetMs: budgets.P1.decide },
      { milestone: 'restore', budgetMs: budgets.P1.restore },
    ];
  return [{ milestone: 'restore', budgetMs: budgets.P2.restore }];
}

/** When a milestone was met: decided_at; restored_at (for P2 also an approved forward-fix plan, whichever came first). */
export function metAtOf(t: IncidentTimes, milestone: Milestone, forwardFixAt: Date | null): Date | null {
  if (milestone === 'decide') return t.decidedAt;
  if (t.severity === 'P2' && forwardFixAt)
    return t.restoredAt && t.restoredAt < forwardFixAt ? t.restoredAt : forwardFixAt;
  return t.restoredAt;
}

export interface SlaVerdict {
  milestone: Milestone;
  budgetMs: number;
  dueAt: Date;
  metAt: Date | null;
  /** met in time / missed / null while it can still be met */
  verdict: 'met' | 'missed' | 'pending';
  /** How long it took from detection (or has been running, when pending or never met). */
  tookMs: number;
}

export function slaVerdicts(t: IncidentTimes, budgets: SlaBudgets, forwardFixAt: Date | null, now: Date): SlaVerdict[] {
  return budgetsOf(t.severity, budgets).map(({ milestone, budgetMs }) => {
    const dueAt = new Date(t.detectedAt.getTime() + budgetMs);
    const metAt = metAtOf(t, milestone, forwardFixAt);
    const end = metAt ?? t.resolvedAt ?? now;
    const verdict = metAt
      ? metAt <= dueAt
        ? 'met'
        : 'missed'
      : end >= dueAt || t.state !== 'open'
        ? 'missed'
        : 'pending';
    return { milestone, budgetMs, dueAt, metAt, verdict, tookMs: end.getTime() - t.detectedAt.getTime() };
  });
}

/** Reminders at 50 % and 80 % of a budget, the breach notice at 100 %. */
export const TIMER_PERCENTS = [50, 80, 100] as const;
export type TimerPercent = (typeof TIMER_PERCENTS)[number];

export interface TimerMark {
  milestone: Milestone;
  percent: TimerPercent;
  dueAt: Date;
  fireAt: Date;
}

/** Every mark of every milestone not met yet (none once the incident is closed). */
export function timerMarks(t: IncidentTimes, budgets: SlaBudgets, forwardFixAt: Date | null): TimerMark[] {
  if (t.state !== 'open') return [];
  return budgetsOf(t.severity, budgets)
    .filter(({ milestone }) => metAtOf(t, milestone, forwardFixAt) === null)
    .flatMap(({ milestone, budgetMs }) =>
      TIMER_PERCENTS.map((percent) => ({
        milestone,
        percent,
        dueAt: new Date(t.detectedAt.getTime() + budgetMs),
        fireAt: new Date(t.detectedAt.getTime() + Math.round((budgetMs * percent) / 100)),
      })),
    );
}

/**
 * The marks to have timers for: every future one, and of those already passed only the latest per
 * milestone, once — so an incident opened (or a time corrected) late does not fire a burst of
 * stale reminders, but still says where it stands.
 */
export function marksToSchedule(
  marks: readonly TimerMark[],
  now: Date,
  alreadySent: (m: TimerMark) => boolean,
): TimerMark[] {
  const future = marks.filter((m) => m.fireAt > now);
  const latestPassed = new Map<Milestone, TimerMark>();
  for (const m of marks) {
    if (m.fireAt <= now && (latestPassed.get(m.milestone)?.percent ?? 0) < m.percent) latestPassed.set(m.milestone, m);
  }
  const passed = [...latestPassed.values()].filter((m) => !alreadySent(m));
  return [...passed, ...future];
}

// ---- restored_at ---------------------------------------------------------------------------

export const VALIDATION_STEPS: readonly StepId[] = RUNBOOK.filter((d) => d.validation).map((d) => d.id);

/** PRODUCT.md: restored when smoke tests, queue health and the auth check passed or were skipped. */
export function validationDone(steps: ReadonlyMap<StepId, StepRecord>): boolean {
  return VALIDATION_STEPS.every((id) => {
    const rec = steps.get(id);
    return rec !== undefined && isDone(rec.state);
  });
}

// ---- corrections ---------------------------------------------------------------------------

/** Why these times cannot all be true, or null when their order is possible. */
export function timeOrderProblem(
  t: Pick<Incident, 'impactStartedAt' | 'detectedAt' | 'decidedAt' | 'restoredAt'>,
  now: Date,
): string | null {
  const at = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  if (t.detectedAt.getTime() > now.getTime() + 60_000) return `detection (${at(t.detectedAt)}) cannot be in the future`;
  if (t.impactStartedAt && t.impactStartedAt > t.detectedAt) {
    return `detection (${at(t.detectedAt)}) cannot be before the first bad request (${at(t.impactStartedAt)}): a problem is detected after it starts`;
  }
  if (t.decidedAt && t.decidedAt < t.detectedAt) {
    return `the rollback was decided at ${at(t.decidedAt)}, before detection (${at(t.detectedAt)}): detection must be at or before the decision`;
  }
  if (t.restoredAt && t.restoredAt < t.detectedAt) {
    return `the app was restored at ${at(t.restoredAt)}, before detection (${at(t.detectedAt)}): detection must be at or before the restore`;
  }
  return null;
}

// ---- words ---------------------------------------------------------------------------------

const UNITS: Record<string, string> = { xDays: 'd', xHours: 'h', xMinutes: 'm', xSeconds: 's' };
const compact = { formatDistance: (token: string, count: number) => `${count}${UNITS[token] ?? ''}` };

/** "0s", "45s", "12m 30s", "1h 2m" — seconds dropped past an hour. */
export function formatDurationMs(ms: number): string {
  const abs = Math.round(Math.abs(ms) / 1000) * 1000;
  if (abs < 1000) return '0s';
  const units = abs >= 3_600_000 ? (['days', 'hours', 'minutes'] as const) : (['minutes', 'seconds'] as const);
  const text = formatDuration(intervalToDuration({ start: 0, end: abs }), {
    format: [...units],
    delimiter: ' ',
    locale: compact,
  });
  return `${ms < 0 ? '-' : ''}${text || '0s'}`;
}

export const MILESTONE_TITLES: Record<Milestone, string> = { decide: 'Rollback decision', restore: 'Service restored' };
