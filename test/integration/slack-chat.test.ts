import nock from 'nock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChecklistMessage, ChecklistRefs } from '../../src/adapters/slack/chat-port.ts';
import { renderChecklist, renderChecklistText } from '../../src/adapters/slack/checklist-blocks.ts';
import { createSlackChat } from '../../src/adapters/slack/slack-chat.ts';
import { createSlackWebClient } from '../../src/adapters/slack/slack-web-client.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { at, freshP1, midRolloutWithFailure } from '../support/slack-fixtures.ts';
import { until } from '../support/wait.ts';

const ORIGIN = 'https://slack.test';
const API = `${ORIGIN}/api/`;
const CHANNELS = { incidents: 'C0INCIDENT', releases: 'C0RELEASES' };
const REFS: ChecklistRefs = {
  incidents: { channel: 'C0INCIDENT', ts: '1795521600.000100' },
  releases: { channel: 'C0RELEASES', ts: '1795521600.000200' },
};

interface SlackCall {
  channel: string;
  ts?: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown;
}

/** Slack's form bodies carry `blocks` as a JSON string (API_NOTES). */
function decode(body: Record<string, unknown>): SlackCall {
  const blocks = typeof body.blocks === 'string' ? JSON.parse(body.blocks) : undefined;
  return { ...(body as unknown as SlackCall), blocks };
}

/** `productionRetry`: the bot's own bounded retry (DEFAULT_SLACK_RETRY); otherwise retries are off. */
function chat(options: { productionRetry?: boolean; coalesceMs?: number } = {}) {
  const retryConfig = options.productionRetry ? {} : { retryConfig: { retries: 0 } };
  const client = createSlackWebClient({
    token: 'xoxb-tst',
    slackApiUrl: API,
    logger: pino({ level: 'silent' }),
    ...retryConfig,
  });
  return createSlackChat({ client, channels: CHANNELS, coalesceMs: options.coalesceMs ?? 200 });
}

/** The checklist of a rollout in progress, at progress step `i`. */
function progressRender(i: number): ChecklistMessage {
  const base = midRolloutWithFailure();
  const steps = base.steps.map((s) =>
    s.stepId === 'revert_images'
      ? {
          ...s,
          state: 'running' as const,
          error: null,
          finishedAt: null,
          summary: `web: ${i} of 30 pods updated`,
          version: 10 + i,
        }
      : s,
  );
  const view = { ...base, steps, now: at(11, i) };
  return { text: renderChecklistText(view), blocks: renderChecklist(view) };
}

function recordUpdates(calls: SlackCall[]): void {
  nock(ORIGIN)
    .persist()
    .post('/api/chat.update', (body) => {
      calls.push(decode(body));
      return true;
    })
    .reply(200, async (req: Request) => {
      const form = await formOf(req);
      return { ok: true, channel: form.channel, ts: form.ts };
    });
}

