/**
 * `kubectl auth can-i` for `doctor`: one SelfSubjectAccessReview per verb the bot uses, so a
 * missing RBAC rule shows up before an incident needs it.
 */
import { AuthorizationV1Api } from '@kubernetes/client-node';
import type { K8sOptions } from './k8s-deployments.ts';
import { k8sError } from './k8s-errors.ts';

export interface AccessCheck {
  verb: string;
  /** API group: "apps" for deployments, "" for the core group (secrets). */
  group: string;
  resource: string;
  /** One object (a Secret the Role grants by `resourceNames`); absent: the whole resource. */
  name?: string;
}

export interface AccessResult extends AccessCheck {
  allowed: boolean;
  /** The authorizer's explanation, when it gave one. */
  reason?: string;
}

export interface K8sAccessReview {
  checkAccess(checks: AccessCheck[]): Promise<AccessResult[]>;
}

export function createK8sAccessReview({ kubeConfig, namespace }: K8sOptions): K8sAccessReview {
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  const server = kubeConfig.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';

  async function review(check: AccessCheck): Promise<AccessResult> {
    const { verb, group, resource, name } = check;
    try {
      const result = await authorization.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace, verb, group, resource, ...(name ? { name } : {}) } },
        },
      });
      const reason = result.status?.reason || undefined;
      return { ...check, allowed: result.status?.allowed === true, ...(reason ? { reason } : {}) };
    } catch (err) {
      throw k8sError(err, {
        doing: `checking whether we may ${verb} ${resource} in namespace ${namespace}`,
        verb: 'create',
        resource: 'selfsubjectaccessreviews',
        group: 'authorization.k8s.io',
        namespace,
        object: 'the SelfSubjectAccessReview API',
        server,
      });
    }
  }

  return {
    checkAccess: (checks) => Promise.all(checks.map(review)),
  };
}
