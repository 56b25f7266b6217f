/** An in-memory Backlog (flows/ports.ts): list lengths by key, or a key of another Redis type. */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { Backlog } from '../../src/flows/ports.ts';

export interface FakeBacklog extends Backlog {
  /** A list's length, or the Redis type of a key that is not a list ('string', 'hash', …). */
  keys: Map<string, number | string>;
}

export function createFakeBacklog(): FakeBacklog {
  const keys = new Map<string, number | string>();
  return {
    keys,
    async depth(key) {
      const value = keys.get(key);
      if (typeof value === 'string') {
        throw new UserFacingError(
          'invalid_input',
          `${key} on the app's Redis is a ${value}, not a list: check target.backlog_key in rollback.yml`,
        );
      }
      return value ?? 0;
    },
  };
}
