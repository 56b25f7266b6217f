/**
 * Step outputs and approved plans are read through the writing step's schema: a record that does
 * not parse is refused with the step's name and what is wrong, never used half-read.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/domain/errors.ts';
import { readOutput, readPlan } from '../../../../src/flows/steps/_shared/step-output.ts';
import { promotePlanSchema } from '../../../../src/flows/steps/backup_promote/plan.ts';
import { plannedRevertSchema } from '../../../../src/flows/steps/migration_revert/plan.ts';
import { pauseDeploysOutputSchema } from '../../../../src/flows/steps/pause_deploys/output.ts';

const PROMOTE = {
  database: 'rc_restore_1a2b3c_rb_1',
  location: 'restore-db:5432/rc_restore_1a2b3c_rb_1',
  backup: { name: 'prod-20261124T020000Z.dump', takenAt: '2026-11-24T02:00:00.000Z', sizeBytes: 1024 },
  secret: 'app-db',
  key: 'DATABASE_URL',
  previousKey: 'DATABASE_URL.previous',
  deployments: ['api'],
};

describe('readPlan', () => {
  it('gives back a plan in the shape its step plans', () => {
    expect(readPlan('backup_promote', promotePlanSchema, PROMOTE)).toEqual(PROMOTE);
  });

  it('refuses a malformed plan with a message that names the step and the fields', () => {
    const { secret: _, ...noSecret } = PROMOTE;
    const read = () => readPlan('backup_promote', promotePlanSchema, { ...noSecret, deployments: 'api' });
    expect(read).toThrow(AppError);
    expect(read).toThrow(
      /^the backup_promote step's plan is not in the shape its schema says \(secret: .+; deployments: .+\)$/,
    );
  });

  it('refuses a missing plan, and a migration revert whose kind it does not know', () => {
    expect(() => readPlan('backup_promote', promotePlanSchema, undefined)).toThrow(
      /^the backup_promote step's plan is not in the shape its schema says \(\(plan\): /,
    );
    expect(() => readPlan('migration_revert', plannedRevertSchema, { kind: 'rollback' })).toThrow(
      /^the migration_revert step's plan is not in the shape its schema says \(kind: /,
    );
  });
});

describe('readOutput', () => {
  it('reads an empty output as a step that recorded nothing yet', () => {
    expect(readOutput('pause_deploys', pauseDeploysOutputSchema, undefined)).toEqual({});
  });

  it('refuses a checkpoint that is not in the shape the step writes, naming the step', () => {
    const record = { workflows: [{ workflow: 'deploy.yml' }], runs: [], pullRequests: [] };
    expect(() => readOutput('pause_deploys', pauseDeploysOutputSchema, { record })).toThrow(
      /^the pause_deploys step's output is not in the shape its schema says \(record\.workflows\.0\.priorState: /,
    );
  });
});
