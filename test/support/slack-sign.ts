/**
 * Signs a request body the way Slack does (API_NOTES "Signature"), for tests that send HTTP
 * requests to the Bolt receiver: v0=HMAC-SHA256(secret, `v0:${timestamp}:${body}`).
 */
import { createHmac } from 'node:crypto';

export interface SlackRequestHeaders {
  'content-type': string;
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
  [header: string]: string;
}

/** `timestamp` in seconds; pass an old one to test expiry. The body must be sent byte for byte. */
export function signSlackRequest(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SlackRequestHeaders {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    // Events arrive as JSON; slash commands and interactions as a form.
    'content-type': body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${signature}`,
  };
}
