/** Who still owes an approval, and when: the rule both renderers (Slack and the CLI) show. */
import { describe, expect, it } from 'vitest';
import type { Approval } from '../../src/domain/incident.ts';
import { owedApprovals } from '../../src/domain/step-actions.ts';
import { stepDefinition } from '../../src/domain/steps.ts';
import { testStep } from '../support/step-context.ts';

const approval = (stepId: Approval['stepId'], role: Approval['role'], userId: string): Approval => ({
  incidentId: 'rb-1',
  stepId,
  attempt: 1,
  role,
  userId,
  at: new Date(),
});

describe('owedApprovals', () => {
  it('asks before a before_run step runs, and not once it ran', () => {
    const def = stepDefinition('resolve');
    expect(owedApprovals(def, testStep('resolve', { state: 'pending' }), [])).toEqual(['release_captain']);
    expect(owedApprovals(def, testStep('resolve', { state: 'running' }), [])).toEqual([]);
  });

  it('asks for a planned step only while its plan waits, one role per different person', () => {
    const def = stepDefinition('migration_revert');
    expect(owedApprovals(def, testStep('migration_revert', { state: 'pending' }), [])).toEqual([]);
    const waiting = testStep('migration_revert', { state: 'awaiting_approval' });
    expect(owedApprovals(def, waiting, [])).toEqual(['release_captain', 'database_owner']);
    expect(owedApprovals(def, waiting, [approval('migration_revert', 'release_captain', 'U1')])).toEqual([
      'database_owner',
    ]);
  });

  it('owes nothing for a step without an approval rule', () => {
    expect(owedApprovals(stepDefinition('pause_deploys'), testStep('pause_deploys', { state: 'pending' }), [])).toEqual(
      [],
    );
  });
});
