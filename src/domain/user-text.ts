/**
 * Text the bot composes mixes its own words, people it mentions and text users typed (reasons,
 * notes, versions). Renderers must escape what users typed and keep what the bot wrote, so the
 * bot's mentions are written as tokens no typed text can contain: cleanUserText strips the
 * token characters (with control and bidi-override characters) from everything a person types.
 * Slack renders a token as `<@U…>` (`<#C…>` for a channel); text surfaces (CLI, export, GitHub) as `@U…`.
 */

// Private-use code points: no keyboard, no Slack client and no tool writes them.
const OPEN = '\u{E000}';
const CLOSE = '\u{E001}';
const TOKEN = /\u{E000}([@#][A-Za-z0-9_.-]{1,64})\u{E001}/gu;

// C0/C1 controls except tab and newline; bidi embeddings, overrides and isolates (U+202A–E,
// U+2066–9), which can make a reason read backwards; and the token characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u{E000}\u{E001}]/gu;

/** The bot's reference to a person inside text it composes (an actor, a role holder). */
export function mentionOf(userId: string): string {
  return `${OPEN}@${userId}${CLOSE}`;
}

/** The bot's reference to a channel (a link in Slack). */
export function channelOf(channelId: string): string {
  return `${OPEN}#${channelId}${CLOSE}`;
}

/** What a person typed, made safe to store and show: no control, bidi-override or token characters. */
export function cleanUserText(text: string): string {
  return text.replace(UNSAFE, '');
}

/**
 * Splits composed text into the references the bot wrote (`@U…` or `#C…`) and everything else,
 * so a renderer can escape the rest and render each reference its own way.
 */
export function renderMentions(text: string, rest: (part: string) => string, mention: (ref: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += rest(text.slice(last, m.index)) + mention(m[1] ?? '');
    last = m.index + m[0].length;
  }
  return out + rest(text.slice(last));
}

/** For the CLI, the export and GitHub: a mention as `@U0123`, a channel as `#C0123`, the rest as written. */
export function mentionsAsText(text: string): string {
  return renderMentions(
    text,
    (part) => part,
    (ref) => ref,
  );
}

/** How much of someone's input an answer repeats back: enough to recognise it, not a wall. */
export const QUOTE_MAX = 200;

/**
 * Input repeated back in an answer ("I don't understand `…`"): cleaned, cut to QUOTE_MAX
 * characters with an ellipsis, backticks swapped so it stays one code span. The surface still
 * escapes the whole answer (Slack: escapeMrkdwn).
 */
export function quoteInput(text: string, max = QUOTE_MAX): string {
  const chars = Array.from(cleanUserText(text).replace(/`/g, "'").replace(/\s+/g, ' '));
  const cut = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
  return `\`${cut}\``;
}
