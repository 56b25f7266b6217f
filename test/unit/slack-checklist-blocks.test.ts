import { describe, expect, it } from 'vitest';
import { parseButtonValue, STEP_ACTION_IDS } from '../../src/adapters/slack/action-ids.ts';
import type { ActionsBlock, KnownBlock, SectionBlock } from '../../src/adapters/slack/block-kit.ts';
import { checkBlockLimits } from '../../src/adapters/slack/block-limits.ts';
import { type ChecklistView, renderChecklist, renderChecklistText } from '../../src/adapters/slack/checklist-blocks.ts';
import type { AutopilotStatus } from '../../src/domain/autopilot.ts';
import { RUNBOOK } from '../../src/domain/steps.ts';
import { expectGolden } from '../support/golden.ts';
import {
  at,
  awaitingTwoPersonApproval,
  freshP1,
  makeIncident,
  makeSteps,
  midRolloutWithFailure,
  resolved,
  SRE,
} from '../support/slack-fixtures.ts';

const SCENARIOS: Record<string, () => ChecklistView> = {
  'checklist-fresh-p1': freshP1,
  'checklist-mid-rollout-failure': midRolloutWithFailure,
  'checklist-awaiting-two-person-approval': awaitingTwoPersonApproval,
  'checklist-resolved': resolved,
};

function stepSection(blocks: KnownBlock[], stepId: string): string {
  const block = blocks.find((b) => b.type === 'section' && b.block_id === `step:${stepId}`) as SectionBlock | undefined;
  return block?.text?.text ?? '';
}

function buttons(
  blocks: KnownBlock[],
  stepId: string,
): { label: string; actionId: string; style?: string; value?: string }[] {
  const block = blocks.find((b) => b.type === 'actions' && b.block_id === `step_actions:${stepId}`) as
    | ActionsBlock
    | undefined;
  return (block?.elements ?? []).map((e) => {
    if (e.type !== 'button') throw new Error(`unexpected ${e.type}`);
    return {
      label: e.text.text,
      actionId: e.action_id ?? '',
      ...(e.style ? { style: e.style } : {}),
      ...(e.value ? { value: e.value } : {}),
    };
  });
}

