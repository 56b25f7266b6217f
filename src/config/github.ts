/**
 * How the bot authenticates to GitHub: a token (GITHUB_TOKEN) or a GitHub App (GITHUB_APP_ID with
 * its private key in GITHUB_APP_PRIVATE_KEY or the file GITHUB_APP_PRIVATE_KEY_FILE — a mounted
 * Secret). Checked at start-up so a wrong key is found then, not in the middle of an incident.
 * The key is never echoed: errors name the variable only.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserFacingError } from '../domain/errors.ts';

export type GitHubAuth = { kind: 'token'; token: string } | { kind: 'app'; appId: string; privateKey: string };

export interface GitHubAuthEnv {
  GITHUB_TOKEN?: string;
  GITHUB_APP_ID?: string;
  GITHUB_APP_PRIVATE_KEY?: string;
  GITHUB_APP_PRIVATE_KEY_FILE?: string;
}

const fail = (message: string) => new UserFacingError('config_invalid', message);

export function githubAuthFrom(env: GitHubAuthEnv): GitHubAuth | null {
  const keySet = Boolean(env.GITHUB_APP_PRIVATE_KEY || env.GITHUB_APP_PRIVATE_KEY_FILE);
  if (!env.GITHUB_APP_ID) {
    if (keySet)
      throw fail(
        "a GitHub App private key is set but GITHUB_APP_ID is not: set GITHUB_APP_ID (the App ID on the App's settings page)",
      );
    return env.GITHUB_TOKEN ? { kind: 'token', token: env.GITHUB_TOKEN } : null;
  }
  if (env.GITHUB_TOKEN)
    throw fail('both GITHUB_TOKEN and GITHUB_APP_ID are set: use one — unset GITHUB_TOKEN to act as the GitHub App');
  if (env.GITHUB_APP_PRIVATE_KEY && env.GITHUB_APP_PRIVATE_KEY_FILE) {
    throw fail('both GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_FILE are set: keep one');
  }
  if (!keySet)
    throw fail(
      'GITHUB_APP_ID is set without a private key: set GITHUB_APP_PRIVATE_KEY (PEM) or GITHUB_APP_PRIVATE_KEY_FILE (its path)',
    );
  const source = env.GITHUB_APP_PRIVATE_KEY
    ? 'GITHUB_APP_PRIVATE_KEY'
    : `GITHUB_APP_PRIVATE_KEY_FILE (${env.GITHUB_APP_PRIVATE_KEY_FILE})`;
  let pem: string;
  try {
    pem = env.GITHUB_APP_PRIVATE_KEY ?? readFileSync(env.GITHUB_APP_PRIVATE_KEY_FILE!, 'utf8');
  } catch (err) {
    throw fail(
      `cannot read ${source} (${(err as NodeJS.ErrnoException).code ?? 'error'}): mount the App's private key there or fix the path`,
    );
  }
  // .env files and some secret stores keep a PEM on one line with literal \n.
  pem = pem.includes('\\n') && !pem.includes('\n') ? pem.replaceAll('\\n', '\n') : pem;
  try {
    createPrivateKey(pem);
  } catch {
    throw fail(
      `${source} is not a PEM private key: use the .pem file GitHub generated for the App (Private keys → Generate)`,
    );
  }
  return { kind: 'app', appId: env.GITHUB_APP_ID, privateKey: pem };
}
