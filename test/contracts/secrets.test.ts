/**
 * The Secret port contract (flows/ports/secrets.ts), run against the K8s adapter talking to the
 * simulated API server (src/sim/kube) and the in-memory fake (test/fakes/fake-secrets.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8sSecrets } from '../../src/adapters/k8s/k8s-secrets.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { SecretKeys } from '../../src/flows/ports.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { createFakeSecrets } from '../fakes/fake-secrets.ts';

const NS = 'prod';
const URL_OLD = 'postgres://app:s3cret-pw@db-old:5432/app';

interface Harness {
  secrets: SecretKeys;
  add(name: string, data: Record<string, string>): void;
  /** Marks the Secret as owned by an ExternalSecret of the same name. */
  ownByExternalSecret(name: string): void;
}

let kube: FakeKube;
let n = 0;

beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(() => kube.close());

const implementations: [string, () => Harness][] = [
  [
    'K8s adapter (simulated API server)',
    () => ({
      secrets: createK8sSecrets({ kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }), namespace: NS }),
      add: (name, data) => kube.addSecret({ namespace: NS, name, data }),
      ownByExternalSecret: (name) =>
        kube.updateSecret(NS, name, {
          metadata: {
            ownerReferences: [
              {
                apiVersion: 'external-secrets.io/v1beta1',
                kind: 'ExternalSecret',
                name,
                uid: `uid-${name}`,
                controller: true,
              },
            ],
          },
        }),
    }),
  ],
  [
    'in-memory fake',
    () => {
      const fake = createFakeSecrets(NS);
      return {
        secrets: fake,
        add: (name, data) => void fake.secrets.set(name, new Map(Object.entries(data))),
        ownByExternalSecret: (name) =>
          void fake.managers.set(name, [`External Secrets (owned by ExternalSecret ${name})`]),
      };
    },
  ],
];

describe.each(implementations)('Secret port contract: %s', (_name, make) => {
  it('reads a key, and a missing key as undefined', async () => {
    const h = make();
    const name = `app-db-${n++}`;
    h.add(name, { DATABASE_URL: URL_OLD });
    expect(await h.secrets.readKey(name, 'DATABASE_URL')).toBe(URL_OLD);
    expect(await h.secrets.readKey(name, 'NOPE')).toBeUndefined();
  });

  it('writes one key and leaves the others alone', async () => {
    const h = make();
    const name = `app-db-${n++}`;
    h.add(name, { DATABASE_URL: URL_OLD, OTHER: 'kept' });
    await h.secrets.writeKey(name, 'DATABASE_URL.previous', URL_OLD);
    await h.secrets.writeKey(name, 'DATABASE_URL', 'postgres://app:s3cret-pw@db-restored:5432/app');
    expect(await h.secrets.readKey(name, 'DATABASE_URL')).toBe('postgres://app:s3cret-pw@db-restored:5432/app');
    expect(await h.secrets.readKey(name, 'DATABASE_URL.previous')).toBe(URL_OLD);
    expect(await h.secrets.readKey(name, 'OTHER')).toBe('kept');
  });

  it('names the controllers that would write the Secret back, and none for a plain one', async () => {
    const h = make();
    const [plain, managed] = [`app-db-${n++}`, `app-db-${n++}`];
    h.add(plain, { DATABASE_URL: URL_OLD });
    h.add(managed, { DATABASE_URL: URL_OLD });
    h.ownByExternalSecret(managed);
    expect(await h.secrets.readManagers(plain)).toEqual([]);
    expect(await h.secrets.readManagers(managed)).toEqual([`External Secrets (owned by ExternalSecret ${managed})`]);
  });

  it('a missing Secret is not_found, naming it, without any value in the message', async () => {
    const h = make();
    const attempts = [
      () => h.secrets.readKey('app-dbx', 'DATABASE_URL'),
      () => h.secrets.writeKey('app-dbx', 'DATABASE_URL', URL_OLD),
      () => h.secrets.readManagers('app-dbx'),
    ];
    for (const attempt of attempts) {
      const err = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('not_found');
      expect((err as AppError).message).toContain(`secret ${NS}/app-dbx was not found`);
      expect((err as AppError).message).not.toContain('s3cret');
    }
  });
});
