/**
 * The app's Kubernetes Secret and Deployments as backup_promote uses them: read and write one key,
 * name the controllers that would write it back, restart and wait (the K8s adapters implement them).
 */

/** One key of a Kubernetes Secret (K8sSecrets answers undefined for a missing key). */
export interface SecretKeys {
  readKey(secret: string, key: string): Promise<string | null | undefined>;
  writeKey(secret: string, key: string, value: string): Promise<void>;
  /** Controllers (External Secrets, Sealed Secrets, Argo CD, Flux) that would write the Secret back. */
  readManagers(secret: string): Promise<string[]>;
}

export interface SecretStore {
  /** null when the key is absent. */
  readKey(secret: string, key: string): Promise<string | null>;
  writeKey(secret: string, key: string, value: string): Promise<void>;
}

export interface RestartableDeployments {
  /** `kubectl rollout restart`: the same `at` twice sets the same annotation, so no second rollout. */
  restart(name: string, at: Date): Promise<void>;
  waitForRollout(
    name: string,
    options: {
      timeoutMs: number;
      signal?: AbortSignal;
      onProgress?: (progress: { deployment: string; message: string; done: boolean }) => void;
    },
  ): Promise<void>;
}
