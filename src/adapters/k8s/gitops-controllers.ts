/**
 * The GitOpsControllers port on @kubernetes/client-node: Argo CD Applications
 * (argoproj.io/v1alpha1) and Flux Kustomizations (kustomize.toolkit.fluxcd.io/v1) and
 * HelmReleases (helm.toolkit.fluxcd.io/v2) through CustomObjectsApi. Custom resources take JSON
 * merge patches (no strategic merge), which is also how Argo CD itself turns auto-sync off.
 * The Applications may live in another cluster (where Argo CD runs): their own kubeconfig.
 */
import { AppsV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type ArgoAutomated, FLUX_REQUESTED_AT } from '../../domain/gitops.ts';
import type { ArgoApplicationState, FluxKind, FluxState, GitOpsControllers } from '../../flows/ports.ts';
import { httpStatus, k8sError } from './k8s-errors.ts';
import { FIELD_MANAGER } from './k8s-managed-fields.ts';
import { DEFAULT_K8S_RETRY, type K8sRetryPolicy, withK8sRetry } from './k8s-retry.ts';

export interface GitOpsOptions {
  kubeConfig: KubeConfig;
  /** The kubeconfig for Argo CD's cluster when it is another one (gitops.argocd.context). */
  argocdKubeConfig?: KubeConfig;
  namespace: string;
  retry?: K8sRetryPolicy;
}

