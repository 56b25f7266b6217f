/** Signed requests to the bot's real Bolt receiver, as Slack sends them. */
import { signSlackRequest } from './slack-sign.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export async function sendToSlackEndpoint(
  port: number,
  body: string,
  headers: Record<string, string> = signSlackRequest(SIGNING_SECRET, body),
): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

export function slashCommand(fields: { text: string; user: string; channel?: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T0TEAM001',
    channel_id: fields.channel ?? 'C0INCIDENTS',
    channel_name: 'incidents',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: '/rollback',
    text: fields.text,
    response_url: 'https://hooks.slack.test/commands/1',
    trigger_id: fields.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    api_app_id: 'A0APP0001',
  }).toString();
}

export function interaction(payload: Record<string, unknown>): string {
  return new URLSearchParams({
    payload: JSON.stringify({ team: { id: 'T0TEAM001' }, api_app_id: 'A0APP0001', token: 'legacy', ...payload }),
  }).toString();
}

/** A click on a checklist button as Slack delivers it. */
export function buttonClick(
  user: string,
  button: { action_id: string; value: string },
  channel = 'C0INCIDENTS',
): string {
  return interaction({
    type: 'block_actions',
    user: { id: user },
    channel: { id: channel },
    container: { type: 'message', channel_id: channel, message_ts: '1795521600.000200' },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: 'b',
        value: button.value,
        action_ts: '1795521700.000000',
      },
    ],
  });
}
