/**
 * The Octokit client the GitHub adapter uses, with retries kept short and bounded: BullMQ owns
 * retrying a whole step, so a single call must fail fast enough for the step to report it.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { createRepoInstallationAuth, type GitHubAppCredentials } from './github-app-auth.ts';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/**
 * The throttler's default spaces every write (and every GraphQL call, reads included) 1 s apart:
 * pause_deploys took 5 s for 2 runs and 2 PRs. An incident makes a handful of writes, far below
 * GitHub's secondary limits (80 content-creating requests a minute, 100 concurrent), so a few may
 * run at once; 403/429 secondary-limit answers are still honoured by the handlers below.
 */
const WRITES = { maxConcurrent: 4, minTime: 25 };

/** A rate limit asking us to wait longer than this is handed back as a transient error. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 10;

export interface GitHubOctokitOptions {
  /** A personal (classic or fine-grained) token; or, with `app`, none. */
  token?: string;
  /** A GitHub App installed on the repository (github-app-auth.ts) instead of a token. */
  app?: GitHubAppCredentials & { owner: string; repo: string };
  baseUrl?: string;
  /** Retries inside one call (5xx, rate limits). 0 turns retrying and throttling off (tests). */
  retries?: number;
  /** Octokit's own warnings (deprecations, plugin errors); pass a pino child logger. */
  log?: {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  };
}

const BoundedOctokit = Octokit.plugin(retry, throttling);
export type GitHubOctokit = InstanceType<typeof BoundedOctokit>;

export function createGitHubOctokit(options: GitHubOctokitOptions): GitHubOctokit {
  const retries = Math.max(0, Math.min(options.retries ?? 2, 5));
  const shouldRetry = (retryAfterSeconds: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
    retryCount < retries && retryAfterSeconds <= MAX_RATE_LIMIT_WAIT_SECONDS;
  return new BoundedOctokit({
    ...(options.app ? { authStrategy: createRepoInstallationAuth, auth: options.app } : { auth: options.token }),
    baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: 'rollback-commander',
    retry: {
      enabled: retries > 0,
      retries,
      // plugin-retry waits (n+1)² × base: 0.5 s then 2 s with the default of two retries.
      retryAfterBaseValue: 500,
      // 409 is an answer (run already finished), 429 belongs to the throttling plugin.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    // The throttler also limits writes (WRITES above); with retries off (tests) it is off too.
    throttle:
      retries > 0
        ? {
            enabled: true,
            onRateLimit: shouldRetry,
            onSecondaryRateLimit: shouldRetry,
            write: new Bottleneck.Group({ id: 'rollback-commander-write', ...WRITES }),
          }
        : { enabled: false },
    ...(options.log ? { log: options.log } : {}),
  });
}
