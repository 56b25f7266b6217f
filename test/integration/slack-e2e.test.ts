/**
 * The bot through Slack, end to end: signed HTTP requests to the real Bolt receiver, Slack's Web
 * API through nock, the engine on real Redis/Postgres and the fake cluster.
 * `/rollback` → modal (+ proposal) → submit → both checklists → Approve/Run clicks → thread lines
 * → final checklists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeButtonValue } from '../../src/adapters/slack/action-ids.ts';
import type { KnownBlock } from '../../src/adapters/slack/block-kit.ts';
import { checkBlockLimits } from '../../src/adapters/slack/block-limits.ts';
import type { Bot } from '../../src/app/bot.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { runStep } from '../../src/flows/step-commands.ts';
import type { Harness } from '../support/e2e-harness.ts';
import type { FakeSlack } from '../support/fake-slack.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { CAPTAIN, SRE, STAKEHOLDER } from '../support/runbook-config.ts';
import { type SlackBotHarness, startSlackBotHarness } from '../support/slack-bot-harness.ts';
import { findButton, latestChecklist, threadText } from '../support/slack-checklist.ts';
import {
  buttonClick,
  interaction,
  SIGNING_SECRET,
  sendToSlackEndpoint,
  slashCommand,
} from '../support/slack-requests.ts';
import { signSlackRequest } from '../support/slack-sign.ts';
import { until } from '../support/wait.ts';

let h: Harness;
let bot: Bot;
let slack: FakeSlack;

let harness: SlackBotHarness;

beforeAll(async () => {
  harness = await startSlackBotHarness({ rolloutMs: 300 });
  ({ h, bot, slack } = harness);
});

afterAll(() => harness?.close());

const send = (body: string) => harness.send(body);
const checklistPosts = () => slack.of('chat.postMessage').filter((m) => !m.thread_ts);
const thread = (channel: string) => threadText(slack, channel);
const checklistIn = (channel: string) => latestChecklist(slack, channel);

function button(blocks: KnownBlock[], actionId: string, stepId: string): { action_id: string; value: string } {
  const found = findButton(blocks, actionId, stepId);
  if (!found) throw new Error(`no ${actionId} button for ${stepId} in the checklist`);
  return found;
}

async function incidentSteps(): Promise<Record<string, string>> {
  const [incident] = await bot.container.deps.store.list({ openOnly: true });
  const snap = await bot.container.deps.store.get(incident!.id);
  return Object.fromEntries([...snap.steps.values()].map((s) => [s.stepId, s.state]));
}

describe('the Slack flow', () => {
  it('runs /rollback → modal → checklists → approvals → revert, with the threads telling the story', async () => {
    // /rollback acks at once and opens the modal at once; the proposal fills in after.
    const ack = await send(slashCommand({ text: 'v1.2.3 sev P1', user: SRE, triggerId: 'trigger-rollback-1' }));
    expect(ack.status).toBe(200);
    await slack.waitFor('views.open', () => slack.of('views.open').length === 1);
    const opened = slack.of('views.open')[0]!;
    expect(opened.trigger_id).toBe('trigger-rollback-1');
    expect(JSON.stringify(opened.view)).toContain('computing…');
    await slack.waitFor('the proposal in the modal', () => slack.of('views.update').length === 1);
    expect(JSON.stringify(slack.of('views.update')[0]!.view)).toContain('*Proposed target:* `v1.2.2`');

    const submitted = await send(
      interaction({
        type: 'view_submission',
        user: { id: SRE },
        view: {
          id: 'V0MODAL01',
          callback_id: 'rollback_start',
          private_metadata: JSON.stringify({ channel: 'C0INCIDENTS' }),
          state: {
            values: {
              bad_version: { bad_version: { type: 'plain_text_input', value: 'v1.2.3' } },
              target_version: { target_version: { type: 'plain_text_input', value: null } },
              severity: { severity: { type: 'static_select', selected_option: { value: 'P1' } } },
              trigger: { trigger: { type: 'radio_buttons', selected_option: { value: 'slo_breach' } } },
              issue_url: {
                issue_url: { type: 'url_text_input', value: 'https://github.com/ValueCanvas/ValueCanvas/issues/77' },
              },
              impact_started_at: {
                impact_started_at: { type: 'datetimepicker', selected_date_time: Math.floor(Date.now() / 1000) - 600 },
              },
              detected_at: {
                detected_at: { type: 'datetimepicker', selected_date_time: Math.floor(Date.now() / 1000) - 60 },
              },
            },
          },
        },
      }),
    );
    expect(submitted).toEqual({ status: 200, text: '' });

    // The announce step posts the same checklist in #incidents and #releases.
    await slack.waitFor('both checklists', () => checklistPosts().length === 2);
    expect(
      checklistPosts()
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['C0INCIDENTS', 'C0RELEASES']);
    expect(checklistPosts()[0]!.blocks).toEqual(checklistPosts()[1]!.blocks);
    await until('the proposal', async () => (await incidentSteps()).select_release === 'awaiting_approval');
    await slack.waitFor('the thread', () => thread('C0INCIDENTS').includes('Select last known-good release'));

    // A non-captain's Approve does nothing but an ephemeral refusal.
    await until('an Approve button', () => {
      try {
        button(checklistIn('C0INCIDENTS'), 'step_approve', 'select_release');
        return true;
      } catch {
        return false;
      }
    });
    const approve = button(checklistIn('C0INCIDENTS'), 'step_approve', 'select_release');
    expect((await send(buttonClick(SRE, approve))).status).toBe(200);
    await slack.waitFor('the refusal', () => slack.of('chat.postEphemeral').length === 1);
    expect(slack.of('chat.postEphemeral')[0]).toMatchObject({ channel: 'C0INCIDENTS', user: SRE });
    expect(slack.of('chat.postEphemeral')[0]!.text).toContain(
      'only the Release Captain may approve `select_release` (you are On-Call SRE)',
    );
    expect((await incidentSteps()).select_release).toBe('awaiting_approval');

    expect((await send(buttonClick(CAPTAIN, approve))).status).toBe(200);
    await until('the approval', async () => (await incidentSteps()).select_release === 'succeeded');
    await slack.waitFor('the milestone in #releases', () => thread('C0RELEASES').includes('v1.2.2'));

    await until('a Run button for revert_images', () => {
      try {
        button(checklistIn('C0INCIDENTS'), 'step_run', 'revert_images');
        return true;
      } catch {
        return false;
      }
    });
    expect((await send(buttonClick(SRE, button(checklistIn('C0INCIDENTS'), 'step_run', 'revert_images')))).status).toBe(
      200,
    );
    await until('the revert', async () => (await incidentSteps()).revert_images === 'succeeded', 20_000);
    await bot.relay!.tick();
    await slack.waitFor('the final thread line', () => thread('C0INCIDENTS').includes('now run v1.2.2'));

    const incidentsThread = thread('C0INCIDENTS');
    for (const d of ['api', 'web', 'worker'])
      expect(incidentsThread).toContain(`deployment "${d}" successfully rolled out`);
    expect(incidentsThread).toMatch(/refused/i);
    expect(h.images()).toEqual({
      api: 'ghcr.io/valuecanvas/app:v1.2.2',
      web: 'ghcr.io/valuecanvas/web:v1.2.2',
      worker: 'ghcr.io/valuecanvas/worker:v1.2.2',
    });

    // Both checklists end identical and show the revert done; every message stays within Slack's limits.
    // The two channels' updates land apart (the SLA clock line can differ by a second meanwhile).
    // Each channel's post is drawn when it is sent, so only its "as of" stamp may differ.
    const drawn = (c: string) =>
      JSON.stringify(checklistIn(c)).replace(/SLA clock as of [0-9:]+ UTC/g, 'SLA clock as of <t> UTC');
    const revertedIn = (c: string) => drawn(c).includes('now run v1.2.2');
    await until(
      'the final checklists, identical',
      () => revertedIn('C0INCIDENTS') && revertedIn('C0RELEASES') && drawn('C0INCIDENTS') === drawn('C0RELEASES'),
    );
    expect(JSON.parse(drawn('C0INCIDENTS'))).toEqual(JSON.parse(drawn('C0RELEASES')));
    for (const call of slack.calls.filter((c) => Array.isArray(c.body.blocks)))
      expect(checkBlockLimits(call.body.blocks as KnownBlock[])).toEqual([]);
    // The stakeholders' thread has milestones only.
    expect(thread('C0RELEASES')).not.toContain('successfully rolled out');
  });

  it('answers a stale button with the current state and does nothing', async () => {
    const stale = button(checklistPosts()[0]!.blocks as KnownBlock[], 'step_run', 'pause_deploys');
    const before = slack.of('chat.postEphemeral').length;
    // pause_deploys has not changed since the first render, so bump it: skip needs a captain.
    const [incident] = await bot.container.deps.store.list({ openOnly: true });
    await bot.container.deps.store.mutate(incident!.id, (snap) => ({
      steps: [{ ...snap.steps.get('pause_deploys')!, summary: 'touched' }],
      events: [],
      result: null,
    }));
    await send(buttonClick(SRE, stale));
    await slack.waitFor('the stale answer', () => slack.of('chat.postEphemeral').length === before + 1);
    expect(slack.of('chat.postEphemeral').at(-1)!.text).toContain(
      'that button is out of date: `pause_deploys` is now pending',
    );
    expect((await incidentSteps()).pause_deploys).toBe('pending');
  });

  it('runs a step once for a storm of 50 identical clicks: one answer, one counted thread line', async () => {
    // The previous test touched the step behind Slack's back: click at its current version.
    const [open] = await bot.container.deps.store.list({ openOnly: true });
    const version = (await bot.container.deps.store.get(open!.id)).steps.get('pause_deploys')!.version;
    const run = {
      action_id: 'step_run',
      value: encodeButtonValue({ incidentId: open!.id, stepId: 'pause_deploys', version }),
    };
    const before = slack.of('chat.postEphemeral').length;
    const refusalLines = () =>
      thread('C0INCIDENTS')
        .split('\n')
        .filter((l) => l.includes(`<@${SRE}> pressed *Run* on *Pause deploys*: refused`));
    const refusedIn = async () =>
      (await bot.container.deps.store.timeline(open!.id)).filter(
        (e) => e.kind === 'action_refused' && e.stepId === 'pause_deploys',
      ).length;
    const refusedBefore = await refusedIn();
    const counted = () => refusalLines().reduce((n, l) => n + Number(/refused ×(\d+)/.exec(l)?.[1] ?? 1), 0);
    // The previous test's refused click reaches the thread first, so the storm is counted on its own.
    await slack.waitFor('earlier refusals in the thread', () => counted() === refusedBefore);
    const linesBefore = refusalLines().length;
    const results = await Promise.all(Array.from({ length: 50 }, () => send(buttonClick(SRE, run))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await slack.waitFor('the storm counted in the thread', () =>
      refusalLines().some((l) => l.includes('refused ×49, ')),
    );
    expect(refusalLines()).toHaveLength(linesBefore + 1);
    expect(slack.of('chat.postEphemeral').length).toBe(before + 1);
    const [incident] = await bot.container.deps.store.list({ openOnly: true });
    const timeline = await bot.container.deps.store.timeline(incident!.id);
    expect(timeline.filter((e) => e.kind === 'step_queued' && e.stepId === 'pause_deploys')).toHaveLength(1);
    // Every refusal is still in the timeline; only Slack sees them counted.
    expect(await refusedIn()).toBe(refusedBefore + 49);
    expect((await bot.container.deps.store.get(incident!.id)).steps.get('pause_deploys')!.attempt).toBe(1);
  });

  it('rejects forged and expired signatures with 401 and changes nothing', async () => {
    const body = slashCommand({ text: 'v9.9.9', user: SRE });
    const forged = await sendToSlackEndpoint(bot.port, body, signSlackRequest('not-the-secret', body));
    const expired = await sendToSlackEndpoint(
      bot.port,
      body,
      signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60),
    );
    const unsigned = await sendToSlackEndpoint(bot.port, body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect([forged.status, expired.status, unsigned.status]).toEqual([401, 401, 401]);
    const opens = slack.of('views.open').length;
    // The same command, signed: its modal is the signal that the forged ones, sent first, had
    // their chance to open one too. Exactly one modal means they opened none.
    expect((await sendToSlackEndpoint(bot.port, body, signSlackRequest(SIGNING_SECRET, body))).status).toBe(200);
    await slack.waitFor("the signed command's modal", () => slack.of('views.open').length > opens);
    expect(slack.of('views.open').length).toBe(opens + 1);
  });

  it('answers /rollback help, status and bad arguments ephemerally', async () => {
    expect(JSON.parse((await send(slashCommand({ text: 'help', user: STAKEHOLDER }))).text)).toMatchObject({
      response_type: 'ephemeral',
    });
    const status = JSON.parse((await send(slashCommand({ text: 'status', user: STAKEHOLDER }))).text) as {
      text: string;
    };
    expect(status.text).toMatch(/Open rollbacks:\n• `rb-\d+ +open +production +v1\.2\.3 → v1\.2\.2/);
    const bad = JSON.parse((await send(slashCommand({ text: 'please roll back', user: SRE }))).text) as {
      text: string;
    };
    expect(bad.text).toContain('/rollback v1.2.3');
  });

  it('refuses a second rollback in the modal itself', async () => {
    const res = await send(
      interaction({
        type: 'view_submission',
        user: { id: CAPTAIN },
        view: {
          id: 'V0MODAL02',
          callback_id: 'rollback_start',
          state: {
            values: {
              bad_version: { bad_version: { type: 'plain_text_input', value: 'v1.2.4' } },
              severity: { severity: { type: 'static_select', selected_option: { value: 'P2' } } },
              trigger: { trigger: { type: 'radio_buttons', selected_option: { value: 'slo_breach' } } },
              detected_at: {
                detected_at: { type: 'datetimepicker', selected_date_time: Math.floor(Date.now() / 1000) },
              },
            },
          },
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({
      response_action: 'errors',
      errors: { bad_version: expect.stringMatching(/a rollback is already open for production: `rb-\d+`/) },
    });
  });
});

describe('bad and hostile input', () => {
  it('answers a malformed button, an unknown action and a deleted incident ephemerally and changes nothing', async () => {
    const before = slack.of('chat.postEphemeral').length;
    await send(
      buttonClick(SRE, { action_id: 'step_run', value: '{"incidentId":"rb-1","stepId":"rm_rf","version":1}' }),
    );
    await send(buttonClick(SRE, { action_id: 'launch_missiles', value: 'x' }));
    await send(
      buttonClick(SRE, {
        action_id: 'step_run',
        value: encodeButtonValue({ incidentId: 'rb-404404', stepId: 'pause_deploys', version: 1 }),
      }),
    );
    await slack.waitFor('three answers', () => slack.of('chat.postEphemeral').length === before + 3);
    const answers = slack
      .of('chat.postEphemeral')
      .slice(before)
      .map((m) => m.text as string);
    expect(answers).toEqual(
      expect.arrayContaining([
        expect.stringContaining("This button's data is not something Rollback Commander rendered"),
        expect.stringContaining('does not know the button `launch_missiles`'),
        expect.stringContaining('there is no incident `rb-404404`'),
      ]),
    );
  });
});

describe('Slack API errors', () => {
  it('fails the announce step with what to fix when a channel id is wrong, and a Retry posts only what is missing', async () => {
    const deps = bot.container.deps;
    await abortOpenIncidents(deps);
    const posts = checklistPosts().length;
    slack.failNext(
      'chat.postMessage',
      200,
      { ok: false, error: 'channel_not_found' },
      {},
      (b) => b.channel === 'C0RELEASES' && !b.thread_ts,
    );
    // The first test rolled the cluster back: v1.2.2 is what runs (and so what start accepts) now.
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.2',
      severity: 'P2',
      trigger: 'slo_breach',
      actor: SRE,
    });
    await until(
      'announce to fail',
      async () => (await deps.store.get(incident.id)).steps.get('announce')!.state === 'failed',
    );
    const announce = (await deps.store.get(incident.id)).steps.get('announce')!;
    expect(announce.error).toMatch(/channel_not_found|channel ids under slack\.channels/);
    const halfPosted = (await deps.store.get(incident.id)).incident.chat;
    expect([halfPosted.incidents, halfPosted.releases].filter(Boolean)).toHaveLength(1);

    await runStep(deps, { incidentId: incident.id, stepId: 'announce', actor: SRE });
    await until(
      'announce to succeed',
      async () => (await deps.store.get(incident.id)).steps.get('announce')!.state === 'succeeded',
    );
    // One channel failed, one landed; the retry posted only the missing one.
    expect(checklistPosts().length - posts).toBe(3);
    const refs = (await deps.store.get(incident.id)).incident.chat;
    expect(refs.incidents && refs.releases).toBeTruthy();
  });
});

describe('incident controls', () => {
  it('corrects the times through a modal, refusing an impossible order, and exports the timeline into the thread', async () => {
    const deps = bot.container.deps;
    const [incident] = await deps.store.list({ openOnly: true });
    const id = incident!.id;
    const opens = slack.of('views.open').length;
    await send(buttonClick(CAPTAIN, { action_id: 'incident_correct_times', value: id }));
    await slack.waitFor('the correct-times modal', () => slack.of('views.open').length === opens + 1);
    expect((slack.of('views.open').at(-1)!.view as { callback_id: string }).callback_id).toBe('incident_correct_times');

    const detected = Math.floor(incident!.detectedAt.getTime() / 1000);
    const submit = (impact: number) =>
      send(
        interaction({
          type: 'view_submission',
          user: { id: CAPTAIN },
          view: {
            id: 'V0TIMES01',
            callback_id: 'incident_correct_times',
            private_metadata: id,
            state: {
              values: {
                impact_started_at: { impact_started_at: { type: 'datetimepicker', selected_date_time: impact } },
                detected_at: { detected_at: { type: 'datetimepicker', selected_date_time: detected } },
              },
            },
          },
        }),
      );
    const refused = await submit(detected + 600);
    expect(JSON.parse(refused.text)).toMatchObject({
      response_action: 'errors',
      errors: { detected_at: expect.stringMatching(/before/) },
    });
    expect((await submit(detected - 300)).text).toBe('');
    const corrected = (await deps.store.get(id)).incident;
    expect(corrected.impactStartedAt?.getTime()).toBe((detected - 300) * 1000);
    expect((await deps.store.timeline(id)).some((e) => e.kind === 'times_corrected')).toBe(true);

    // Data corruption found mid-incident: a stakeholder may not mark it critical, the SRE may.
    const answers = slack.of('chat.postEphemeral').length;
    await send(buttonClick(STAKEHOLDER, { action_id: 'incident_mark_critical', value: id }));
    await slack.waitFor('the refusal', () => slack.of('chat.postEphemeral').length === answers + 1);
    expect(slack.of('chat.postEphemeral').at(-1)!.text).toContain(
      'only the Release Captain or On-Call SRE may mark the incident critical',
    );
    await send(buttonClick(SRE, { action_id: 'incident_mark_critical', value: id }));
    await until('critical', async () => (await deps.store.get(id)).incident.critical);
    await slack.waitFor('the milestone', () => thread('C0RELEASES').includes('marked the incident *critical*'));

    await send(buttonClick(STAKEHOLDER, { action_id: 'incident_export', value: id }));
    await slack.waitFor('the export in the thread', () =>
      thread('C0INCIDENTS').includes('Postmortem timeline requested by <@USTAKE001>'),
    );
  });
});
