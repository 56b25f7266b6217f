/** A bad SLACK_APP_TOKEN stops start-up with one line that names it and the fix, not Bolt's stack trace. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EnvConfig } from '../../src/app/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createBoltApp } from '../../src/app/slack/bolt-app.ts';
import { isAppError } from '../../src/domain/errors.ts';

let server: Server;
let apiUrl = '';
const seen: string[] = [];

beforeAll(async () => {
  // Slack's Web API as far as start-up uses it: the bot token is fine, the app token is not.
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        req.url?.endsWith('/auth.test')
          ? { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }
          : { ok: false, error: 'invalid_auth' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('names SLACK_APP_TOKEN and how to get a good one when Socket Mode is refused', async () => {
  const env = { SLACK_BOT_TOKEN: 'xoxb-good', SLACK_APP_TOKEN: 'xapp-bad-secret', SLACK_API_URL: apiUrl } as EnvConfig;
  const bolt = await createBoltApp(env, new WebClient('xoxb-good', { slackApiUrl: apiUrl }), createLogger('silent'));
  const err = await bolt.start().then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(seen).toContain('/api/apps.connections.open');
  expect(isAppError(err)).toBe(true);
  expect(err?.message).toMatch(
    /^Slack rejected SLACK_APP_TOKEN at start-up \(invalid_auth\): create an app-level token with the connections:write scope .*\(xapp-…\)$/,
  );
  expect(err?.message).not.toContain('xapp-bad-secret');
});

it('says Slack cannot be reached, not "reinstall the app", when its Web API does not answer', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const url = `http://127.0.0.1:${port}/api/`;
  const client = new WebClient('xoxb-good', { slackApiUrl: url, retryConfig: { retries: 0 } });
  const err = await createBoltApp(
    { SLACK_BOT_TOKEN: 'xoxb-good', SLACK_SIGNING_SECRET: 's' } as EnvConfig,
    client,
    createLogger('silent'),
  ).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err?.message).toMatch(
    new RegExp(`^cannot reach Slack's Web API at ${url} \\(ECONNREFUSED\\): check this host's network`),
  );
  expect(err?.message).not.toContain('reinstall');
});
