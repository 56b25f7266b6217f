/**
 * migration_revert's SLA rule (PRODUCT.md "Times and metrics"): an approved forward-fix plan meets
 * a P2's restore milestone; domain/times.ts gets the time it gives as `forwardFixAt`.
 */
import { describe, expect, it } from 'vitest';
import type { Approval, StepRecord } from '../../../../src/domain/incident.ts';
import { RUNBOOK, type StepId, stepDefinition } from '../../../../src/domain/steps.ts';
import { forwardFixApprovedAt } from '../../../../src/flows/steps/migration_revert/forward-fix.ts';
import { testStep } from '../../../support/step-context.ts';

const T0 = new Date('2026-11-24T03:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function steps(
  states: Partial<Record<StepId, StepRecord['state']>>,
  output: Partial<Record<StepId, Record<string, unknown>>> = {},
  attempt = 1,
): Map<StepId, StepRecord> {
  return new Map(
    RUNBOOK.map((d) => [
      d.id,
      testStep(d.id, { state: states[d.id] ?? 'pending', output: output[d.id] ?? {}, attempt }),
    ]),
  );
}

const a = (role: Approval['role'], userId: string, minute: number, attempt = 1): Approval => ({
  incidentId: 'rb-1',
  stepId: 'migration_revert',
  attempt,
  role,
  userId,
  at: at(minute),
});

describe('forward-fix approval (migration_revert)', () => {
  it('counts a forward-fix plan as approved once both approvals of its attempt are in', () => {
    const s = steps({ migration_revert: 'queued' }, { migration_revert: { plan: { kind: 'forward_fix' } } });
    expect(forwardFixApprovedAt(s, [a('release_captain', 'UCAPTAIN1', 40)])).toBeNull();
    expect(
      forwardFixApprovedAt(s, [a('release_captain', 'UCAPTAIN1', 40), a('database_owner', 'UDBOWNER1', 45)]),
    ).toEqual(at(45));
    const revert = steps({ migration_revert: 'queued' }, { migration_revert: { plan: { kind: 'down_file' } } });
    expect(
      forwardFixApprovedAt(revert, [a('release_captain', 'UCAPTAIN1', 40), a('database_owner', 'UDBOWNER1', 45)]),
    ).toBeNull();
  });

  it("does not count the approvals of an earlier attempt's plan, nor a step that has not planned yet", () => {
    const retried = steps(
      { migration_revert: 'awaiting_approval' },
      { migration_revert: { plan: { kind: 'forward_fix' } } },
      2,
    );
    const earlier = [a('release_captain', 'UCAPTAIN1', 40, 1), a('database_owner', 'UDBOWNER1', 45, 1)];
    expect(forwardFixApprovedAt(retried, earlier)).toBeNull();
    expect(
      forwardFixApprovedAt(retried, [
        ...earlier,
        a('release_captain', 'UCAPTAIN1', 50, 2),
        a('database_owner', 'UDBOWNER1', 52, 2),
      ]),
    ).toEqual(at(52));
    expect(forwardFixApprovedAt(steps({}), earlier)).toBeNull();
  });

  it('counts no plan, or a plan of another kind, as no forward-fix', () => {
    const both = [a('release_captain', 'UCAPTAIN1', 40), a('database_owner', 'UDBOWNER1', 45)];
    for (const plan of [undefined, null, 'forward_fix', {}, { kind: 'command' }, { sql: 'drop table orgs;' }]) {
      expect(
        forwardFixApprovedAt(steps({ migration_revert: 'queued' }, { migration_revert: { plan } }), both),
      ).toBeNull();
    }
  });

  it('is the step the SLA timers resync after (its events may meet a milestone)', () => {
    expect(RUNBOOK.filter((d) => d.mayMeetSlaMilestone).map((d) => d.id)).toEqual(['migration_revert']);
    expect(stepDefinition('migration_revert').mayMeetSlaMilestone).toBe(true);
  });
});
