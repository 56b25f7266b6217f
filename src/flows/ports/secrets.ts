/**
 * The app's Kubernetes Secret as backup_promote uses it: read and write one key, name the
 * controllers that would write it back (the K8s adapter implements it). Restarting the app is
 * `RestartableDeployments`, the part of `Deployments` it needs (flows/ports.ts).
 */

/** One key of a Kubernetes Secret (K8sSecrets answers undefined for a missing key). */
export interface SecretKeys {
  readKey(secret: string, key: string): Promise<string | null | undefined>;
  writeKey(secret: string, key: string, value: string): Promise<void>;
  /** Controllers (External Secrets, Sealed Secrets, Argo CD, Flux) that would write the Secret back. */
  readManagers(secret: string): Promise<string[]>;
}
