/**
 * `/rollback` text → what the user asked for. Anything we don't understand gets the usage
 * message back (ephemerally), never a guess: starting a rollback of the wrong release is worse
 * than asking again.
 */
import type { Severity } from '../../domain/incident.ts';
import { checkIssueLink } from '../../domain/issue-links.ts';
import { quoteInput } from '../../domain/user-text.ts';
import { parseRelease, targetProblem } from '../../domain/versions.ts';

/** What decides a release and an issue link here: rollback.yml's github.tag_pattern, GITHUB_API_URL's web host. */
export interface CommandRules {
  tagPattern: string;
  githubWebHost: string;
}

/** Also the manifest's `usage_hint` (test/unit/slack-manifest.test.ts keeps them equal). */
export const ROLLBACK_USAGE_HINT = 'v1.2.3 [to v1.2.2] [sev P1|P2] [issue url] | status | help';

export const ROLLBACK_USAGE = [
  '*Usage*',
  '• `/rollback v1.2.3` — roll back the bad release v1.2.3 (opens a form to confirm)',
  '• `/rollback v1.2.3 to v1.2.2 sev P1 https://github.com/org/repo/issues/42` — with a target, severity and issue link',
  '• `/rollback status` — the open rollbacks (only you see this)',
  '• `/rollback help` — this help',
].join('\n');

export type RollbackCommand =
  | {
      kind: 'start';
      badVersion: string;
      targetVersion: string | null;
      severity: Severity | null;
      issueUrl: string | null;
    }
  | { kind: 'status' }
  | { kind: 'help'; message: string }
  | { kind: 'invalid'; message: string };

interface StartDraft {
  badVersion: string;
  targetVersion: string | null;
  severity: Severity | null;
  issueUrl: string | null;
}

class CommandProblem extends Error {}

export function parseRollbackCommand(text: string, rules: CommandRules): RollbackCommand {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const first = tokens[0]?.toLowerCase();
  if (tokens.length === 1 && first === 'status') return { kind: 'status' };
  if (tokens.length === 1 && first === 'help') return { kind: 'help', message: ROLLBACK_USAGE };
  try {
    if (tokens.length === 0) throw new CommandProblem('Tell me which release is bad, like `/rollback v1.2.3`.');
    return { kind: 'start', ...parseStart(tokens, rules) };
  } catch (err) {
    if (!(err instanceof CommandProblem)) throw err;
    return { kind: 'invalid', message: `${err.message}\n\n${ROLLBACK_USAGE}` };
  }
}

function parseStart(tokens: string[], rules: CommandRules): StartDraft {
  const [badToken = '', ...rest] = tokens;
  const version = (token: string, what: string) => release(token, rules.tagPattern, what);
  const draft: StartDraft = {
    badVersion: version(badToken, 'the bad release'),
    targetVersion: null,
    severity: null,
    issueUrl: null,
  };
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? '';
    const lower = token.toLowerCase();
    if (lower === 'to') {
      once(draft.targetVersion, 'a target');
      draft.targetVersion = version(need(rest[++i], '`to` needs a version after it, like `to v1.2.2`'), 'the target');
    } else if (lower === 'sev' || lower === 'severity') {
      once(draft.severity, 'a severity');
      draft.severity = severity(need(rest[++i], '`sev` needs P1 or P2 after it'));
    } else if (/^p[12]$/.test(lower)) {
      once(draft.severity, 'a severity');
      draft.severity = severity(token);
    } else if (/^<?https?:/i.test(token)) {
      once(draft.issueUrl, 'an issue link');
      draft.issueUrl = issueUrl(token, rules.githubWebHost);
    } else {
      throw new CommandProblem(`I don't understand ${quoteInput(token)}.`);
    }
  }
  checkTarget(draft);
  return draft;
}

/** The tag as the repo and images name it (`1.2.3` becomes `v1.2.3` where tags carry the v). */
function release(token: string, tagPattern: string, what: string): string {
  const parsed = parseRelease(token, tagPattern, what);
  if (!parsed.ok) throw new CommandProblem(parsed.problem);
  return parsed.tag;
}

function checkTarget(draft: StartDraft): void {
  const problem = draft.targetVersion && targetProblem(draft.targetVersion, draft.badVersion);
  if (problem) throw new CommandProblem(problem);
}

function severity(token: string): Severity {
  const upper = token.toUpperCase();
  if (upper === 'P1' || upper === 'P2') return upper;
  throw new CommandProblem(`${quoteInput(token)} is not a severity: use P1 or P2.`);
}

/** Slack may send a link as `<url>` or `<url|label>`; keep the url. */
function issueUrl(token: string, webHost: string): string {
  const checked = checkIssueLink(token.replace(/^<|>$/g, '').split('|')[0] ?? '', webHost);
  if (!checked.ok) throw new CommandProblem(checked.problem);
  return checked.url;
}

function need(token: string | undefined, problem: string): string {
  if (token === undefined) throw new CommandProblem(problem);
  return token;
}

function once(current: unknown, what: string): void {
  if (current !== null) throw new CommandProblem(`You gave ${what} twice: give it once.`);
}
