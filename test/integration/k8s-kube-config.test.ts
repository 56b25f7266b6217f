import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { UserFacingError } from '../../src/domain/errors.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';

let kube: FakeKube;

beforeAll(async () => {
  kube = await startFakeKube();
  kube.addDeployment({ namespace: 'prod', name: 'api', containers: [{ name: 'api', image: 'app:v1' }] });
});
afterAll(() => kube.close());

describe('loadKubeConfig', () => {
  it('pins the named context, and the client reaches its cluster', async () => {
    const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' });
    expect(kubeConfig.getCurrentContext()).toBe('fake');
    const d = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'api', namespace: 'prod' });
    expect(d.metadata?.name).toBe('api');
  });

  it('refuses a context that is not in the kubeconfig, naming it and the ones that are', () => {
    let caught: unknown;
    try {
      loadKubeConfig({ path: kube.kubeconfigPath, context: 'prod-eu' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserFacingError);
    expect((caught as UserFacingError).code).toBe('config_invalid');
    expect((caught as UserFacingError).message).toContain('kube context "prod-eu" is not in the kubeconfig');
    expect((caught as UserFacingError).message).toContain('it has: fake');
    expect((caught as UserFacingError).message).toContain('environment.kube.context');
  });

  it('says which kubeconfig it could not read', () => {
    expect(() => loadKubeConfig({ path: '/nonexistent/kubeconfig' })).toThrow(
      /cannot load the kubeconfig \(\/nonexistent\/kubeconfig\)/,
    );
  });
});
