/** PRODUCT.md "Times and metrics" as pure functions: durations, SLA verdicts, timer marks, impossible orders. */
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/domain/incident.ts';
import { RUNBOOK, type StepId } from '../../src/domain/steps.ts';
import {
  durationsOf,
  formatDurationMs,
  type IncidentTimes,
  marksToSchedule,
  slaVerdicts,
  timeOrderProblem,
  timerMarks,
  validationDone,
} from '../../src/domain/times.ts';
import { milestonesOnCommit } from '../../src/flows/milestones.ts';
import { isDraining } from '../../src/flows/steps/queue_health/index.ts';
import { testIncident, testStep } from '../support/step-context.ts';

const BUDGETS = { P1: { decide: 10 * 60_000, restore: 30 * 60_000 }, P2: { restore: 2 * 3600_000 } };
const T0 = new Date('2026-11-24T03:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function times(overrides: Partial<IncidentTimes> = {}): IncidentTimes {
  return {
    severity: 'P1',
    state: 'open',
    impactStartedAt: null,
    detectedAt: T0,
    decidedAt: null,
    restoredAt: null,
    resolvedAt: null,
    ...overrides,
  };
}

function steps(
  states: Partial<Record<StepId, StepRecord['state']>>,
  output: Partial<Record<StepId, Record<string, unknown>>> = {},
): Map<StepId, StepRecord> {
  return new Map(
    RUNBOOK.map((d) => [d.id, testStep(d.id, { state: states[d.id] ?? 'pending', output: output[d.id] ?? {} })]),
  );
}

describe('durations', () => {
  it('computes TTD, time to decide, TTR and impact from the five timestamps', () => {
    expect(durationsOf(times({ impactStartedAt: at(-4), decidedAt: at(3), restoredAt: at(21) }))).toEqual({
      ttdMs: 4 * 60_000,
      decideMs: 3 * 60_000,
      ttrMs: 21 * 60_000,
      impactMs: 25 * 60_000,
    });
  });

  it('leaves TTD and impact unknown when the first bad request was never entered', () => {
    expect(durationsOf(times({ restoredAt: at(21) }))).toEqual({
      ttdMs: null,
      decideMs: null,
      ttrMs: 21 * 60_000,
      impactMs: null,
    });
  });

  it('formats durations compactly', () => {
    expect([
      formatDurationMs(0),
      formatDurationMs(45_000),
      formatDurationMs(750_000),
      formatDurationMs(3_725_000),
    ]).toEqual(['0s', '45s', '12m 30s', '1h 2m']);
  });
});

describe('SLA verdicts', () => {
  it('P1: decision within 10 minutes and restore within 30, measured from detection', () => {
    const v = slaVerdicts(
      times({ decidedAt: at(9), restoredAt: at(31), resolvedAt: at(40), state: 'resolved' }),
      BUDGETS,
      null,
      at(40),
    );
    expect(v.map((s) => [s.milestone, s.verdict, s.tookMs / 60_000])).toEqual([
      ['decide', 'met', 9],
      ['restore', 'missed', 31],
    ]);
    expect(v[1]!.dueAt).toEqual(at(30));
  });

  it('an open milestone is pending until its deadline passes, then missed', () => {
    expect(slaVerdicts(times(), BUDGETS, null, at(5)).map((s) => s.verdict)).toEqual(['pending', 'pending']);
    expect(slaVerdicts(times(), BUDGETS, null, at(11)).map((s) => s.verdict)).toEqual(['missed', 'pending']);
  });

  it('P2: only a restore budget of 2 hours, met by restore or by an approved forward-fix plan, whichever came first', () => {
    const p2 = times({ severity: 'P2', restoredAt: at(150), state: 'resolved', resolvedAt: at(160) });
    expect(slaVerdicts(p2, BUDGETS, null, at(160)).map((s) => [s.milestone, s.verdict])).toEqual([
      ['restore', 'missed'],
    ]);
    const fixed = slaVerdicts(p2, BUDGETS, at(90), at(160))[0]!;
    expect([fixed.verdict, fixed.metAt]).toEqual(['met', at(90)]);
  });
});

