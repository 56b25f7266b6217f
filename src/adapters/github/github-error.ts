/**
 * GitHub failures turned into errors an SRE can act on mid-incident: which permission is
 * missing, which config key names the missing thing, and whether a retry can help.
 */
import { inspect } from 'node:util';
import { AppError, UserFacingError } from '../../domain/errors.ts';

export interface GitHubCallContext {
  /** "while disabling workflow deploy.yml in acme/shop" */
  action: string;
  /** The permission this call needs, as GitHub spells it: "actions=write". */
  permission: string;
  /** What a 404 means here and how to fix it. */
  notFound: string;
  /** Scrubbed from every message, whatever GitHub echoes back. */
  token: string;
}

interface HttpishError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

const FRIENDLY_PERMISSION: Record<string, string> = {
  actions: 'Actions',
  pull_requests: 'Pull requests',
  contents: 'Contents',
  issues: 'Issues',
  metadata: 'Metadata',
};

export const FINE_GRAINED_NEEDS =
  'Actions read/write, Pull requests write, Contents read, Issues write on the repository';
export const TOKEN_HELP = `fine-grained token: ${FINE_GRAINED_NEEDS}; classic token: the repo and workflow scopes`;

export function toGitHubError(err: unknown, ctx: GitHubCallContext): AppError {
  const mapped = isGraphqlError(err) ? fromGraphql(err, ctx) : fromHttp(err as HttpishError, ctx);
  if (!ctx.token || !inspect(err, { depth: 10 }).includes(ctx.token)) return mapped;
  // GitHub echoed the token back (Octokit redacts only the header): keep the cause out of logs.
  const cause = new Error(scrub((err as Error).message ?? String(err), ctx.token));
  const Mapped = mapped instanceof UserFacingError ? UserFacingError : AppError;
  return new Mapped(mapped.code, mapped.message, { cause, transient: mapped.transient });
}

function fromHttp(err: HttpishError, ctx: GitHubCallContext): AppError {
  const status = err.status;
  const headers = err.response?.headers ?? {};
  const upstream = scrub(err.message ?? String(err), ctx.token);
  const say = (text: string): string => scrub(`${ctx.action}: ${text}`, ctx.token);
  if (status === 401) {
    return new UserFacingError(
      'upstream_auth',
      say(
        `GitHub rejected GITHUB_TOKEN (401): it is missing, expired or revoked — create a new token (${TOKEN_HELP}) and set GITHUB_TOKEN`,
      ),
      { cause: err },
    );
  }
  if (status === 403 && isRateLimited(upstream, headers)) {
    return new UserFacingError(
      'upstream_unavailable',
      say(`GitHub rate limit hit (403: ${upstream}); retrying later will work`),
      { cause: err, transient: true },
    );
  }
  if (status === 403)
    return forbidden(say, headers['x-accepted-github-permissions'] ?? ctx.permission, headers['x-github-sso'], err);
  if (status === 404)
    return new UserFacingError('not_found', say(`GitHub answered 404: ${ctx.notFound}`), { cause: err });
  if (status === 422) {
    return new UserFacingError('invalid_input', say(`GitHub refused the request (422: ${upstream})`), { cause: err });
  }
  if (status === 429) {
    return new UserFacingError('upstream_unavailable', say('GitHub rate limit hit (429); retrying later will work'), {
      cause: err,
      transient: true,
    });
  }
  if (status === undefined || status >= 500) {
    // @octokit/request reports network failures as status 500 without a response.
    const what = err.response ? `GitHub is failing (${status})` : `could not reach GitHub (${upstream})`;
    return new UserFacingError('upstream_unavailable', say(`${what}; retrying later may work`), {
      cause: err,
      transient: true,
    });
  }
  return new UserFacingError('upstream_error', say(`GitHub answered ${status}: ${upstream}`), { cause: err });
}

function forbidden(
  say: (text: string) => string,
  accepted: string,
  sso: string | undefined,
  err: unknown,
): UserFacingError {
  if (sso) {
    return new UserFacingError(
      'forbidden',
      say(
        `GitHub refused (403): the token is not authorized for the organization's SAML SSO — authorize it at ${sso.replace(/^required; url=/, '')}`,
      ),
      { cause: err },
    );
  }
  const needed = accepted
    .split(';')
    .map((set) => set.trim())
    .filter(Boolean)
    .join(' or ');
  return new UserFacingError(
    'forbidden',
    say(
      `GitHub refused (403): the token lacks ${needed} — fine-grained token: grant ${friendly(needed)} on the repository; classic token: it needs the repo and workflow scopes`,
    ),
    { cause: err },
  );
}

/** "actions=write" → "Actions: Read and write" */
function friendly(needed: string): string {
  return needed.replace(
    /([a-z_]+)=(read|write)/g,
    (_m, name: string, level: string) =>
      `"${FRIENDLY_PERMISSION[name] ?? name}: ${level === 'write' ? 'Read and write' : 'Read-only'}"`,
  );
}

function isRateLimited(message: string, headers: Record<string, string | undefined>): boolean {
  return (
    /rate limit/i.test(message) || headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined
  );
}

interface GraphqlError {
  name: string;
  errors: { type?: string; message: string }[];
}

function isGraphqlError(err: unknown): err is GraphqlError {
  return (
    err instanceof Error &&
    err.name === 'GraphqlResponseError' &&
    Array.isArray((err as unknown as GraphqlError).errors)
  );
}

/** GraphQL answers 200 with typed errors; map the types the REST statuses would have had. */
function fromGraphql(err: GraphqlError, ctx: GitHubCallContext): AppError {
  const first = err.errors[0];
  const upstream = scrub(err.errors.map((e) => e.message).join('; '), ctx.token);
  const say = (text: string): string => scrub(`${ctx.action}: ${text}`, ctx.token);
  switch (first?.type) {
    case 'FORBIDDEN':
      return forbidden(say, ctx.permission, undefined, err);
    case 'NOT_FOUND':
      return new UserFacingError('not_found', say(`GitHub answered NOT_FOUND (${upstream}): ${ctx.notFound}`), {
        cause: err,
      });
    case 'RATE_LIMITED':
      return new UserFacingError('upstream_unavailable', say('GitHub rate limit hit; retrying later will work'), {
        cause: err,
        transient: true,
      });
    default:
      // e.g. "Pull request is closed": the state of the thing changed under us, not our config.
      return new UserFacingError('conflict', say(`GitHub refused: ${upstream}`), { cause: err });
  }
}

export function scrub(text: string, token: string): string {
  return token ? text.split(token).join('[redacted]') : text;
}

export type GitHubCall = <T>(ctx: Omit<GitHubCallContext, 'token'>, fn: () => Promise<T>) => Promise<T>;

/** Runs one GitHub call and maps whatever it throws; every adapter method goes through this. */
export function guardGitHubCalls(token: string): GitHubCall {
  return async (ctx, fn) => {
    try {
      return await fn();
    } catch (err) {
      throw toGitHubError(err, { ...ctx, token });
    }
  };
}

/** The 404 hint for anything that is only missing when the repository itself is wrong. */
export function repoNotFound(slug: string): string {
  return `repository ${slug} does not exist or the token cannot see it (GitHub answers 404, not 403, then) — check github.owner and github.repo in rollback.yml and the token's repository access`;
}