describe('renderChecklist', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`renders ${name} as in its golden file, within Slack's limits`, () => {
      const blocks = renderChecklist(scenario());
      expect(checkBlockLimits(blocks)).toEqual([]);
      expectGolden(name, blocks);
    });
  }

  it('renders the store snapshot’s step map the same as a list', () => {
    const view = midRolloutWithFailure();
    const asMap = new Map(view.steps.map((s) => [s.stepId, s]));
    expect(renderChecklist({ ...view, steps: asMap })).toEqual(renderChecklist(view));
  });

  it('shows the buttons each step allows now, with values that parse back to the step and its version', () => {
    expect(buttons(renderChecklist(midRolloutWithFailure()), 'revert_images').map((b) => b.label)).toEqual([
      'Retry',
      'Skip…',
    ]);
    const view = awaitingTwoPersonApproval();
    const blocks = renderChecklist(view);
    expect(buttons(blocks, 'migration_revert').map((b) => b.label)).toEqual(['Approve', 'Retry', 'Skip…']);
    const approve = buttons(blocks, 'migration_revert').find((b) => b.label === 'Approve');
    expect(approve).toMatchObject({ actionId: STEP_ACTION_IDS.approve, style: 'primary' });
    const record = view.steps.find((s) => s.stepId === 'migration_revert');
    expect(parseButtonValue(approve?.value)).toEqual({
      incidentId: view.incident.id,
      stepId: 'migration_revert',
      version: record?.version,
    });
    expect(buttons(blocks, 'announce')).toEqual([]);
  });

  it('styles Run and Approve as primary and Abort as danger, with a confirmation before aborting', () => {
    const blocks = renderChecklist(awaitingTwoPersonApproval());
    expect(buttons(blocks, 'auth_check')[0]).toMatchObject({ label: 'Run', style: 'primary' });
    expect(buttons(blocks, 'smoke_tests')).toEqual([expect.objectContaining({ label: 'Abort', style: 'danger' })]);
    const actions = blocks.find(
      (b) => b.type === 'actions' && b.block_id === 'step_actions:smoke_tests',
    ) as ActionsBlock;
    const abort = actions.elements[0];
    expect(abort?.type === 'button' && abort.confirm?.confirm?.text).toBe('Abort');
  });

  it('says which approvals are still missing, who approved, and shows the plan being approved', () => {
    const text = stepSection(renderChecklist(awaitingTwoPersonApproval()), 'migration_revert');
    expect(text).toContain('planned by <@U0DBOWNER1>');
    expect(text).toContain('approved by <@U0CAPTAIN1> (captain)');
    expect(text).toContain('*needs approval: database owner*');
    expect(text).toContain('> Plan: apply 20261120_add_orgs.down.sql in one transaction. It drops column orgs.plan');
    expect(stepSection(renderChecklist(freshP1()), 'migration_revert')).toContain(
      'Run shows the plan, then it needs approval: captain + database owner',
    );
  });

  it('shows the backup steps as not offered, on one line and without buttons, unless the incident is critical', () => {
    const plain = renderChecklist(freshP1());
    expect(stepSection(plain, 'backup_restore')).toBe(
      ':heavy_minus_sign: *Restore from backup*, *Promote the restored database*, *Abandon the restored database* — not offered\n_only for critical incidents (security exposure or data corruption)_',
    );
    for (const step of ['backup_restore', 'backup_promote', 'backup_abandon']) expect(buttons(plain, step)).toEqual([]);
    const critical = renderChecklist(midRolloutWithFailure());
    expect(stepSection(critical, 'backup_restore')).not.toContain('not offered');
    expect(buttons(critical, 'backup_restore').map((b) => b.label)).toEqual(['Run', 'Skip…']);
    expect(stepSection(critical, 'backup_promote')).toContain('waits for _Restore from backup_');
  });

  it('renders resolved and aborted incidents with no step buttons, only Export, and a closing line', () => {
    const onlyExport = (blocks: ReturnType<typeof renderChecklist>) =>
      blocks
        .filter((b) => b.type === 'actions')
        .map((b) => (b as ActionsBlock).elements.map((e) => (e as { action_id?: string }).action_id));
    const resolvedBlocks = renderChecklist(resolved());
    expect(onlyExport(resolvedBlocks)).toEqual([['incident_export']]);
    expect(JSON.stringify(resolvedBlocks.at(-1))).toContain('Resolved at 12:41:00 UTC');

    const view = freshP1();
    const aborted = renderChecklist({ ...view, incident: { ...view.incident, state: 'aborted' } });
    expect(onlyExport(aborted)).toEqual([['incident_export']]);
    expect(JSON.stringify(aborted[0])).toContain('Aborted');
    expect(JSON.stringify(aborted.at(-1))).toContain('Rollback aborted');
  });

  it('cuts a 10 000-character error instead of breaking the message, and keeps the step readable', () => {
    const incident = makeIncident();
    const huge = `kubectl said: ${'x'.repeat(10_000)}`;
    const steps = makeSteps(incident.id, {
      revert_images: { state: 'failed', startedAt: at(5), finishedAt: at(6), actor: SRE, error: huge },
      smoke_tests: { state: 'succeeded', summary: 'y'.repeat(10_000) },
    });
    const blocks = renderChecklist({ ...freshP1(), incident, steps });
    expect(checkBlockLimits(blocks)).toEqual([]);
    const text = stepSection(blocks, 'revert_images');
    expect(text).toMatch(/^:x: \*Revert container images\* — failed/);
    expect(text).toContain('Error: kubectl said: xxx');
    expect(text).toMatch(/…$/);
    expect(text.length).toBeLessThan(1000);
  });

  it('lists at most five people per role, so a big user group does not flood the header', () => {
    const many = Array.from({ length: 40 }, (_, i) => `U0MANY${String(i).padStart(4, '0')}`);
    const view = freshP1();
    const blocks = renderChecklist({ ...view, roles: { ...view.roles, oncall_sre: many } });
    expect(checkBlockLimits(blocks)).toEqual([]);
    expect(JSON.stringify(blocks[2])).toContain('+35 more');
  });

  it('escapes text from tools and people so an error cannot ping @channel or fake a link', () => {
    const incident = makeIncident();
    const steps = makeSteps(incident.id, {
      pause_deploys: { state: 'failed', error: '<!channel> see <https://evil.example|GitHub>' },
    });
    const text = stepSection(renderChecklist({ ...freshP1(), incident, steps }), 'pause_deploys');
    expect(text).toContain('&lt;!channel&gt; see &lt;https://evil.example|GitHub&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('counts the SLA down while open and says how far overdue it is', () => {
    const view = freshP1();
    expect(JSON.stringify(renderChecklist(view)[2])).toContain('Decision due 12:10:00 — *9m 30s left*');
    const late = JSON.stringify(renderChecklist({ ...view, now: at(12, 15) })[2]);
    expect(late).toContain('Decision *overdue by 2m 15s*');
    expect(late).toContain('Restore due 12:30:00 — *17m 45s left*');
    const p2 = JSON.stringify(renderChecklist(awaitingTwoPersonApproval())[2]);
    expect(p2).not.toContain('Decision');
    expect(p2).toContain('Restore due 14:00:00');
  });
});

