import { describe, expect, it } from 'vitest';
import { CALLBACK_IDS, ROLLBACK_FIELDS as F, SKIP_FIELDS } from '../../src/adapters/slack/action-ids.ts';
import type { InputBlock, ModalView, SectionBlock } from '../../src/adapters/slack/block-kit.ts';
import { checkViewLimits } from '../../src/adapters/slack/block-limits.ts';
import { renderRollbackModal, withProposal } from '../../src/adapters/slack/rollback-modal.ts';
import { parseRollbackSubmission } from '../../src/adapters/slack/rollback-submission.ts';
import { parseSkipSubmission, renderSkipModal } from '../../src/adapters/slack/skip-modal.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { autopilotSettings } from '../../src/flows/autopilot.ts';
import { expectGolden } from '../support/golden.ts';
import { testConfig } from '../support/runbook-config.ts';

const NOW = new Date('2026-11-24T12:00:00Z');
const RULES = { tagPattern: '^v\\d+\\.\\d+\\.\\d+$', githubWebHost: 'github.com' };
const ENV = { name: 'production', kubeContext: 'prod-eu-1', namespace: 'valuecanvas' };
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function input(view: ModalView, id: string): InputBlock {
  const block = view.blocks.find((b) => b.type === 'input' && b.block_id === id);
  if (!block) throw new Error(`no input ${id}`);
  return block as InputBlock;
}

function proposalText(view: ModalView): string {
  const block = view.blocks.find((b) => b.type === 'section' && b.block_id === F.proposal) as SectionBlock | undefined;
  return block?.text?.text ?? '';
}

/** What Slack sends as view.state.values for a filled-in confirm modal. */
function values(over: Partial<Record<string, Record<string, unknown>>> = {}) {
  const base: Record<string, Record<string, unknown>> = {
    [F.badVersion]: { type: 'plain_text_input', value: 'v1.4.0' },
    [F.targetVersion]: { type: 'plain_text_input', value: null },
    [F.severity]: { type: 'static_select', selected_option: { value: 'P1' } },
    [F.trigger]: { type: 'radio_buttons', selected_option: { value: 'slo_breach' } },
    [F.issueUrl]: { type: 'url_text_input', value: null },
    [F.impactStartedAt]: { type: 'datetimepicker', selected_date_time: null },
    [F.detectedAt]: { type: 'datetimepicker', selected_date_time: seconds(NOW) },
  };
  for (const [id, v] of Object.entries({ ...base, ...over })) base[id] = v ?? {};
  return Object.fromEntries(Object.entries(base).map(([id, v]) => [id, { [id]: v }]));
}

