/**
 * Standard kubeconfig resolution (KUBECONFIG, ~/.kube/config, the in-cluster service account),
 * with the context pinned when the runbook config names one: a rollback must never act on
 * whatever context someone last switched to.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { UserFacingError } from '../../domain/errors.ts';

export interface LoadKubeConfigOptions {
  /** The context to use (environment.kube.context in rollback.yml); the kubeconfig's current one when absent. */
  context?: string;
  /** Read this file instead of the standard resolution. */
  path?: string;
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  const source =
    options.path ??
    (process.env.KUBECONFIG
      ? `KUBECONFIG=${process.env.KUBECONFIG}`
      : '~/.kube/config or the in-cluster service account');
  try {
    if (options.path) kubeConfig.loadFromFile(options.path);
    else kubeConfig.loadFromDefault();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserFacingError(
      'config_invalid',
      `cannot load the kubeconfig (${source}): ${reason}: fix the file, or point KUBECONFIG at a valid kubeconfig`,
      { cause: err },
    );
  }
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new UserFacingError(
        'config_invalid',
        `kube context "${options.context}" is not in the kubeconfig (${source}; it has: ${known.join(', ') || 'no contexts'}): ` +
          'set environment.kube.context in rollback.yml to one of them (or remove it to use the current context), or point KUBECONFIG at the kubeconfig that has it',
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  return kubeConfig;
}