describe('every state stays within Slack limits', () => {
  const STATES = [
    'pending',
    'queued',
    'running',
    'awaiting_approval',
    'awaiting_confirmation',
    'succeeded',
    'failed',
    'skipped',
    'aborted',
  ] as const;
  const long = 'Z'.repeat(5000);

  for (const incidentState of ['open', 'resolved', 'aborted'] as const) {
    for (const critical of [false, true]) {
      it(`renders every step in every state (${incidentState}, ${critical ? 'critical' : 'not critical'})`, () => {
        for (const state of STATES) {
          const incident = makeIncident({
            state: incidentState,
            critical,
            trigger: critical ? 'data_corruption' : 'slo_breach',
          });
          const patch = {
            state,
            attempt: 3,
            actor: SRE,
            startedAt: at(1),
            finishedAt: at(2),
            summary: long,
            error: long,
          };
          const steps = makeSteps(incident.id, Object.fromEntries(RUNBOOK.map((d) => [d.id, patch])));
          const blocks = renderChecklist({ ...freshP1(), incident, steps });
          expect(checkBlockLimits(blocks), `all steps ${state}`).toEqual([]);
          if (incidentState !== 'open')
            expect(blocks.some((b) => b.type === 'actions' && b.block_id !== 'incident_actions')).toBe(false);
        }
      });
    }
  }
});

describe('renderChecklistText', () => {
  it('summarises progress for notifications', () => {
    expect(renderChecklistText(midRolloutWithFailure())).toBe(
      'P1 rollback v1.4.0 → v1.3.2 (production): 5 of 16 steps done; failed: Revert container images',
    );
    expect(renderChecklistText(freshP1())).toBe(
      'P1 rollback of v1.4.0 · target not chosen yet (production): 0 of 13 steps done; running: Announce the rollback',
    );
    expect(renderChecklistText(resolved())).toBe('Resolved · P1 rollback v1.4.0 → v1.3.2 (production)');
  });
});

describe('the autopilot line in the header', () => {
  const line = (autopilot: AutopilotStatus) => JSON.stringify(renderChecklist({ ...freshP1(), autopilot }));
  it('says what autopilot starts next and what it waits for, where it stopped, or that it is off', () => {
    expect(
      line({ state: 'on', next: { stepId: 'revert_images', waitsFor: 'the captain to approve the target' } }),
    ).toContain(
      ':robot_face: Autopilot next: *Revert container images*, waiting for the captain to approve the target.',
    );
    expect(line({ state: 'halted', stepId: 'verify_cutover' })).toContain(
      ':robot_face: Autopilot stopped at *Verify traffic cutover*: *Retry* it once the cause is fixed (autopilot resumes from there), or *Skip…* it with a reason.',
    );
    expect(line({ state: 'off' })).toContain(
      ':robot_face: Autopilot is off for this incident: every step waits for its *Run* button.',
    );
    expect(JSON.stringify(renderChecklist({ ...resolved(), autopilot: { state: 'off' } }))).not.toContain('Autopilot');
  });
});
