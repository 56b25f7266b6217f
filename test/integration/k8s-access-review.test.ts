import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8sAccessReview } from '../../src/adapters/k8s/k8s-access-review.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';

let kube: FakeKube;

beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(() => kube.close());

describe('K8sAccessReview.checkAccess', () => {
  it('reports, per verb, whether RBAC allows it in the namespace', async () => {
    kube.setAccess({ verb: 'watch', resource: 'deployments' }, false);
    const review = createK8sAccessReview({
      kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }),
      namespace: 'prod',
    });
    const results = await review.checkAccess([
      { verb: 'patch', group: 'apps', resource: 'deployments' },
      { verb: 'watch', group: 'apps', resource: 'deployments' },
      { verb: 'get', group: '', resource: 'secrets' },
    ]);
    expect(results).toEqual([
      { verb: 'patch', group: 'apps', resource: 'deployments', allowed: true },
      { verb: 'watch', group: 'apps', resource: 'deployments', allowed: false, reason: 'no RBAC policy matched' },
      { verb: 'get', group: '', resource: 'secrets', allowed: true },
    ]);
    const sent = kube.requests.filter((r) => r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(sent.map((r) => (r.body as { spec: unknown }).spec)).toContainEqual({
      resourceAttributes: { namespace: 'prod', verb: 'watch', group: 'apps', resource: 'deployments' },
    });
  });
});
