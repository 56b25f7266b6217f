import { describe, expect, it } from 'vitest';
import { describeSecretManagers } from '../../src/adapters/k8s/secret-managers.ts';

describe('describeSecretManagers', () => {
  it('names each controller that would write the Secret back, with its evidence', () => {
    expect(
      describeSecretManagers({
        ownerReferences: [{ kind: 'SealedSecret', name: 'app-db', apiVersion: 'bitnami.com/v1alpha1' }],
        annotations: { 'argocd.argoproj.io/tracking-id': 'prod-app:/Secret:prod/app-db' },
        labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' },
      }),
    ).toEqual([
      'Sealed Secrets (owned by SealedSecret app-db)',
      'Argo CD (annotation argocd.argoproj.io/tracking-id)',
      'Flux (label kustomize.toolkit.fluxcd.io/name)',
    ]);
  });

  it('recognises External Secrets by its reconcile annotation, and says nothing for a plain Secret', () => {
    const annotations = { 'reconcile.external-secrets.io/data-hash': 'abc' };
    expect(describeSecretManagers({ annotations })).toEqual([
      'External Secrets (annotation reconcile.external-secrets.io/data-hash)',
    ]);
    const plain = { labels: { app: 'api' }, ownerReferences: [{ kind: 'Deployment', name: 'api' }] };
    expect(describeSecretManagers(plain)).toEqual([]);
  });
});
