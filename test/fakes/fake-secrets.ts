/**
 * An in-memory Secret port (flows/ports/secrets.ts: SecretKeys, which also serves as SecretStore):
 * Secrets by name with their keys, and the controllers that manage them, as the K8s adapter reports
 * them ("External Secrets (owned by ExternalSecret app-db)").
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { SecretKeys } from '../../src/flows/ports.ts';

export interface FakeSecrets extends SecretKeys {
  secrets: Map<string, Map<string, string>>;
  managers: Map<string, string[]>;
}

export function createFakeSecrets(namespace = 'prod'): FakeSecrets {
  const secrets = new Map<string, Map<string, string>>();
  const managers = new Map<string, string[]>();
  const find = (name: string, doing: string): Map<string, string> => {
    const found = secrets.get(name);
    if (!found) throw new UserFacingError('not_found', `while ${doing}: secret ${namespace}/${name} was not found`);
    return found;
  };
  return {
    secrets,
    managers,
    async readKey(secret, key) {
      return find(secret, `reading key "${key}" of secret ${namespace}/${secret}`).get(key);
    },
    async writeKey(secret, key, value) {
      find(secret, `writing key "${key}" of secret ${namespace}/${secret}`).set(key, value);
    },
    async readManagers(secret) {
      find(secret, `reading secret ${namespace}/${secret}`);
      return [...(managers.get(secret) ?? [])];
    },
  };
}
