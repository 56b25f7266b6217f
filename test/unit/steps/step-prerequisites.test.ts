/**
 * Each step's own prerequisite (StepDefinition.blockedBy in src/domain/steps.ts), as
 * unmetPrerequisite reports it to the checklist, the CLI and a refused click.
 */
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../../src/domain/incident.ts';
import { unmetPrerequisite } from '../../../src/domain/step-actions.ts';
import { RUNBOOK, type StepId, stepDefinition } from '../../../src/domain/steps.ts';
import { testStep } from '../../support/step-context.ts';

function situation(stepId: StepId, options: { targetVersion?: string | null; steps?: StepRecord[] } = {}) {
  const steps = new Map(RUNBOOK.map((d) => [d.id, testStep(d.id, { state: 'succeeded' })]));
  for (const s of options.steps ?? []) steps.set(s.stepId, s);
  steps.set(stepId, testStep(stepId, { state: 'pending' }));
  return {
    def: stepDefinition(stepId),
    record: steps.get(stepId)!,
    incident: {
      state: 'open' as const,
      critical: true,
      targetVersion: options.targetVersion === undefined ? 'v1.2.2' : options.targetVersion,
    },
    steps,
    approvals: [],
  };
}

describe("a step's own prerequisite", () => {
  it('revert_images waits for an approved target', () => {
    expect(unmetPrerequisite(situation('revert_images', { targetVersion: null }))).toBe(
      'no target release has been approved yet: approve `select_release` first',
    );
    expect(unmetPrerequisite(situation('revert_images'))).toBeNull();
  });

  it('migration_revert has nothing to do when the scope found nothing to revert', () => {
    const nothing = testStep('migration_scope', { state: 'succeeded', output: { rollbackNeeded: false } });
    const some = testStep('migration_scope', { state: 'succeeded', output: { rollbackNeeded: true } });
    expect(unmetPrerequisite(situation('migration_revert', { steps: [nothing] }))).toBe(
      'the migration scope found nothing to revert',
    );
    expect(unmetPrerequisite(situation('migration_revert', { steps: [some] }))).toBeNull();
  });

  it('promote and abandon exclude each other once one succeeded', () => {
    const open = [testStep('backup_promote', { state: 'pending' }), testStep('backup_abandon', { state: 'pending' })];
    expect(unmetPrerequisite(situation('backup_promote', { steps: open }))).toBeNull();
    expect(
      unmetPrerequisite(situation('backup_promote', { steps: [testStep('backup_abandon', { state: 'succeeded' })] })),
    ).toBe('the restored database was abandoned');
    expect(
      unmetPrerequisite(situation('backup_abandon', { steps: [testStep('backup_promote', { state: 'succeeded' })] })),
    ).toBe('the restored database was promoted: it is production now');
  });

  it('needs and criticalOnly still come first', () => {
    const s = situation('revert_images', {
      targetVersion: null,
      steps: [testStep('select_release', { state: 'awaiting_approval' })],
    });
    expect(unmetPrerequisite(s)).toBe('needs `select_release` to finish first (it is awaiting approval)');
  });
});
