import { describe, expect, it } from 'vitest';
import { drillReport, type ReportEvent, renderDrillReport } from '../../src/domain/drill-report.ts';
import type { StepId } from '../../src/domain/steps.ts';

const T0 = new Date('2026-11-24T03:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const ev = (s: number, kind: ReportEvent['kind'], stepId: StepId | null = null): ReportEvent => ({
  kind,
  stepId,
  at: at(s),
});
const BUDGETS = { P1: { decide: 10 * 60_000, restore: 30 * 60_000 }, P2: { restore: 2 * 3_600_000 } };

const times = (over: Partial<Parameters<typeof drillReport>[0]['incident']> = {}) => ({
  severity: 'P1' as const,
  state: 'resolved' as const,
  createdAt: T0,
  impactStartedAt: at(-120),
  detectedAt: T0,
  decidedAt: at(60),
  restoredAt: at(300),
  resolvedAt: at(400),
  ...over,
});

describe('drillReport', () => {
  it('splits the time between humans, the bot and rollouts from the timeline', () => {
    const events = [
      ev(0, 'incident_started'),
      ev(0, 'step_queued', 'select_release'),
      ev(5, 'step_started', 'select_release'),
      ev(10, 'step_awaiting_approval', 'select_release'),
      // 10 → 60: the captain reads the proposal (humans).
      ev(60, 'target_approved', 'select_release'),
      ev(60, 'step_queued', 'revert_images'),
      ev(62, 'step_started', 'revert_images'),
      // 62 → 182: the rollout (rollouts).
      ev(182, 'step_succeeded', 'revert_images'),
      // 182 → 250: someone looks at Grafana (humans), then the validation steps run (bot) 250 → 300.
      ev(250, 'step_queued', 'smoke_tests'),
      ev(251, 'step_started', 'smoke_tests'),
      ev(300, 'step_succeeded', 'smoke_tests'),
      ev(400, 'incident_resolved'),
    ];
    const r = drillReport({ incident: times(), events, budgets: BUDGETS, forwardFixAt: null, now: at(1000) });
    expect(r.totalMs).toBe(400_000);
    expect(r.waiting).toEqual({ botMs: (10 + 2 + 50) * 1000, rolloutsMs: 120_000, humansMs: (50 + 68 + 100) * 1000 });
    expect(r.waiting.botMs + r.waiting.rolloutsMs + r.waiting.humansMs).toBe(r.totalMs);
    expect(r.durations).toMatchObject({ ttdMs: 120_000, decideMs: 60_000, ttrMs: 300_000 });
    expect(r.sla.map((s) => [s.milestone, s.verdict])).toEqual([
      ['decide', 'met'],
      ['restore', 'met'],
    ]);
    expect(r.verdict).toBe('passed');
    expect(renderDrillReport(r)).toContain(
      'waiting on humans 3m 38s (55%) · on the bot 1m 2s (16%) · on rollouts 2m (30%)',
    );
  });

  it('counts a rollout only while its step runs, even beside other work', () => {
    const events = [
      ev(0, 'step_queued', 'revert_images'),
      ev(1, 'step_queued', 'queue_health'),
      ev(2, 'step_started', 'revert_images'),
      ev(32, 'step_failed', 'revert_images'),
      ev(40, 'step_succeeded', 'queue_health'),
    ];
    const r = drillReport({
      incident: times({ state: 'open', resolvedAt: null, restoredAt: null, decidedAt: at(1) }),
      events,
      budgets: BUDGETS,
      forwardFixAt: null,
      now: at(100),
    });
    expect(r.waiting).toEqual({ botMs: 2000 + 8000, rolloutsMs: 30_000, humansMs: 60_000 });
    expect(r.verdict).toBe('pending');
    expect(r.finished).toBe(false);
  });

  it('fails the drill when an SLA is missed', () => {
    const r = drillReport({
      incident: times({ decidedAt: at(11 * 60) }),
      events: [ev(0, 'incident_started'), ev(400, 'incident_resolved')],
      budgets: BUDGETS,
      forwardFixAt: null,
      now: at(2000),
    });
    expect(r.sla.find((s) => s.milestone === 'decide')!.verdict).toBe('missed');
    expect(r.verdict).toBe('failed');
    expect(renderDrillReport(r)).toMatch(/^## Drill report — failed: an SLA was missed/);
    expect(renderDrillReport(r)).toContain('Rollback decision within 10m: **missed** (11m)');
  });
});
