/**
 * Which issue links an incident accepts: https links to the GitHub the bot talks to, nothing
 * else. The link is shown in both channels and commented on, so an `http://169.254.169.254/…`
 * or a look-alike host must not get in. One rule for /rollback, the modal and the CLI.
 */
import { quoteInput } from './user-text.ts';

/** GITHUB_API_URL → the web host: api.github.com → github.com, GHES https://ghe.example/api/v3 → ghe.example. */
export function githubWebHost(apiUrl = 'https://api.github.com'): string {
  const host = new URL(apiUrl).host;
  return host === 'api.github.com' ? 'github.com' : host;
}

export type IssueLinkCheck = { ok: true; url: string } | { ok: false; problem: string };

export function checkIssueLink(input: string, webHost: string): IssueLinkCheck {
  const raw = input.trim();
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url && url.protocol === 'https:' && url.host === webHost && !url.username && !url.password) {
    return { ok: true, url: url.href };
  }
  return {
    ok: false,
    problem:
      `${quoteInput(raw)} is not a link to an issue on ${webHost}: only https://${webHost}/… links are accepted ` +
      `(the GitHub of GITHUB_API_URL), like https://${webHost}/owner/repo/issues/42.`,
  };
}
