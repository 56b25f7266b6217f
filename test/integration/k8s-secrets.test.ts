import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8sSecrets, type K8sSecrets } from '../../src/adapters/k8s/k8s-secrets.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import type { AppError } from '../../src/domain/errors.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';

let kube: FakeKube;
let secrets: K8sSecrets;
const ns = 'prod';
const url = 'postgres://app:s3cret-pw@db-old:5432/app';

beforeAll(async () => {
  kube = await startFakeKube();
  kube.addSecret({ namespace: ns, name: 'app-db', data: { DATABASE_URL: url, OTHER: 'kept' } });
  secrets = createK8sSecrets({ kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }), namespace: ns });
});
afterAll(() => kube.close());

async function failure(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (err: AppError) => err,
  );
}

describe('K8sSecrets', () => {
  it('reads a key, decoded', async () => {
    await expect(secrets.readKey('app-db', 'DATABASE_URL')).resolves.toBe(url);
  });

  it('reads a missing key as undefined', async () => {
    await expect(secrets.readKey('app-db', 'NOPE')).resolves.toBeUndefined();
  });

  it('writes one key and leaves the others alone', async () => {
    const restored = 'postgres://app:s3cret-pw@db-restored:5432/app';
    await secrets.writeKey('app-db', 'DATABASE_URL', restored);
    expect(kube.secretData(ns, 'app-db')).toEqual({ DATABASE_URL: restored, OTHER: 'kept' });
    await expect(secrets.readKey('app-db', 'DATABASE_URL')).resolves.toBe(restored);
  });

  it('a missing Secret is not_found, naming it, without the value in the message', async () => {
    const err = await failure(secrets.writeKey('app-dbx', 'DATABASE_URL', url));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('secret prod/app-dbx was not found');
    expect(err.message).not.toContain('s3cret');
    expect((await failure(secrets.readKey('app-dbx', 'DATABASE_URL'))).code).toBe('not_found');
  });

  it('a 403 names the verb on secrets RBAC must allow, without the value', async () => {
    kube.setAccess({ verb: 'patch', resource: 'secrets' }, false);
    try {
      const err = await failure(secrets.writeKey('app-db', 'DATABASE_URL', url));
      expect(err.code).toBe('upstream_auth');
      expect(err.message).toContain('RBAC must allow verb "patch" on resource "secrets" in namespace "prod"');
      expect(err.message).not.toContain('s3cret');
    } finally {
      kube.setAccess({ verb: 'patch', resource: 'secrets' }, true);
    }
  });
});
