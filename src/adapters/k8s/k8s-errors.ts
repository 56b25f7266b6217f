/**
 * Turns what @kubernetes/client-node throws (ApiException with the HTTP code and the `Status`
 * body as text; undici's "fetch failed" with a socket error as cause; a watch's Error with
 * `statusCode`) into the port's errors: what the person must fix, or transient.
 */
import { AppError, isAppError, UserFacingError } from '../../domain/errors.ts';

export interface K8sCall {
  /** What we were doing, for the message prefix: "patching deployment prod/api". */
  doing: string;
  /** The RBAC verb and resource the call needs: "patch", "deployments", "apps". */
  verb: string;
  resource: string;
  group: string;
  namespace: string;
  /** The object in user terms, for 404s: "deployment prod/api". */
  object: string;
  server: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export function k8sError(err: unknown, call: K8sCall): AppError {
  if (isAppError(err)) return err;
  const prefix = `while ${call.doing}`;
  const status = httpStatus(err);
  const detail = statusMessage(err);
  const rbac = `verb "${call.verb}" on resource "${call.resource}"${call.group ? ` (API group "${call.group}")` : ''} in namespace "${call.namespace}"`;
  if (status === 404) {
    return new UserFacingError(
      'not_found',
      `${prefix}: ${call.object} was not found: check the name in rollback.yml and that the kube context and namespace "${call.namespace}" are the right ones`,
      { cause: err },
    );
  }
  if (status === 401) {
    return new UserFacingError(
      'upstream_auth',
      `${prefix}: the Kubernetes API at ${call.server} rejected our credentials (401 Unauthorized): renew the kubeconfig user's token or the service account token; RBAC must then allow ${rbac}`,
      { cause: err },
    );
  }
  if (status === 403) {
    return new UserFacingError(
      'upstream_auth',
      `${prefix}: Kubernetes RBAC forbids it (${detail ?? '403 Forbidden'}): RBAC must allow ${rbac} for the bot's user — ` +
        `add the verb to the Role in ${rbacManifestFor(call.resource)} (deploy/, README "Deploy to Kubernetes") and apply it`,
      { cause: err },
    );
  }
  if (status === 409) {
    return new UserFacingError('conflict', `${prefix}: ${detail ?? 'conflict (409)'}`, { cause: err, transient: true });
  }
  if (status !== undefined && (status === 429 || status >= 500)) {
    // The server answered: say what it said, not that we could not reach it.
    const why = status === 429 ? 'it is throttling us' : 'a problem on the API server side, often passing';
    return new UserFacingError(
      'upstream_unavailable',
      `${prefix}: the Kubernetes API at ${call.server} answered HTTP ${status}${detail ? `: ${detail}` : ''} ` +
        `(${why}): ` +
        'Retry the step; if it keeps failing, check the API server (kubectl get --raw /readyz)',
      { cause: err, transient: true },
    );
  }
  if (status !== undefined) {
    return new UserFacingError(
      'upstream_error',
      `${prefix}: the Kubernetes API answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
      { cause: err },
    );
  }
  const network = networkCode(err);
  if (network) return unreachable(prefix, call.server, network, err);
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('internal', `${prefix}: ${message}`, { cause: err });
}

/** The file in deploy/ whose Role grants the bot this resource: what a 403 tells the operator to fix. */
export function rbacManifestFor(resource: string): string {
  if (['applications', 'kustomizations', 'helmreleases'].includes(resource))
    return 'deploy/components/gitops-guard/role.yaml';
  return resource === 'secrets' ? 'deploy/components/database-promotion/role.yaml' : 'deploy/base/rbac/role.yaml';
}

function unreachable(prefix: string, server: string, why: string, cause: unknown): UserFacingError {
  return new UserFacingError(
    'upstream_unavailable',
    `${prefix}: cannot reach the Kubernetes API at ${server} (is the cluster/context right?): ${why}`,
    { cause, transient: true },
  );
}

/** ApiException.code, or the `statusCode` a failed watch carries. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode === 'number') return statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's `Status.message`, e.g. `deployments.apps "api" is forbidden: User … cannot patch …`. */
function statusMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** The socket error under undici's "fetch failed" (it may sit a few causes deep, or in an AggregateError). */
export function networkCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 5) return undefined;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  for (const inner of Array.isArray(errors) ? errors : []) {
    const found = networkCode(inner, depth + 1);
    if (found) return found;
  }
  const fromCause = networkCode(cause, depth + 1);
  if (fromCause) return fromCause;
  return err instanceof TypeError && err.message === 'fetch failed' && depth === 0 ? 'fetch failed' : undefined;
}