const CRDS = {
  argocd: { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', label: 'Argo CD Application' },
  'flux-kustomization': {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
    label: 'Flux Kustomization',
  },
  'flux-helmrelease': {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
    label: 'Flux HelmRelease',
  },
} as const;
type CrdKind = keyof typeof CRDS;
const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Obj = {
  metadata?: { annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  operation?: unknown;
};

export function createK8sGitOps({
  kubeConfig,
  argocdKubeConfig,
  namespace,
  retry = DEFAULT_K8S_RETRY,
}: GitOpsOptions): GitOpsControllers {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const argo = (argocdKubeConfig ?? kubeConfig).makeApiClient(CustomObjectsApi);
  const serverOf = (kc: KubeConfig) => kc.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';

  function call<T>(
    kind: CrdKind,
    verb: string,
    ns: string,
    name: string,
    doing: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const crd = CRDS[kind];
    const server = serverOf(kind === 'argocd' ? (argocdKubeConfig ?? kubeConfig) : kubeConfig);
    const toError = (err: unknown) =>
      k8sError(err, {
        doing,
        verb,
        resource: crd.plural,
        group: crd.group,
        namespace: ns,
        object: `${crd.label} ${ns}/${name}`,
        server,
      });
    return withK8sRetry(retry, toError, fn);
  }

  /** The object, or null on 404 (the retry wrapper must not turn "absent" into an error). */
  async function read(kind: CrdKind, ns: string, name: string): Promise<Obj | null> {
    const crd = CRDS[kind];
    const api = kind === 'argocd' ? argo : custom;
    return call(kind, 'get', ns, name, `reading ${crd.label} ${ns}/${name}`, async () => {
      try {
        return (await api.getNamespacedCustomObject({
          group: crd.group,
          version: crd.version,
          namespace: ns,
          plural: crd.plural,
          name,
        })) as Obj;
      } catch (err) {
        if (httpStatus(err) === 404) return null;
        throw err;
      }
    });
  }

  function patch(kind: CrdKind, ns: string, name: string, doing: string, body: object): Promise<unknown> {
    const crd = CRDS[kind];
    const api = kind === 'argocd' ? argo : custom;
    return call(kind, 'patch', ns, name, doing, () =>
      api.patchNamespacedCustomObject(
        {
          group: crd.group,
          version: crd.version,
          namespace: ns,
          plural: crd.plural,
          name,
          body,
          fieldManager: FIELD_MANAGER,
        },
        mergePatch(),
      ),
    );
  }

  return {
    async deploymentMetadata(name) {
      const server = serverOf(kubeConfig);
      const toError = (err: unknown) =>
        k8sError(err, {
          doing: `reading deployment ${namespace}/${name}`,
          verb: 'get',
          resource: 'deployments',
          group: 'apps',
          namespace,
          object: `deployment ${namespace}/${name}`,
          server,
        });
      const d = await withK8sRetry(retry, toError, () => apps.readNamespacedDeployment({ name, namespace }));
      return {
        name,
        namespace,
        labels: d.metadata?.labels ?? {},
        annotations: d.metadata?.annotations ?? {},
        managers: [...new Set((d.metadata?.managedFields ?? []).map((m) => m.manager ?? '').filter(Boolean))],
      };
    },

    async getApplication(ns, name) {
      const app = await read('argocd', ns, name);
      return app && applicationState(ns, name, app);
    },

    async setArgoAutomated(ns, name, automated, current) {
      // A merge patch merges into what is there: keys the record lacks are removed explicitly.
      const value =
        automated === null
          ? null
          : { ...Object.fromEntries(Object.keys(current ?? {}).map((k) => [k, null])), ...automated };
      const doing =
        automated === null
          ? `turning auto-sync off on Argo CD Application ${ns}/${name}`
          : `restoring auto-sync on Argo CD Application ${ns}/${name}`;
      await patch('argocd', ns, name, doing, { spec: { syncPolicy: { automated: value } } });
    },

    async syncApplication(ns, name, revision, initiatedBy) {
      await patch('argocd', ns, name, `asking Argo CD Application ${ns}/${name} to sync revision ${revision}`, {
        operation: { sync: { revision }, initiatedBy: { username: initiatedBy } },
      });
    },

    async getFlux(kind, ns, name) {
      const object = await read(kind, ns, name);
      if (!object) return null;
      const suspend = object.spec?.suspend;
      const status = object.status ?? {};
      return {
        kind,
        namespace: ns,
        name,
        suspend: typeof suspend === 'boolean' ? suspend : null,
        ...(typeof status.lastAppliedRevision === 'string' ? { lastAppliedRevision: status.lastAppliedRevision } : {}),
        ...(typeof status.lastHandledReconcileAt === 'string'
          ? { lastHandledReconcileAt: status.lastHandledReconcileAt }
          : {}),
      } satisfies FluxState;
    },

    async setFluxSuspend(kind: FluxKind, ns, name, suspend, requestedAt) {
      const what = `${CRDS[kind].label} ${ns}/${name}`;
      const doing = suspend === true ? `suspending ${what}` : `resuming ${what}`;
      const metadata = requestedAt ? { metadata: { annotations: { [FLUX_REQUESTED_AT]: requestedAt } } } : {};
      await patch(kind, ns, name, doing, { ...metadata, spec: { suspend } });
    },
  };
}

function applicationState(namespace: string, name: string, app: Obj): ArgoApplicationState {
  const spec = app.spec ?? {};
  const status = app.status ?? {};
  const source = (spec.source ?? (spec.sources as unknown[] | undefined)?.[0] ?? {}) as {
    repoURL?: string;
    targetRevision?: string;
  };
  const automated = ((spec.syncPolicy as { automated?: ArgoAutomated } | undefined)?.automated ??
    null) as ArgoAutomated;
  const sync = (status.sync ?? {}) as { status?: string; revision?: string };
  const op = status.operationState as
    | { phase?: string; message?: string; finishedAt?: string; syncResult?: { revision?: string } }
    | undefined;
  const history = ((status.history as Record<string, unknown>[] | undefined) ?? []).map((h) => ({
    id: Number(h.id),
    revision: String(h.revision ?? ''),
    ...((h.source as { targetRevision?: string } | undefined)?.targetRevision
      ? { targetRevision: (h.source as { targetRevision: string }).targetRevision }
      : {}),
    ...(typeof h.deployedAt === 'string' ? { deployedAt: h.deployedAt } : {}),
  }));
  return {
    namespace,
    name,
    automated,
    ...(sync.revision ? { syncRevision: sync.revision } : {}),
    ...(sync.status ? { syncStatus: sync.status } : {}),
    ...(source.targetRevision ? { targetRevision: source.targetRevision } : {}),
    ...(source.repoURL ? { repoURL: source.repoURL } : {}),
    history,
    operationInProgress: app.operation !== undefined || op?.phase === 'Running' || op?.phase === 'Terminating',
    ...(op?.phase
      ? {
          operationState: {
            phase: op.phase,
            ...(op.message ? { message: op.message } : {}),
            ...(op.syncResult?.revision ? { revision: op.syncResult.revision } : {}),
            ...(op.finishedAt ? { finishedAt: op.finishedAt } : {}),
          },
        }
      : {}),
  };
}
