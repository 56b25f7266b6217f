/**
 * The whole bot for Slack tests: the e2e harness (fake cluster, fresh schema and queue prefix),
 * Slack's Web API through the nock'd fake, and startBot in HTTP mode on a free port.
 */
import nock from 'nock';
import { type Bot, startBot } from '../../src/app/bot.ts';
import { loadConfig } from '../../src/app/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createHarness, type Harness } from './e2e-harness.ts';
import { type FakeSlack, SLACK_API_URL, startFakeSlack } from './fake-slack.ts';
import { SIGNING_SECRET, sendToSlackEndpoint } from './slack-requests.ts';

export interface SlackBotHarness {
  h: Harness;
  bot: Bot;
  slack: FakeSlack;
  /** A body signed as Slack signs it, sent to the bot's /slack/events. */
  send(body: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/** `githubToken`: keep GitHub on, with this token (a nock'd fake GitHub answers it). */
/** `production`: the bot's own coalescing and relay timings instead of the tests' short ones (the bench). */
export async function startSlackBotHarness(
  options: { rolloutMs?: number; configOverrides?: string; githubToken?: string; production?: boolean } = {},
): Promise<SlackBotHarness> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const slack = startFakeSlack();
  const h = await createHarness(options);
  // GitHub is covered by the CLI tests; here the repo tags are simply not checked.
  if (options.githubToken) h.env.GITHUB_TOKEN = options.githubToken;
  else delete h.env.GITHUB_TOKEN;
  Object.assign(h.env, { SLACK_BOT_TOKEN: 'xoxb-bot', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL, PORT: '0' });
  const bot = await startBot(
    loadConfig(h.env),
    createLogger('silent'),
    options.production ? {} : { coalesceMs: 100, relayIntervalMs: 100 },
  );
  return {
    h,
    bot,
    slack,
    send: (body) => sendToSlackEndpoint(bot.port, body),
    async close() {
      await bot.stop();
      await h.close();
      slack.close();
      nock.enableNetConnect();
    },
  };
}
