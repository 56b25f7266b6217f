/**
 * Slack Web API failures → our errors. Slack answers most failures with HTTP 200 and
 * `{ ok: false, error: "<code>" }` (@slack/web-api throws code 'slack_webapi_platform_error' with
 * `data.error`); the codes a person can fix become UserFacingError saying how.
 */
import { AppError, UserFacingError, withContext } from '../../domain/errors.ts';
import { channelOf } from '../../domain/user-text.ts';

const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);
const SLACK_HICCUP = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

interface SlackErrorShape {
  code?: unknown;
  message?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown; needed?: unknown };
}

export interface SlackErrorContext {
  /** The channel the call was about, named in the fix. */
  channel?: string;
}

/** What Slack said, e.g. "channel_not_found", or null when it is not a Slack platform error. */
export function slackErrorCode(err: unknown): string | null {
  const e = err as SlackErrorShape | null;
  return e?.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string' ? e.data.error : null;
}

/** `doing` is "while updating the checklist in #incidents" — it prefixes every message. */
export function mapSlackError(err: unknown, doing: string, ctx: SlackErrorContext = {}): AppError {
  if (err instanceof AppError) return withContext(doing, err);
  const code = slackErrorCode(err);
  if (code) return platformError(code, err, doing, ctx);
  const e = err as SlackErrorShape | null;
  if (e?.code === 'slack_webapi_request_error' || e?.code === 'slack_webapi_rate_limited_error') {
    return new UserFacingError('upstream_unavailable', `${doing}: Slack did not answer (${String(e.message)})`, {
      cause: err,
      transient: true,
    });
  }
  if (e?.code === 'slack_webapi_http_error') {
    const status = Number(e.statusCode);
    return new UserFacingError('upstream_error', `${doing}: Slack answered HTTP ${status}`, {
      cause: err,
      transient: status >= 500,
    });
  }
  // After its bounded retries the WebClient rethrows a plain Error for a 429 it could not wait out.
  if (err instanceof Error && /rate limit was exceeded/i.test(err.message)) {
    return new UserFacingError(
      'upstream_unavailable',
      `${doing}: Slack is rate limiting the bot; the update is retried`,
      { cause: err, transient: true },
    );
  }
  return withContext(doing, err);
}

function platformError(code: string, err: unknown, doing: string, ctx: SlackErrorContext): AppError {
  const channel = ctx.channel ? channelOf(ctx.channel) : 'the channel';
  const fix = (c: ConstructorParameters<typeof UserFacingError>[0], text: string) =>
    new UserFacingError(c, `${doing}: ${text}`, { cause: err });
  if (code === 'channel_not_found') {
    return fix(
      'config_invalid',
      `Slack can't find channel ${ctx.channel ?? ''} (channel_not_found): check the channel ids under slack.channels in rollback.yml; a private channel also needs the bot invited.`,
    );
  }
  if (code === 'not_in_channel') {
    return fix(
      'forbidden',
      `the bot is not in ${channel} (not_in_channel): invite the bot with /invite @Rollback Commander, or add chat:write.public to the app's scopes and reinstall it.`,
    );
  }
  if (code === 'is_archived') {
    return fix(
      'config_invalid',
      `${channel} is archived: unarchive it, or point slack.channels in rollback.yml at the channel in use.`,
    );
  }
  if (BAD_TOKEN.has(code)) {
    return fix(
      'upstream_auth',
      `SLACK_BOT_TOKEN is invalid (${code}): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page and restart the bot.`,
    );
  }
  if (code === 'missing_scope') {
    const needed =
      typeof (err as SlackErrorShape).data?.needed === 'string'
        ? ` ${String((err as SlackErrorShape).data?.needed)}`
        : '';
    return fix(
      'upstream_auth',
      `the Slack app lacks the${needed} scope (missing_scope): add the scopes from manifest.yml and reinstall the app.`,
    );
  }
  if (code === 'expired_trigger_id') {
    return fix('timeout', 'the form could not open in time (Slack allows 3 seconds): run the command again.');
  }
  if (code === 'message_not_found') {
    return new UserFacingError('not_found', `${doing}: the message was deleted in Slack (message_not_found)`, {
      cause: err,
    });
  }
  return new UserFacingError('upstream_error', `${doing}: Slack said ${code}`, {
    cause: err,
    transient: SLACK_HICCUP.has(code),
  });
}