describe('the /rollback confirm modal', () => {
  const settings = autopilotSettings(testConfig('autopilot: { resume_deploys: false }'));
  const view = renderRollbackModal({
    environment: ENV,
    now: NOW,
    autopilot: settings,
    badVersion: 'v1.4.0',
    severity: 'P2',
    issueUrl: 'https://github.com/o/r/issues/9',
    privateMetadata: '{"channel":"C0INCIDENT"}',
  });

  it('opens with what the command said, "computing…" for the target, and detection defaulting to now', () => {
    expect(view.callback_id).toBe(CALLBACK_IDS.rollbackModal);
    expect(view.private_metadata).toBe('{"channel":"C0INCIDENT"}');
    expect(input(view, F.badVersion).element).toMatchObject({ initial_value: 'v1.4.0' });
    expect(input(view, F.severity).element).toMatchObject({ initial_option: { value: 'P2' } });
    expect(input(view, F.issueUrl).element).toMatchObject({ initial_value: 'https://github.com/o/r/issues/9' });
    expect(input(view, F.detectedAt).element).toMatchObject({
      type: 'datetimepicker',
      initial_date_time: seconds(NOW),
    });
    expect(input(view, F.impactStartedAt).optional).toBe(true);
    expect(proposalText(view)).toContain('computing…');
    expect(checkViewLimits(view)).toEqual([]);
  });

  it('says what autopilot will start by itself, as rollback.yml sets it, with a box ticked to keep it on', () => {
    const text = JSON.stringify(view.blocks.filter((b) => b.type === 'section'));
    expect(text).toContain(
      "*Autopilot* starts by itself, as soon as each one's prerequisites hold: Pause deploys (at once), Revert container images " +
        '(on the captain’s target approval), Verify traffic cutover, Run smoke tests, Confirm queue health, Validate RLS/auth flows.',
    );
    expect(text).not.toContain('Resume deploys');
    expect(text).not.toContain('migration'); // no database: section, so the scope is not automatic
    expect(text).toContain('The captain’s *Approve* on resolve runs it.');
    expect(input(view, F.autopilot)).toMatchObject({
      optional: true,
      element: { type: 'checkboxes', initial_options: [{ value: 'on' }] },
    });
    const allOff = renderRollbackModal({
      environment: ENV,
      now: NOW,
      autopilot: testConfig('autopilot: false').autopilot,
    });
    expect(allOff.blocks.some((b) => 'block_id' in b && b.block_id === F.autopilot)).toBe(false);
  });

  it('offers the four runbook triggers and says which make the incident critical', () => {
    const trigger = input(view, F.trigger);
    expect(trigger.element.type === 'radio_buttons' && trigger.element.options.map((o) => o.value)).toEqual([
      'slo_breach',
      'security_exposure',
      'data_corruption',
      'failed_smoke_tests',
    ]);
    expect(trigger.hint?.text).toMatch(/Security exposure and data corruption mark the incident critical/);
  });

  it('shows the proposal, where it came from and any disagreement once the worker has it', () => {
    const updated = withProposal(view, {
      targetVersion: 'v1.3.2',
      source: 'known_good',
      disagreements: ["ReplicaSet history's previous revision runs v1.3.1"],
    });
    expect(proposalText(updated)).toBe(
      ":dart: *Proposed target:* `v1.3.2` from the known-good record\n:warning: ReplicaSet history's previous revision runs v1.3.1",
    );
    expect(updated.blocks).toHaveLength(view.blocks.length);
    expect(input(updated, F.badVersion)).toEqual(input(view, F.badVersion));
    expect(checkViewLimits(updated)).toEqual([]);
    expectGolden('rollback-modal-with-proposal', updated);
  });

  it('says plainly when no target could be proposed', () => {
    const updated = withProposal(view, {
      targetVersion: null,
      source: null,
      disagreements: [],
      problem: 'no healthy release recorded and no older tag',
    });
    expect(proposalText(updated)).toContain('*No target proposed*: no healthy release recorded and no older tag.');
  });
});

