/**
 * Slack 429s per channel (Retry-After), against the fake Slack: delivery is per channel and per
 * event, so every event reaches each thread it belongs to exactly once and in order, one
 * channel's 429s neither re-send nor hold up the other's lines, and #releases keeps its
 * "started" milestone when its checklist lands after #incidents'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortIncident, markCritical } from '../../src/flows/incident-commands.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import type { SlackCall } from '../support/fake-slack.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { type SlackBotHarness, startSlackBotHarness } from '../support/slack-bot-harness.ts';

let harness: SlackBotHarness;
beforeAll(async () => {
  harness = await startSlackBotHarness({ rolloutMs: 100 });
});
afterAll(() => harness?.close());

const RATE_LIMITED = { ok: false, error: 'ratelimited' };
const threadPosts = (channel: string) =>
  harness.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === channel && c.body.thread_ts);
/** Each line as often as Slack accepted it (a 429'd attempt is not a post). */
function acceptedLines(channel: string, accepted: Set<SlackCall>): string[] {
  return threadPosts(channel)
    .filter((c) => accepted.has(c))
    .flatMap((c) => String(c.body.text).split('\n'));
}

describe('Slack rate limits, per channel', () => {
  it('delivers every line once per thread, in order, whichever channel Slack rate-limits', {
    timeout: 120_000,
  }, async () => {
    const { slack, bot } = harness;
    const deps = bot.container.deps;
    const rejected = new Set<Record<string, unknown>>();
    const limit = (times: number, retryAfter: string, when: (b: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < times; i++) {
        slack.failNext(
          'chat.postMessage',
          429,
          RATE_LIMITED,
          { 'retry-after': retryAfter },
          (b) => when(b) && (rejected.add(b), true),
        );
      }
    };
    const accepted = () => new Set(slack.calls.filter((c) => !rejected.has(c.body)));
    const releasesThread = () => acceptedLines('C0RELEASES', accepted());
    const incidentsThread = () => acceptedLines('C0INCIDENTS', accepted());

    // 1. A burst of 4 × 429 on #releases at the start: its checklist lands after #incidents'.
    limit(4, '0', (b) => b.channel === 'C0RELEASES' && !b.thread_ts);
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
    });
    await slack.waitFor('the started milestone in #releases', () =>
      releasesThread().some((l) => l.includes('started a *P1* rollback')),
    );
    expect(rejected.size).toBe(4);

    // 2. Only #releases is rate limited (14 × 429): #incidents lines are not posted again.
    limit(14, '0', (b) => b.channel === 'C0RELEASES' && Boolean(b.thread_ts));
    await markCritical(deps, { incidentId: incident.id, actor: SRE, reason: 'customer data exposed' });
    await slack.waitFor(
      'the critical milestone in #releases',
      () => releasesThread().some((l) => l.includes('marked the incident *critical*')),
      60_000,
    );
    expect(rejected.size).toBe(18);

    // 3. While #releases waits out a Retry-After, #incidents goes on.
    limit(3, '2', (b) => b.channel === 'C0RELEASES' && Boolean(b.thread_ts));
    await abortIncident(deps, { incidentId: incident.id, actor: CAPTAIN, reason: 'drill over' });
    await slack.waitFor('the abort in #incidents', () => incidentsThread().some((l) => l.includes('Rollback aborted')));
    expect(releasesThread().some((l) => l.includes('Rollback aborted'))).toBe(false);
    await slack.waitFor(
      'the abort in #releases',
      () => releasesThread().some((l) => l.includes('Rollback aborted')),
      30_000,
    );
    await bot.relay!.tick();

    // Exactly once, in timeline order, in each thread it belongs to.
    const body = (l: string) => l.replace(/^`[^`]*` /, '');
    const timeline = (await deps.store.timeline(incident.id)).filter((e) => e.kind !== 'step_queued');
    const incidents = incidentsThread().map(body);
    expect(incidents).toHaveLength(timeline.length);
    expect(new Set(incidents).size).toBe(incidents.length);
    const releases = releasesThread().map(body);
    expect(releases.map((l) => /started a|critical|aborted/.exec(l)?.[0])).toEqual([
      'started a',
      'critical',
      'aborted',
    ]);
    expect(incidents.filter((l) => releases.includes(l))).toEqual(releases);
  });
});