describe('timer marks', () => {
  it('reminds at 50% and 80% of each budget and notices the breach at 100%', () => {
    const marks = timerMarks(times(), BUDGETS, null);
    expect(
      marks.map((m) => `${m.milestone} ${m.percent}% at +${(m.fireAt.getTime() - T0.getTime()) / 60_000}m`),
    ).toEqual([
      'decide 50% at +5m',
      'decide 80% at +8m',
      'decide 100% at +10m',
      'restore 50% at +15m',
      'restore 80% at +24m',
      'restore 100% at +30m',
    ]);
  });

  it('drops a milestone once met, and everything once the incident is closed', () => {
    expect(timerMarks(times({ decidedAt: at(4) }), BUDGETS, null).map((m) => m.milestone)).toEqual([
      'restore',
      'restore',
      'restore',
    ]);
    expect(timerMarks(times({ severity: 'P2' }), BUDGETS, at(30))).toEqual([]);
    expect(timerMarks(times({ state: 'aborted' }), BUDGETS, null)).toEqual([]);
  });

  it('schedules only the latest passed mark per milestone, once, so a late start does not send a burst', () => {
    const marks = timerMarks(times(), BUDGETS, null);
    const late = marksToSchedule(marks, at(9), () => false);
    expect(late.map((m) => `${m.milestone} ${m.percent}`)).toEqual([
      'decide 80',
      'decide 100',
      'restore 50',
      'restore 80',
      'restore 100',
    ]);
    const alreadySent = marksToSchedule(marks, at(9), (m) => m.milestone === 'decide' && m.percent === 80);
    expect(alreadySent.map((m) => `${m.milestone} ${m.percent}`)).toEqual([
      'decide 100',
      'restore 50',
      'restore 80',
      'restore 100',
    ]);
  });
});

describe('impossible orders', () => {
  const ok = { impactStartedAt: at(-5), detectedAt: T0, decidedAt: at(3), restoredAt: at(20) };
  it('accepts a possible order', () => expect(timeOrderProblem(ok, at(30))).toBeNull());
  it('refuses detection before the first bad request', () => {
    expect(timeOrderProblem({ ...ok, impactStartedAt: at(1) }, at(30))).toMatch(
      /detection \(2026-11-24T03:00:00Z\) cannot be before the first bad request \(2026-11-24T03:01:00Z\)/,
    );
  });
  it('refuses a restore (or decision) before detection', () => {
    expect(timeOrderProblem({ ...ok, detectedAt: at(25), impactStartedAt: null, decidedAt: null }, at(30))).toMatch(
      /restored at 2026-11-24T03:20:00Z, before detection \(2026-11-24T03:25:00Z\)/,
    );
    expect(timeOrderProblem({ ...ok, detectedAt: at(4) }, at(30))).toMatch(
      /decided at 2026-11-24T03:03:00Z, before detection/,
    );
  });
  it('refuses a detection in the future', () =>
    expect(timeOrderProblem({ ...ok, detectedAt: at(40) }, at(30))).toMatch(/cannot be in the future/));
});

describe('restored_at', () => {
  it('is restored when smoke tests, queue health and the auth check all passed or were skipped', () => {
    expect(validationDone(steps({ smoke_tests: 'succeeded', queue_health: 'skipped', auth_check: 'succeeded' }))).toBe(
      true,
    );
    expect(validationDone(steps({ smoke_tests: 'succeeded', queue_health: 'failed', auth_check: 'succeeded' }))).toBe(
      false,
    );
  });

  it('sets restored_at in the commit of whichever validation step finishes last, and says which were skipped', () => {
    const snap = {
      incident: testIncident({ detectedAt: T0 }),
      steps: steps({ smoke_tests: 'succeeded', queue_health: 'skipped' }),
      approvals: [],
    };
    const last = testStep('auth_check', { state: 'succeeded' });
    const change = milestonesOnCommit(snap, [last], at(20));
    expect(change.incident).toEqual({ restoredAt: at(20) });
    expect(change.events[0]).toMatchObject({
      kind: 'app_restored',
      payload: { restoredAt: at(20).toISOString(), ttrMs: 20 * 60_000, skipped: [{ stepId: 'queue_health' }] },
    });
    expect(milestonesOnCommit(snap, [testStep('auth_check', { state: 'failed' })], at(20))).toEqual({
      incident: {},
      events: [],
    });
    expect(
      milestonesOnCommit({ ...snap, incident: testIncident({ restoredAt: at(19) }) }, [last], at(20)).events,
    ).toEqual([]);
  });
});

describe('queue draining', () => {
  const s = (...depths: number[]) => depths.map((depth, i) => ({ at: at(i).toISOString(), depth }));
  it('drains when no sample rises above the first and the last is lower', () => {
    expect(isDraining(s(5000, 4200, 4300, 3100))).toBe(true);
    expect(isDraining(s(5000, 5200, 3000))).toBe(false);
    expect(isDraining(s(5000, 5000))).toBe(false);
    expect(isDraining(s(5000))).toBe(false);
  });
});