describe('parseRollbackSubmission', () => {
  it('returns a typed request; security exposure and data corruption make it critical', () => {
    const impact = new Date('2026-11-24T11:52:00Z');
    const result = parseRollbackSubmission(
      values({
        [F.trigger]: { selected_option: { value: 'data_corruption' } },
        [F.targetVersion]: { value: ' v1.3.2 ' },
        [F.issueUrl]: { value: 'https://github.com/o/r/issues/9' },
        [F.impactStartedAt]: { selected_date_time: seconds(impact) },
      }),
      { now: NOW, ...RULES },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        badVersion: 'v1.4.0',
        targetVersion: 'v1.3.2',
        severity: 'P1',
        trigger: 'data_corruption',
        critical: true,
        issueUrl: 'https://github.com/o/r/issues/9',
        impactStartedAt: impact,
        detectedAt: NOW,
        autopilot: true,
        drill: false,
      },
    });
    const plain = parseRollbackSubmission(values(), { now: NOW, ...RULES });
    expect(plain.ok && plain.value.critical).toBe(false);
    // The autopilot box: ticked by default; unticked arrives as an empty list and turns it off.
    const unticked = parseRollbackSubmission(values({ [F.autopilot]: { type: 'checkboxes', selected_options: [] } }), {
      now: NOW,
      ...RULES,
    });
    expect(unticked.ok && unticked.value.autopilot).toBe(false);
    const ticked = parseRollbackSubmission(
      values({ [F.autopilot]: { type: 'checkboxes', selected_options: [{ value: 'on' }] } }),
      { now: NOW, ...RULES },
    );
    // The drill box (issue 9 §4): unticked by default, ticked marks the incident a drill.
    const drill = parseRollbackSubmission(
      values({ [F.drill]: { type: 'checkboxes', selected_options: [{ value: 'drill' }] } }),
      { now: NOW, ...RULES },
    );
    expect(drill.ok && drill.value.drill).toBe(true);
    expect(ticked.ok && ticked.value.autopilot).toBe(true);
    expect(plain.ok && plain.value.targetVersion).toBeNull();
  });

  it.each([
    ['an empty bad release', { [F.badVersion]: { value: '  ' } }, F.badVersion, 'Name the bad release'],
    [
      'a bad release that is not a version',
      { [F.badVersion]: { value: 'yesterday' } },
      F.badVersion,
      'is not a version',
    ],
    ['a newer target', { [F.targetVersion]: { value: 'v1.5.0' } }, F.targetVersion, 'is newer than'],
    ['no trigger', { [F.trigger]: { selected_option: null } }, F.trigger, 'Pick what triggered'],
    ['an unknown trigger', { [F.trigger]: { selected_option: { value: 'vibes' } } }, F.trigger, 'Pick what triggered'],
    ['an unknown severity', { [F.severity]: { selected_option: { value: 'P0' } } }, F.severity, 'Pick P1 or P2'],
    ['a link that is not http', { [F.issueUrl]: { value: 'javascript:alert(1)' } }, F.issueUrl, 'https://'],
    [
      'an http link',
      { [F.issueUrl]: { value: 'http://169.254.169.254/latest' } },
      F.issueUrl,
      'only https://github.com/… links are accepted',
    ],
    [
      'a link to another host',
      { [F.issueUrl]: { value: 'https://evil.example/o/r/issues/1' } },
      F.issueUrl,
      'not a link to an issue on github.com',
    ],
    [
      'a prerelease',
      { [F.badVersion]: { value: 'v1.4.0-rc.1' } },
      F.badVersion,
      '(a prerelease) is not a release tag here',
    ],
    [
      'no detection time',
      { [F.detectedAt]: { selected_date_time: null } },
      F.detectedAt,
      'When was the problem detected',
    ],
    [
      'a detection time in the future',
      { [F.detectedAt]: { selected_date_time: seconds(NOW) + 3600 } },
      F.detectedAt,
      'can’t be in the future',
    ],
    [
      'a first bad request after detection',
      {
        [F.impactStartedAt]: { selected_date_time: seconds(NOW) - 60 },
        [F.detectedAt]: { selected_date_time: seconds(NOW) - 120 },
      },
      F.impactStartedAt,
      'must be before the detection time',
    ],
    ['a malformed field', { [F.severity]: { selected_option: 'P1' } }, F.severity, 'Pick P1 or P2'],
  ])('puts an error under the field for %s', (_name, over, field, message) => {
    const result = parseRollbackSubmission(values(over), { now: NOW, ...RULES });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.response.response_action).toBe('errors');
    expect(Object.keys(result.response.errors)).toEqual([field]);
    expect(result.response.errors[field]).toContain(message);
  });

  it('reports every problem at once, and survives a state with nothing in it', () => {
    const result = parseRollbackSubmission(undefined, { now: NOW, ...RULES });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.response.errors).sort()).toEqual(
      [F.badVersion, F.detectedAt, F.severity, F.trigger].sort(),
    );
  });
});

describe('the skip-reason modal', () => {
  const button = { incidentId: 'inc_7f3a', stepId: 'smoke_tests' as const, version: 7 };

  it('names the step, asks for a reason and carries the pressed button', () => {
    const view = renderSkipModal(button);
    expect(view.callback_id).toBe(CALLBACK_IDS.skipModal);
    expect(JSON.stringify(view.blocks[0])).toContain('Skip *Run smoke tests*?');
    expect(JSON.stringify(view.blocks)).toContain('still lets the incident count as restored');
    expect(checkViewLimits(view)).toEqual([]);
    const parsed = parseSkipSubmission({
      private_metadata: view.private_metadata,
      state: {
        values: { [SKIP_FIELDS.reason]: { [SKIP_FIELDS.reason]: { value: '  smoke env is down; checked by hand  ' } } },
      },
    });
    expect(parsed).toEqual({ ok: true, value: { ...button, reason: 'smoke env is down; checked by hand' } });
  });

  it('does not mention restore for a step that is not a validation step', () => {
    expect(JSON.stringify(renderSkipModal({ ...button, stepId: 'pause_deploys' }).blocks)).not.toContain('restored');
  });

  it('asks again for a reason that is too short', () => {
    const view = renderSkipModal(button);
    const parsed = parseSkipSubmission({
      private_metadata: view.private_metadata,
      state: { values: { [SKIP_FIELDS.reason]: { [SKIP_FIELDS.reason]: { value: 'meh' } } } },
    });
    expect(parsed).toEqual({
      ok: false,
      response: {
        response_action: 'errors',
        errors: { [SKIP_FIELDS.reason]: expect.stringContaining('at least 10 characters') },
      },
    });
  });

  it('refuses a submission whose metadata was not rendered by us', () => {
    expect(() => parseSkipSubmission({ private_metadata: '{"incidentId":"x"}', state: { values: {} } })).toThrow(
      UserFacingError,
    );
  });
});
