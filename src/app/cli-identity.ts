/**
 * The CLI's identity model. Slack vouches for who clicked; the CLI only knows what `--as` claims
 * and which OS account runs it. `cli.identities` in rollback.yml maps OS users to the Slack ids
 * they may act as; without it `--as` is on trust and every command says so.
 */
import { hostname, userInfo } from 'node:os';
import { UserFacingError } from '../domain/errors.ts';
import type { CliOrigin } from '../domain/origin.ts';
import { refuse } from '../flows/refuse.ts';
import type { Container } from './container.ts';

export const UNCHECKED_WARNING =
  'warning: cli.identities is not set in rollback.yml, so --as is taken on trust ' +
  '(anyone who can run this CLI can act as anyone): map OS users to Slack ids there';

export function osIdentity(): CliOrigin {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid still tells accounts apart.
    user = process.env.USER ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return { osUser: user, host: hostname() };
}

export async function checkIdentity(
  c: Container,
  io: { err(text: string): void },
  origin: CliOrigin,
  claimed: string | undefined,
  incidentId: string | null,
): Promise<string> {
  if (!claimed) {
    const how = 'say who you are with --as <Slack user id> (or set ROLLBACK_AS): roles are checked as in Slack';
    throw new UserFacingError('invalid_input', how);
  }
  const identities = c.config.runbook.cli?.identities;
  if (!identities) {
    io.err(UNCHECKED_WARNING);
    return claimed;
  }
  const allowed = identities[origin.osUser] ?? [];
  if (allowed.includes(claimed)) return claimed;
  const may = allowed.length ? `may act only as ${allowed.join(', ')}` : 'is not listed under cli.identities';
  const fix = `use your own Slack id, or ask whoever maintains rollback.yml to add it to cli.identities.${origin.osUser}`;
  const reason = `OS user ${origin.osUser} (on ${origin.host}) ${may}, not ${claimed}: ${fix}`;
  // Recorded in the incident's timeline (with the OS account) when the command names one.
  return refuse(c.deps, { incidentId, actor: claimed, action: 'cli_identity' }, 'forbidden', reason);
}
