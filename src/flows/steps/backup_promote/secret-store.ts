/**
 * The Secret as backup_promote reads and writes it: `null` for a missing key. The step builds it
 * over the SecretKeys port (index.ts); tests hand the promotion an in-memory one.
 */
export interface SecretStore {
  /** null when the key is absent. */
  readKey(secret: string, key: string): Promise<string | null>;
  writeKey(secret: string, key: string, value: string): Promise<void>;
}
