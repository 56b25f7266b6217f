import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { signSlackRequest } from '../support/slack-sign.ts';

const SECRET = 'test-signing-secret';
const BODY = 'command=%2Frollback&text=v1.2.3&user_id=U0SRE00001';

describe('signSlackRequest', () => {
  it('produces headers that Bolt’s own verification accepts', () => {
    const now = 1_795_521_600;
    const headers = signSlackRequest(SECRET, BODY, now);
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: BODY,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': now },
        nowMilliseconds: now * 1000,
      }),
    ).not.toThrow();
  });

  it('is rejected by Bolt with the wrong secret, a changed body or an old timestamp', () => {
    const now = 1_795_521_600;
    const h = signSlackRequest(SECRET, BODY, now);
    const verify = (secret: string, body: string, nowMs: number) =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': h['x-slack-signature'], 'x-slack-request-timestamp': now },
        nowMilliseconds: nowMs,
      });
    expect(() => verify('other-secret', BODY, now * 1000)).toThrow();
    expect(() => verify(SECRET, `${BODY}&text=v9.9.9`, now * 1000)).toThrow();
    expect(() => verify(SECRET, BODY, (now + 6 * 60) * 1000)).toThrow();
  });

  it('marks JSON bodies as JSON', () => {
    expect(signSlackRequest(SECRET, '{"type":"url_verification"}')['content-type']).toBe('application/json');
  });
});
