/**
 * Issue 9 §4: `start --drill` on the real bot (Slack through the fake, the fake cluster) marks
 * the incident as a drill on the checklist, the thread, the CLI status, the export and /metrics,
 * and keeps #releases quiet: its milestones are marked handled without being posted. (That a
 * drill posts no issue comment is asserted in drill-e2e against the GitHub simulator.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DRILL_BANNER } from '../../src/domain/drill.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { type SlackBotHarness, startSlackBotHarness } from '../support/slack-bot-harness.ts';
import { latestChecklist, threadText } from '../support/slack-checklist.ts';
import { until } from '../support/wait.ts';

let t: SlackBotHarness;

beforeAll(async () => {
  t = await startSlackBotHarness();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function cli(...args: string[]): Promise<string> {
  const res = await t.h.cli(...args);
  expect(res.code, `${args.join(' ')}: ${res.err}`).toBe(0);
  return res.out;
}

it('marks a --drill incident everywhere and posts no #releases milestones', async () => {
  const started = await cli('start', 'v1.2.3', '--drill', '--as', SRE);
  expect(started).toContain('[DRILL] ');
  expect(started).toContain('it acts on the real cluster');
  const id = /started (rb-\d+)/.exec(started)![1]!;
  expect((await t.bot.container.deps.store.get(id)).incident.drill).toBe(true);

  // Both checklists carry the banner and the [DRILL] title.
  await t.slack.waitFor(
    'both checklists',
    () => t.slack.of('chat.postMessage').filter((m) => !m.thread_ts).length === 2,
  );
  for (const channel of ['C0INCIDENTS', 'C0RELEASES']) {
    const blocks = JSON.stringify(latestChecklist(t.slack, channel));
    expect(blocks).toContain(DRILL_BANNER);
    expect(blocks).toContain('[DRILL] :rotating_light: P1 rollback');
  }
  await t.slack.waitFor('the drill line in the #incidents thread', () =>
    threadText(t.slack, 'C0INCIDENTS').includes('*DRILL*'),
  );

  // The captain approves the target: a milestone, shown in #incidents, marked but not posted in #releases.
  await until(
    'the proposal',
    async () => (await t.bot.container.deps.store.get(id)).steps.get('select_release')!.state === 'awaiting_approval',
  );
  await cli('approve', id, 'select_release', '--as', CAPTAIN);
  const approved = await until('the target_approved event', async () =>
    (await t.bot.container.deps.store.timeline(id)).find((e) => e.kind === 'target_approved'),
  );
  const relayed = async (channel: string) =>
    (
      await t.bot.container.pool.query(
        'select 1 from chat_relayed where incident_id = $1 and channel = $2 and event_id = $3',
        [id, channel, approved.id],
      )
    ).rowCount === 1;
  await until('the milestone handled for #releases', () => relayed('releases'));
  await until('the milestone relayed to #incidents', () => relayed('incidents'));
  expect(threadText(t.slack, 'C0INCIDENTS')).toContain('v1.2.2');
  expect(threadText(t.slack, 'C0RELEASES')).toBe('');

  expect(await cli('status', id)).toMatch(new RegExp(`^${DRILL_BANNER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const md = await cli('export', id);
  expect(md).toMatch(/^# \[DRILL\] rb-\d+: rollback of v1\.2\.3/);
  expect(md).toContain(`> **${DRILL_BANNER}**`);

  // /metrics: the drill's step outcomes carry drill="true".
  await until('drill-labelled metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${t.bot.port}/metrics`)).text();
    return /rollback_step_outcomes_total\{step="select_release",result="awaiting_approval",drill="true"\} 1/.test(text);
  });
}, 90_000);
