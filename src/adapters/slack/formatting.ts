/**
 * Text helpers shared by the checklist, thread lines and modals: times (always UTC, the one
 * clock everybody in an incident can agree on), durations, mentions and mrkdwn escaping.
 */

import { isCliOrigin, viaCli } from '../../domain/origin.ts';
import type { Role } from '../../domain/steps.ts';
import { formatDurationMs as formatSignedDuration } from '../../domain/times.ts';
import { cleanUserText, renderMentions } from '../../domain/user-text.ts';

/** "12:04:10", or "Nov 23 23:58:00" when the time is not on `today`'s UTC date. */
export function formatUtcTime(at: Date, today?: Date): string {
  // date-fns formats in the process's zone (@date-fns/tz is not a dependency); the ISO string is UTC.
  const iso = at.toISOString();
  const time = iso.slice(11, 19);
  if (!today || iso.slice(0, 10) === today.toISOString().slice(0, 10)) return time;
  const month = MONTHS[at.getUTCMonth()] ?? '';
  return `${month} ${at.getUTCDate()} ${time}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "0s", "45s", "12m 30s", "1h 2m": domain/times.ts's format, as a magnitude ("took 5s" has no sign). */
export function formatDurationMs(ms: number): string {
  return formatSignedDuration(Math.abs(ms));
}

/**
 * THE escape for Slack mrkdwn: every piece of text a user or a tool wrote goes through it before
 * it reaches a message, thread line, ephemeral, modal or summary. `&`, `<` and `>` are Slack's
 * control characters, so escaping them neutralises `<!channel>`, `<!here>`, `<@U…>` and
 * `<url|text>`; a bare `@here`/`@channel`/`@everyone` gets a word joiner so mrkdwn's mention
 * parsing can't pick it up; control and bidi-override characters go. The bot's own mentions
 * (domain/user-text.ts tokens) come out as real mentions.
 */
export function escapeMrkdwn(text: string): string {
  return renderMentions(text, escapeText, slackReference);
}

function slackReference(ref: string): string {
  const id = ref.slice(1);
  if (ref.startsWith('@') && SLACK_USER_ID.test(id)) return `<@${id}>`;
  if (ref.startsWith('#') && /^[CG][A-Z0-9]{2,}$/.test(id)) return `<#${id}>`;
  return escapeText(ref);
}

function escapeText(text: string): string {
  return cleanUserText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u2060$1');
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A Slack user id becomes a mention; anything else (the worker, the CLI) is shown as written. */
export function mention(actor: string | null | undefined): string {
  if (!actor) return 'someone';
  return SLACK_USER_ID.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor);
}

/** A person, and the OS account behind it when they acted through the CLI (`via` from the record). */
export function actorMention(actor: string | null | undefined, via: unknown): string {
  return actor && isCliOrigin(via) ? `${mention(actor)} (${escapeMrkdwn(viaCli(via, actor))})` : mention(actor);
}

export const ROLE_TITLES: Record<Role, string> = {
  release_captain: 'captain',
  oncall_sre: 'on-call SRE',
  database_owner: 'database owner',
};

/** Where a target release came from (Incident.targetSource); unknown sources are shown as stored. */
const TARGET_SOURCES: Record<string, string> = {
  known_good: 'the known-good record',
  replicaset_history: 'ReplicaSet history',
  tags: 'the repository tags',
  requested: 'requested in /rollback',
  captain: 'picked by the captain',
};

export function targetSourceTitle(source: string): string {
  return TARGET_SOURCES[source] ?? source.replace(/_/g, ' ');
}

/**
 * `<url|owner/repo#123>` for GitHub issues and pull requests, `<url>` for other https links, and
 * anything else (a stored value that is not an https URL) as escaped text, never a link.
 */
export function issueLink(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed?.protocol !== 'https:') return escapeMrkdwn(url);
  // href percent-encodes <, >, quotes, spaces and non-ASCII; & and | are what a Slack link can't hold as they are.
  const href = parsed.href.replace(/&/g, '&amp;').replace(/\|/g, '%7C');
  const gh = /^\/([^/]+)\/([^/]+)\/(?:issues|pull)\/(\d+)$/.exec(parsed.pathname);
  return gh ? `<${href}|${escapeMrkdwn(`${gh[1]}/${gh[2]}#${gh[3]}`)}>` : `<${href}>`;
}

/** Keep the first `max` characters, ending in "…"; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}
