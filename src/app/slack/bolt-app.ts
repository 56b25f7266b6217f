/**
 * The Bolt app: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP mode on our own server
 * (POST /slack/events, verified with the signing secret). The token is verified once at start-up
 * (auth.test) and handed to Bolt through `authorize`, so no click ever waits on Slack's auth.test.
 */
import { App, type Logger as BoltLogger, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { UserFacingError } from '../../domain/errors.ts';
import type { EnvConfig } from '../config.ts';

export interface BoltRuntime {
  app: App;
  /** HTTP mode: hand /slack/events requests to this. */
  receiver: HTTPReceiver | null;
  botUserId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createBoltApp(env: EnvConfig, client: WebClient, log: Logger): Promise<BoltRuntime> {
  const auth = await verifyToken(client);
  const boltLog = boltLogger(log.child({ component: 'bolt' }));
  const authorize = async () => ({
    botToken: env.SLACK_BOT_TOKEN,
    botId: auth.botId,
    botUserId: auth.userId,
    teamId: auth.teamId,
  });
  const clientOptions = env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {};
  if (env.SLACK_APP_TOKEN) {
    // installerOptions.clientOptions reaches the Socket Mode client, so SLACK_API_URL also applies to apps.connections.open.
    const app = new App({
      socketMode: true,
      appToken: env.SLACK_APP_TOKEN,
      authorize,
      logger: boltLog,
      clientOptions,
      installerOptions: { clientOptions },
    });
    const start = async () =>
      void (await app.start().catch((err: unknown) => {
        throw appTokenError(err);
      }));
    return { app, receiver: null, botUserId: auth.userId, start, stop: async () => void (await app.stop()) };
  }
  if (!env.SLACK_SIGNING_SECRET) {
    throw new UserFacingError(
      'config_invalid',
      'SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is: set one of them (README, "Slack app")',
    );
  }
  const receiver = new HTTPReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET,
    endpoints: '/slack/events',
    logger: boltLog,
    processBeforeResponse: false,
  });
  const app = new App({ receiver, authorize, logger: boltLog, clientOptions });
  return { app, receiver, botUserId: auth.userId, start: async () => undefined, stop: async () => undefined };
}

async function verifyToken(client: WebClient): Promise<{ userId: string; botId: string; teamId: string }> {
  try {
    const res = await client.auth.test();
    return { userId: res.user_id ?? '', botId: res.bot_id ?? '', teamId: res.team_id ?? '' };
  } catch (err) {
    // No answer at all is a network problem, not a bad token: reinstalling the app would not help.
    if ((err as { code?: string }).code === 'slack_webapi_request_error') {
      const original = (err as { original?: { code?: string; message?: string; cause?: { code?: string } } }).original;
      const why = original?.cause?.code ?? original?.code ?? original?.message ?? 'no answer';
      throw new UserFacingError(
        'upstream_unavailable',
        `cannot reach Slack's Web API at ${client.slackApiUrl} ` +
          `(${why}): check this host's network, proxy and firewall, or SLACK_API_URL`,
        { cause: err },
      );
    }
    const code = (err as { data?: { error?: string } }).data?.error ?? (err as Error).message;
    throw new UserFacingError(
      'upstream_auth',
      `Slack rejected SLACK_BOT_TOKEN at start-up (${code}): reinstall the app and copy its Bot User OAuth Token (xoxb-…)`,
      { cause: err },
    );
  }
}

/** Socket Mode could not open: one line that says which token and what to do, not Bolt's stack trace. */
function appTokenError(err: unknown): UserFacingError {
  const code =
    (err as { data?: { error?: string } }).data?.error ?? (err as { code?: string }).code ?? (err as Error).message;
  return new UserFacingError(
    'upstream_auth',
    `Slack rejected SLACK_APP_TOKEN at start-up (${code}): create an app-level token ` +
      'with the connections:write scope ("Basic Information" → "App-Level Tokens") and set SLACK_APP_TOKEN to it (xapp-…)',
    { cause: err },
  );
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...m) => log.debug(m.map(String).join(' ')),
    info: (...m) => log.info(m.map(String).join(' ')),
    warn: (...m) => log.warn(m.map(String).join(' ')),
    error: (...m) => log.error(m.map(String).join(' ')),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