/** nock 15 hands a reply function the fetch Request (one parameter; two means callback style). */
async function formOf(req: Request): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await req.text()));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('SlackChat checklist messages', () => {
  it('posts the same checklist in #incidents and #releases and reports both refs as they land', async () => {
    const view = freshP1();
    const message = { text: renderChecklistText(view), blocks: renderChecklist(view) };
    const posted: SlackCall[] = [];
    nock(ORIGIN)
      .post('/api/chat.postMessage', (body) => (posted.push(decode(body)), true))
      .times(2)
      .reply(200, async (req: Request) => {
        const { channel } = await formOf(req);
        return { ok: true, channel, ts: channel === CHANNELS.incidents ? '111.1' : '222.2' };
      });
    const seen: string[] = [];
    const refs = await chat().postChecklist(message, {
      onPosted: (key, ref) => void seen.push(`${key}=${ref.channel}/${ref.ts}`),
    });
    expect(refs).toEqual({
      incidents: { channel: 'C0INCIDENT', ts: '111.1' },
      releases: { channel: 'C0RELEASES', ts: '222.2' },
    });
    expect(seen.sort()).toEqual(['incidents=C0INCIDENT/111.1', 'releases=C0RELEASES/222.2']);
    expect(posted.map((p) => p.channel).sort()).toEqual(['C0INCIDENT', 'C0RELEASES']);
    for (const p of posted) {
      expect(p.text).toBe(message.text);
      expect(p.blocks).toEqual(message.blocks);
    }
  });

  it('tells the user how to fix a channel the bot is not in, keeping the message that did post', async () => {
    nock(ORIGIN)
      .post('/api/chat.postMessage', (body) => body.channel === CHANNELS.incidents)
      .reply(200, { ok: true, channel: CHANNELS.incidents, ts: '111.1' })
      .post('/api/chat.postMessage', (body) => body.channel === CHANNELS.releases)
      .reply(200, { ok: false, error: 'not_in_channel' });
    const seen: string[] = [];
    const err = await chat()
      .postChecklist({ text: 't', blocks: [] }, { onPosted: (key) => void seen.push(key) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('while posting the checklist in #releases');
    expect((err as Error).message).toContain('invite the bot with /invite @Rollback Commander');
    expect((err as Error).message).toContain('chat:write.public');
    expect(seen).toEqual(['incidents']);
  });

  it('does not post twice in a channel that already has the checklist (a retry after a partial failure)', async () => {
    const scope = nock(ORIGIN)
      .post('/api/chat.postMessage', (body) => body.channel === CHANNELS.releases)
      .reply(200, { ok: true, channel: CHANNELS.releases, ts: '222.2' });
    const refs = await chat().postChecklist(
      { text: 't', blocks: [] },
      { existing: { incidents: REFS.incidents, releases: null } },
    );
    expect(refs).toEqual({ incidents: REFS.incidents, releases: { channel: 'C0RELEASES', ts: '222.2' } });
    expect(scope.isDone()).toBe(true);
  });

  it('coalesces a burst of 30 progress updates into a few chat.update calls that end on the last render', async () => {
    const calls: SlackCall[] = [];
    recordUpdates(calls);
    const windowMs = 200;
    const c = chat({ coalesceMs: windowMs });
    const started = Date.now();
    const sent: Promise<void>[] = [];
    for (let i = 1; i <= 30; i++) {
      sent.push(c.updateChecklist('inc_7f3a', REFS, progressRender(i)));
      await sleep(2);
    }
    const burstMs = Date.now() - started;
    await Promise.all(sent);
    const last = progressRender(30);
    for (const channel of [CHANNELS.incidents, CHANNELS.releases]) {
      const mine = calls.filter((call) => call.channel === channel);
      // Up to three sends at once, then at most three per window while the burst lasts.
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect(mine.length).toBeLessThanOrEqual(3 * (Math.ceil(burstMs / windowMs) + 1));
      expect(mine.length).toBeLessThan(30);
      expect(mine.at(-1)?.blocks).toEqual(last.blocks);
      expect(mine.at(-1)?.text).toBe(last.text);
      expect(mine.at(-1)?.ts).toBe(channel === CHANNELS.incidents ? REFS.incidents?.ts : REFS.releases?.ts);
    }
    expect(JSON.stringify(calls.at(-1)?.blocks)).toContain('web: 30 of 30 pods updated');
  });

  it('renders a lazy update when it is sent, so the newest state wins', async () => {
    const calls: SlackCall[] = [];
    recordUpdates(calls);
    const c = chat();
    let state = 1;
    const first = c.updateChecklist('inc_7f3a', REFS, () => progressRender(state));
    state = 7;
    await first;
    expect(JSON.stringify(calls.at(-1)?.blocks)).toContain('web: 7 of 30 pods updated');
  });

  it('waits out a 429 on chat.update (Retry-After) and still shows the final blocks', async () => {
    const calls: SlackCall[] = [];
    const limited = nock(ORIGIN)
      .post('/api/chat.update', (body) => body.channel === CHANNELS.incidents)
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' });
    recordUpdates(calls);
    const c = chat({ productionRetry: true, coalesceMs: 100 });
    const first = c.updateChecklist('inc_7f3a', REFS, progressRender(1));
    await until('Slack to answer 429', () => limited.isDone());
    // More progress arrives while the client waits out the rate limit.
    const later = [2, 3, 4, 5].map((i) => c.updateChecklist('inc_7f3a', REFS, progressRender(i)));
    await Promise.all([first, ...later]);
    await c.flush();
    const final = progressRender(5).blocks;
    for (const channel of [CHANNELS.incidents, CHANNELS.releases]) {
      expect(calls.filter((call) => call.channel === channel).at(-1)?.blocks).toEqual(final);
    }
    expect(limited.isDone()).toBe(true);
  });

  it('re-sends the newest render after a transient Slack failure instead of dropping it', async () => {
    const calls: SlackCall[] = [];
    nock(ORIGIN).post('/api/chat.update').reply(503, 'upstream connect error');
    recordUpdates(calls);
    const c = chat({ coalesceMs: 50 });
    await c.updateChecklist('inc_7f3a', REFS, progressRender(9));
    await c.flush();
    expect(calls.filter((call) => call.channel === CHANNELS.incidents).at(-1)?.blocks).toEqual(
      progressRender(9).blocks,
    );
    expect(calls.filter((call) => call.channel === CHANNELS.releases).at(-1)?.blocks).toEqual(progressRender(9).blocks);
  });
});

describe('SlackChat errors', () => {
  it.each([
    ['channel_not_found', 'check the channel ids under slack.channels in rollback.yml'],
    ['not_in_channel', 'invite the bot with /invite @Rollback Commander, or add chat:write.public'],
    ['invalid_auth', 'SLACK_BOT_TOKEN is invalid'],
    ['token_revoked', 'SLACK_BOT_TOKEN is invalid'],
  ])('turns %s into a message that says how to fix it', async (code, fix) => {
    nock(ORIGIN).post('/api/chat.update').times(2).reply(200, { ok: false, error: code });
    const err = await chat()
      .updateChecklist('inc_1', REFS, { text: 't', blocks: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('while updating the checklist in #');
    expect((err as Error).message).toContain(fix);
    expect((err as Error).message).not.toContain('xoxb-tst');
  });

  it('says the form must be reopened when Slack refuses an expired trigger_id', async () => {
    nock(ORIGIN).post('/api/views.open').reply(200, { ok: false, error: 'expired_trigger_id' });
    const err = await chat()
      .openView('trigger-1', { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toContain('run the command again');
  });
});

describe('SlackChat threads, ephemeral messages and views', () => {
  it('posts thread lines in order under the #incidents message and milestones under #releases', async () => {
    const posted: SlackCall[] = [];
    nock(ORIGIN)
      .persist()
      .post('/api/chat.postMessage', (body) => (posted.push(decode(body)), true))
      .reply(200, async (req: Request) => ({ ok: true, channel: (await formOf(req)).channel, ts: '9.9' }));
    const c = chat();
    const lines = Array.from({ length: 8 }, (_, i) => `line ${i}`);
    await Promise.all([...lines.map((l) => c.postIncidentLine(REFS, l)), c.postMilestone(REFS, 'milestone')]);
    const incidentThread = posted.filter((p) => p.channel === CHANNELS.incidents);
    expect(incidentThread.map((p) => p.text)).toEqual(lines);
    expect(incidentThread.every((p) => p.thread_ts === REFS.incidents?.ts)).toBe(true);
    expect(posted.filter((p) => p.channel === CHANNELS.releases)).toEqual([
      expect.objectContaining({ text: 'milestone', thread_ts: REFS.releases?.ts }),
    ]);
  });

  it('refuses a thread line when the checklist was never posted, saying what to do', async () => {
    await expect(chat().postMilestone({ ...REFS, releases: null }, 'x')).rejects.toThrow(
      /never posted in #releases.*Retry/,
    );
  });

  it('answers a user privately and opens and updates a modal by view id', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(ORIGIN)
      .post('/api/chat.postEphemeral', (b) => (bodies.push(b), true))
      .reply(200, { ok: true, message_ts: '1.1' })
      .post('/api/views.open', (b) => (bodies.push(b), true))
      .reply(200, { ok: true, view: { id: 'V0VIEW', hash: 'h1' } })
      .post('/api/views.update', (b) => (bodies.push(b), true))
      .reply(200, { ok: true, view: { id: 'V0VIEW', hash: 'h2' } });
    const c = chat();
    await c.postEphemeral('C0INCIDENT', 'U0STRANGER', { text: 'Only the captain approves the target.' });
    const modal = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Start a rollback' },
      blocks: [],
    };
    expect(await c.openView('trig-1', modal)).toEqual({ viewId: 'V0VIEW', hash: 'h1' });
    expect(await c.updateView('V0VIEW', modal, 'h1')).toEqual({ viewId: 'V0VIEW', hash: 'h2' });
    expect(bodies[0]).toMatchObject({
      channel: 'C0INCIDENT',
      user: 'U0STRANGER',
      text: 'Only the captain approves the target.',
    });
    expect(bodies[1]).toMatchObject({ trigger_id: 'trig-1' });
    expect(bodies[2]).toMatchObject({ view_id: 'V0VIEW', hash: 'h1' });
  });
});
