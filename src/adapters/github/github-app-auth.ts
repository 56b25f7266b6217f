/**
 * GitHub App authentication for one repository: the App's JWT finds the installation on
 * github.owner/github.repo (GET /repos/{owner}/{repo}/installation), then every call carries that
 * installation's token. @octokit/auth-app mints, caches and renews the tokens (they live an hour);
 * this only finds the installation, once, and remembers what it was granted for `doctor`.
 */
import { createAppAuth, type InstallationAccessTokenAuthentication } from '@octokit/auth-app';
import { request as plainRequest } from '@octokit/request';
import type { RequestInterface } from '@octokit/types';

export interface GitHubAppCredentials {
  appId: string;
  /** PEM; never logged, never in an error. */
  privateKey: string;
}

export interface RepoInstallation {
  id: number;
  /** What the installation was granted: { actions: 'write', contents: 'read', … }. */
  permissions: Record<string, string | undefined>;
}

interface StrategyOptions extends GitHubAppCredentials {
  owner: string;
  repo: string;
  /** Octokit's own request (through this strategy's hook), handed to every auth strategy. */
  request: RequestInterface;
  octokitOptions?: { baseUrl?: string; userAgent?: string };
}

type Hook = (request: RequestInterface, route: string, parameters?: Record<string, unknown>) => Promise<unknown>;

/** An Octokit `authStrategy`: `new Octokit({ authStrategy: createRepoInstallationAuth, auth: { appId, privateKey, owner, repo } })`. */
export function createRepoInstallationAuth(options: StrategyOptions) {
  const { appId, privateKey, owner, repo } = options;
  const app = createAppAuth({ appId, privateKey, request: options.request });
  let found: Promise<{ installation: RepoInstallation; auth: ReturnType<typeof createAppAuth> }> | undefined;
  // Octokit's request runs through our hook, which waits for the lookup: the lookup itself must not.
  const lookupRequest = plainRequest.defaults({
    baseUrl: options.octokitOptions?.baseUrl ?? 'https://api.github.com',
    headers: { 'user-agent': options.octokitOptions?.userAgent ?? 'rollback-commander' },
  });

  const find = (request: RequestInterface = lookupRequest) => {
    found ??= (async () => {
      // The route needs the App's JWT: auth-app's hook signs it.
      const response = (await (app.hook as unknown as Hook)(request, 'GET /repos/{owner}/{repo}/installation', {
        owner,
        repo,
      })) as {
        data: { id: number; permissions?: Record<string, string> };
      };
      const installation = { id: response.data.id, permissions: response.data.permissions ?? {} };
      return {
        installation,
        auth: createAppAuth({ appId, privateKey, installationId: installation.id, request: options.request }),
      };
    })();
    // A failed lookup (App not installed yet, GitHub down) is tried again on the next call.
    found.catch(() => (found = undefined));
    return found;
  };

  const auth = async (): Promise<InstallationAccessTokenAuthentication> =>
    (await (await find()).auth({ type: 'installation' })) as InstallationAccessTokenAuthentication;
  return Object.assign(auth, {
    hook: (async (request, route, parameters) =>
      ((await find(request)).auth.hook as unknown as Hook)(request, route, parameters)) as Hook,
    /** The installation on the repository (looked up on first use). */
    installation: async (): Promise<RepoInstallation> => (await find()).installation,
  });
}
