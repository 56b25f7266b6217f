/** Detection of what manages a Deployment, from each annotation/label form (issue 11), and the gitops: config. */
import { describe, expect, it } from 'vitest';
import { type DeploymentMetadata, detectManagers, parseTrackingId } from '../../src/domain/gitops.ts';
import { revisionFor } from '../../src/flows/gitops/sync-revision.ts';
import { testConfig } from '../support/runbook-config.ts';

const OPTIONS = { argocdNamespace: 'argocd', trackingLabel: 'app.kubernetes.io/instance' };
const meta = (over: Partial<DeploymentMetadata>): DeploymentMetadata => ({
  name: 'api',
  namespace: 'prod',
  labels: {},
  annotations: {},
  managers: [],
  ...over,
});

describe('detectManagers', () => {
  it('Argo CD tracking-id annotation (Argo CD 3 default)', () => {
    const d = detectManagers(
      meta({
        annotations: { 'argocd.argoproj.io/tracking-id': 'shop-prod:apps/Deployment:prod/api' },
        managers: ['argocd-controller'],
      }),
      OPTIONS,
    );
    expect(d.candidates).toEqual([{ kind: 'argocd', namespace: 'argocd', name: 'shop-prod', via: 'tracking-id' }]);
    expect(d.corroboratedBy).toEqual(['argocd-controller']);
  });

  it('a tracking id of an Application outside Argo CD’s namespace (<ns>_<app>)', () => {
    expect(parseTrackingId('team-a_shop:apps/Deployment:prod/api', 'argocd')).toEqual({
      namespace: 'team-a',
      name: 'shop',
    });
    expect(parseTrackingId('not a tracking id', 'argocd')).toBeUndefined();
  });

  it('the tracking label (Argo CD 2.x default) is a candidate only, and the configured label name is used', () => {
    expect(detectManagers(meta({ labels: { 'app.kubernetes.io/instance': 'shop-prod' } }), OPTIONS).candidates).toEqual(
      [{ kind: 'argocd', namespace: 'argocd', name: 'shop-prod', via: 'label' }],
    );
    const custom = { ...OPTIONS, trackingLabel: 'argocd.example.com/app' };
    expect(detectManagers(meta({ labels: { 'app.kubernetes.io/instance': 'shop-prod' } }), custom).candidates).toEqual(
      [],
    );
    expect(detectManagers(meta({ labels: { 'argocd.example.com/app': 'shop' } }), custom).candidates[0]).toMatchObject({
      name: 'shop',
      via: 'label',
    });
  });

  it('a Helm chart deployed by Argo CD-by-label: the label candidate first, Helm after it (the cluster decides)', () => {
    const d = detectManagers(
      meta({
        labels: { 'app.kubernetes.io/instance': 'docs', 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: { 'meta.helm.sh/release-name': 'docs', 'meta.helm.sh/release-namespace': 'prod' },
      }),
      OPTIONS,
    );
    expect(d.candidates.map((c) => c.kind)).toEqual(['argocd', 'helm']);
  });

  it('Flux Kustomization and HelmRelease labels (both name and namespace needed)', () => {
    expect(
      detectManagers(
        meta({
          labels: {
            'kustomize.toolkit.fluxcd.io/name': 'shop',
            'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          },
          managers: ['kustomize-controller'],
        }),
        OPTIONS,
      ),
    ).toEqual({
      deployment: 'api',
      candidates: [{ kind: 'flux-kustomization', namespace: 'flux-system', name: 'shop' }],
      corroboratedBy: ['kustomize-controller'],
    });
    expect(
      detectManagers(
        meta({ labels: { 'helm.toolkit.fluxcd.io/name': 'shop', 'helm.toolkit.fluxcd.io/namespace': 'apps' } }),
        OPTIONS,
      ).candidates,
    ).toEqual([{ kind: 'flux-helmrelease', namespace: 'apps', name: 'shop' }]);
    expect(
      detectManagers(meta({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'shop' } }), OPTIONS).candidates,
    ).toEqual([]);
  });

  it('Helm needs managed-by: Helm and the release-name annotation; the release namespace defaults to the Deployment’s', () => {
    expect(
      detectManagers(
        meta({
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': 'shop' },
        }),
        OPTIONS,
      ).candidates,
    ).toEqual([{ kind: 'helm', release: 'shop', namespace: 'prod' }]);
    expect(detectManagers(meta({ labels: { 'app.kubernetes.io/managed-by': 'Helm' } }), OPTIONS).candidates).toEqual(
      [],
    );
  });

  it('plain kubectl: nothing', () => {
    expect(detectManagers(meta({ managers: ['kubectl-client-side-apply'] }), OPTIONS)).toEqual({
      deployment: 'api',
      candidates: [],
      corroboratedBy: [],
    });
  });
});

describe('gitops: config', () => {
  it('defaults: guard on, Argo CD in argocd, images rollback, Argo CD 2.x tracking label', () => {
    expect(testConfig().gitops).toEqual({
      guard: true,
      tracking_label: 'app.kubernetes.io/instance',
      argocd: { namespace: 'argocd', rollback: 'images' },
    });
  });

  it('guard: false needs a reason, and says how to give one', () => {
    expect(() => testConfig('gitops: { guard: false }')).toThrow(/gitops\.reason.*guard: false needs a reason/s);
    expect(testConfig('gitops: { guard: false, reason: "platform team" }').gitops).toMatchObject({
      guard: false,
      reason: 'platform team',
    });
  });

  it('sync_revision and a context of Argo CD’s own', () => {
    expect(
      testConfig('gitops: { argocd: { namespace: gitops, context: tools, rollback: sync_revision } }').gitops.argocd,
    ).toEqual({ namespace: 'gitops', context: 'tools', rollback: 'sync_revision' });
    expect(() => testConfig('gitops: { argocd: { rollback: undo } }')).toThrow(/rollback/);
  });
});

describe('the target release in an Application’s history (sync_revision)', () => {
  const history = [
    { id: 0, revision: 'a1', targetRevision: 'main', deployedAt: '2026-11-20T10:00:00Z' },
    { id: 1, revision: 'b2', targetRevision: 'main', deployedAt: '2026-11-24T02:00:00Z' },
    { id: 2, revision: 'c3', targetRevision: 'v1.2.3', deployedAt: '2026-11-24T03:00:00Z' },
  ];

  it('by tag first (the revision or the source’s targetRevision), newest entry winning', () => {
    expect(revisionFor(history, 'v1.2.3')?.revision).toBe('c3');
    expect(revisionFor([...history, { id: 3, revision: 'v1.2.2' }], 'v1.2.2')?.revision).toBe('v1.2.2');
  });

  it('else the entry deployed when the target’s ReplicaSet was created; nothing when neither says', () => {
    expect(revisionFor(history.slice(0, 2), 'v1.2.2', new Date('2026-11-24T02:00:30Z'))?.revision).toBe('b2');
    // The bad release deployed after it is not the target's.
    expect(revisionFor(history, 'v1.2.2', new Date('2026-11-24T02:00:30Z'))?.revision).toBe('b2');
    expect(revisionFor(history.slice(0, 2), 'v1.2.2')).toBeUndefined();
    expect(revisionFor(history.slice(0, 2), 'v1.2.2', new Date('2026-11-25T00:00:00Z'))).toBeUndefined();
  });
});
