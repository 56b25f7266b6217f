/**
 * One key of a Secret at a time — what promoting a restored database needs (swap the
 * connection string, then restart). Values never appear in errors or logs.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { K8sOptions } from './k8s-deployments.ts';
import { k8sError } from './k8s-errors.ts';
import { DEFAULT_K8S_RETRY, withK8sRetry } from './k8s-retry.ts';
import { describeSecretManagers } from './secret-managers.ts';

export interface K8sSecrets {
  /** The key's decoded value; undefined when the Secret has no such key. Throws not_found when the Secret is missing. */
  readKey(secret: string, key: string): Promise<string | undefined>;
  /** Sets one key (base64 in `data`), leaving the others alone. The Secret must exist. */
  writeKey(secret: string, key: string, value: string): Promise<void>;
  /** Controllers that would write the Secret back (secret-managers.ts); empty when none is seen. */
  readManagers(secret: string): Promise<string[]>;
}

export function createK8sSecrets({ kubeConfig, namespace, retry = DEFAULT_K8S_RETRY }: K8sOptions): K8sSecrets {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const server = kubeConfig.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)';

  async function call<T>(verb: string, name: string, doing: string, fn: () => Promise<T>): Promise<T> {
    const object = `secret ${namespace}/${name}`;
    const toError = (err: unknown) =>
      k8sError(err, { doing, verb, resource: 'secrets', group: '', namespace, object, server });
    return withK8sRetry(retry, toError, fn);
  }

  return {
    async readKey(secret, key) {
      const found = await call('get', secret, `reading key "${key}" of secret ${namespace}/${secret}`, () =>
        core.readNamespacedSecret({ name: secret, namespace }),
      );
      const encoded = found.data?.[key];
      return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
    },

    async readManagers(secret) {
      const found = await call('get', secret, `reading secret ${namespace}/${secret}`, () =>
        core.readNamespacedSecret({ name: secret, namespace }),
      );
      const { labels, annotations, ownerReferences } = found.metadata ?? {};
      return describeSecretManagers({ labels, annotations, ownerReferences });
    },

    async writeKey(secret, key, value) {
      // A merge patch of one `data` entry: the map merges, other keys stay as they are.
      const body = { data: { [key]: Buffer.from(value, 'utf8').toString('base64') } };
      await call('patch', secret, `writing key "${key}" of secret ${namespace}/${secret}`, () =>
        core.patchNamespacedSecret(
          { name: secret, namespace, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
    },
  };
}
