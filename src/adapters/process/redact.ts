/**
 * Scrubs secrets from text bound for Slack, logs or errors: every known secret (also in its
 * URL-encoded form, as it appears inside a connection string) and the password part of any
 * scheme://user:password@host URL, even one we were not told about.
 */

export const REDACTED = '[redacted]';

// Shorter values (a port, "1") would shred ordinary output and are no secret worth the name.
const MIN_SECRET_LENGTH = 4;

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi;

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
  }
  let out = text;
  // Longest first, so a URL is replaced whole before the password inside it.
  for (const value of [...variants].sort((a, b) => b.length - a.length)) {
    out = out.split(value).join(REDACTED);
  }
  return out.replace(URL_PASSWORD, `$1${REDACTED}@`);
}
