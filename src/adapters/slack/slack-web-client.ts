/**
 * The one WebClient the bot uses. Slack's default retry policy retries for ~30 minutes, which
 * during an incident looks like a hung bot; we keep a small bounded retry so a 429 is waited out
 * (the client honours Retry-After and pauses its queue) without stalling the worker for long.
 */

import type { LogLevel, RetryOptions, Logger as SlackLogger } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

export const DEFAULT_SLACK_RETRY: RetryOptions = {
  retries: 3,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 4000,
  randomize: true,
};

export interface SlackWebClientOptions {
  token: string;
  /** SLACK_API_URL; Slack's own API when absent. */
  slackApiUrl?: string;
  logger?: Logger;
  retryConfig?: RetryOptions;
  /** Per request; a hung connection otherwise blocks the update queue forever. */
  timeoutMs?: number;
}

export function createSlackWebClient(options: SlackWebClientOptions): WebClient {
  return new WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: options.retryConfig ?? DEFAULT_SLACK_RETRY,
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.logger ? { logger: slackLogger(options.logger) } : {}),
  });
}

/** @slack/web-api logs through its own Logger interface; route it into pino. */
function slackLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack-web-api' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: () => {},
    getLevel: () => 'debug' as LogLevel,
    setName: () => {},
  };
}
