/**
 * Slack's Web API behind nock, in the bot's own thread (BENCH_SLACK=nock): answers and tally as
 * in support-slack-answers.ts. nock 15 intercepts at the socket level, so every call also pays
 * for a mock TLS socket in the bot's event loop, and loopback requests pass through its
 * interceptors too.
 */
import nock from 'nock';
import { createSlackTally, decodeSlackBody, type SlackTally, slackAnswer } from './support-slack-answers.ts';

export const BENCH_SLACK_ORIGIN = 'https://slack.bench';
export const BENCH_SLACK_API_URL = `${BENCH_SLACK_ORIGIN}/api/`;

export function startNockSlack(): SlackTally & { close(): void } {
  const tally = createSlackTally();
  let seq = 0;
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock(BENCH_SLACK_ORIGIN)
    .persist()
    .post(/\/api\/.+/)
    .reply(async (req: Request) => {
      const method = new URL(req.url).pathname.replace('/api/', '');
      const form = decodeSlackBody(await req.text());
      tally.record(method, method === 'chat.postEphemeral' ? String(form.text ?? '') : undefined);
      return [200, slackAnswer(method, form, ++seq)];
    });
  return {
    ...tally,
    close() {
      nock.cleanAll();
      nock.enableNetConnect();
      nock.restore();
    },
  };
}
