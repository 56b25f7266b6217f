/**
 * A whole P1 incident driven from Slack, from `/rollback` to resolve, on the fake cluster with the
 * engine on real Redis/Postgres: every step through a signed click (Skip through its modal), and
 * the resolve summary's figures checked against the timeline.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatDurationMs } from '../../src/adapters/slack/formatting.ts';
import type { Bot } from '../../src/app/bot.ts';
import type { FakeSlack } from '../support/fake-slack.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { type SlackBotHarness, startSlackBotHarness } from '../support/slack-bot-harness.ts';
import { findButton, latestChecklist, threadText } from '../support/slack-checklist.ts';
import { buttonClick, interaction, slashCommand } from '../support/slack-requests.ts';
import { until } from '../support/wait.ts';

let bot: Bot;
let slack: FakeSlack;

let harness: SlackBotHarness;

beforeAll(async () => {
  harness = await startSlackBotHarness({
    rolloutMs: 200,
    configOverrides: `
validation:
  smoke: { command: [node, -e, "console.log('smoke ok')"], timeout: 20s }
  queue_health: { threshold: 100, window: 1s, interval: 200ms }
`,
  });
  ({ bot, slack } = harness);
});

afterAll(() => harness?.close());

const send = (body: string) => harness.send(body);
const checklist = () => latestChecklist(slack, 'C0INCIDENTS');
const button = (actionId: string, stepId: string) => findButton(checklist(), actionId, stepId);
const thread = (channel: string) => threadText(slack, channel);

async function incidentId(): Promise<string> {
  const [incident] = await bot.container.deps.store.list({ limit: 1 });
  return incident!.id;
}

async function stepState(stepId: string): Promise<string> {
  return (await bot.container.deps.store.get(await incidentId())).steps.get(stepId as never)!.state;
}

/** Waits for the checklist to offer the button, clicks it as `user`, and waits for the step to reach `state`. */
async function click(user: string, actionId: string, stepId: string, state: string): Promise<void> {
  await until(`${actionId} on ${stepId}`, () => button(actionId, stepId) !== null);
  expect((await send(buttonClick(user, button(actionId, stepId)!))).status).toBe(200);
  await until(`${stepId} to be ${state}`, async () => (await stepState(stepId)) === state);
}

it('runs a P1 from /rollback to resolve through Slack, and the summary matches the timeline', async () => {
  const now = Math.floor(Date.now() / 1000);
  await send(slashCommand({ text: 'v1.2.3 sev P1', user: SRE }));
  await slack.waitFor('the modal', () => slack.of('views.open').length === 1);
  const submitted = await send(
    interaction({
      type: 'view_submission',
      user: { id: SRE },
      view: {
        id: 'V0MODAL01',
        callback_id: 'rollback_start',
        state: {
          values: {
            bad_version: { bad_version: { type: 'plain_text_input', value: 'v1.2.3' } },
            severity: { severity: { type: 'static_select', selected_option: { value: 'P1' } } },
            trigger: { trigger: { type: 'radio_buttons', selected_option: { value: 'failed_smoke_tests' } } },
            impact_started_at: { impact_started_at: { type: 'datetimepicker', selected_date_time: now - 420 } },
            detected_at: { detected_at: { type: 'datetimepicker', selected_date_time: now - 120 } },
          },
        },
      },
    }),
  );
  expect(submitted.status).toBe(200);
  await until('the proposal', async () => (await stepState('select_release')) === 'awaiting_approval');

  await click(CAPTAIN, 'step_approve', 'select_release', 'succeeded');
  // No GitHub here: the captain skips pausing deploys, with a reason, through the Skip modal.
  await until('a Skip button', () => button('step_skip', 'pause_deploys') !== null);
  await send(buttonClick(CAPTAIN, button('step_skip', 'pause_deploys')!));
  await slack.waitFor('the skip modal', () => slack.of('views.open').length === 2);
  const skipView = slack.of('views.open')[1]!.view as { private_metadata: string };
  await send(
    interaction({
      type: 'view_submission',
      user: { id: CAPTAIN },
      view: {
        id: 'V0SKIP01',
        callback_id: 'step_skip_reason',
        private_metadata: skipView.private_metadata,
        state: {
          values: {
            skip_reason: { skip_reason: { type: 'plain_text_input', value: 'deploys frozen by hand in GitHub' } },
          },
        },
      },
    }),
  );
  await until('pause_deploys skipped', async () => (await stepState('pause_deploys')) === 'skipped');

  await click(SRE, 'step_run', 'revert_images', 'succeeded');
  await click(SRE, 'step_run', 'verify_cutover', 'awaiting_confirmation');
  await click(SRE, 'step_confirm', 'verify_cutover', 'succeeded');
  await click(SRE, 'step_run', 'smoke_tests', 'succeeded');
  await click(SRE, 'step_run', 'queue_health', 'succeeded');
  await click(SRE, 'step_run', 'auth_check', 'awaiting_confirmation');
  await click(SRE, 'step_confirm', 'auth_check', 'succeeded');
  await until(
    'restored_at',
    async () => (await bot.container.deps.store.get(await incidentId())).incident.restoredAt !== null,
  );

  await click(SRE, 'step_run', 'resume_deploys', 'awaiting_approval');
  await click(CAPTAIN, 'step_approve', 'resume_deploys', 'succeeded');
  await until('resolve approvable', () => button('step_approve', 'resolve') !== null);
  await send(buttonClick(CAPTAIN, button('step_approve', 'resolve')!));
  await click(CAPTAIN, 'step_run', 'resolve', 'succeeded');

  const id = await incidentId();
  const { incident } = await bot.container.deps.store.get(id);
  expect(incident.state).toBe('resolved');
  const timeline = await bot.container.deps.store.timeline(id);
  const at = (kind: string) => timeline.find((e) => e.kind === kind)!.at.getTime();
  // The times the summary reports are the ones the timeline recorded.
  expect(incident.decidedAt!.getTime()).toBe(at('target_approved'));
  expect(incident.restoredAt!.getTime()).toBe(at('app_restored'));
  const resolved = timeline.find((e) => e.kind === 'incident_resolved')!;
  const ttd = incident.detectedAt.getTime() - incident.impactStartedAt!.getTime();
  const ttr = incident.restoredAt!.getTime() - incident.detectedAt.getTime();
  expect(ttd).toBe(300_000);
  expect(resolved.payload).toMatchObject({ ttdMs: ttd, ttrMs: ttr });

  await bot.relay!.tick();
  await slack.waitFor('the resolved milestone', () => thread('C0RELEASES').includes('Incident resolved by'));
  expect(thread('C0RELEASES')).toContain(`TTD ${formatDurationMs(ttd)} · TTR ${formatDurationMs(ttr)}`);
  expect(thread('C0INCIDENTS')).toContain('deploys frozen by hand in GitHub');
  // The header, not the "*Resolved* —" field every checklist has; the two channels' updates land
  // apart, so wait for both to show the end state.
  const resolvedIn = (c: string) => JSON.stringify(latestChecklist(slack, c)).includes(':checkered_flag: Resolved');
  await until(
    'both checklists resolved and identical',
    () =>
      resolvedIn('C0INCIDENTS') &&
      resolvedIn('C0RELEASES') &&
      JSON.stringify(latestChecklist(slack, 'C0INCIDENTS')) === JSON.stringify(latestChecklist(slack, 'C0RELEASES')),
  );
  expect(latestChecklist(slack, 'C0INCIDENTS')).toEqual(latestChecklist(slack, 'C0RELEASES'));
});
