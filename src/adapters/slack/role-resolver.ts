/**
 * Who holds which role (PRODUCT.md): user ids from rollback.yml plus members of the configured
 * Slack user groups. usergroups.users.list is a Tier 2 method (about 20 calls a minute), so
 * membership is cached with an expiry and concurrent look-ups share one call.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { ROLES, type Role } from '../../domain/steps.ts';
import { mapSlackError } from './slack-errors.ts';

export interface RoleMembersConfig {
  users: string[];
  usergroups: string[];
}

export interface RoleResolverOptions {
  client: Pick<WebClient, 'usergroups'>;
  /** `roles` from rollback.yml. */
  roles: Record<Role, RoleMembersConfig>;
  /** slack.usergroup_cache. */
  cacheMs: number;
  now?: () => number;
  /**
   * Clicks are authorized before Bolt's 3-second ack: a slow look-up answers from rollback.yml's
   * user ids after this long (the call still completes and fills the cache).
   */
  lookupTimeoutMs?: number;
  logger?: Pick<Logger, 'warn'>;
}

/** Satisfies the flows' RoleDirectory port (src/flows/ports.ts). */
export interface RoleResolver {
  rolesOf(userId: string): Promise<Role[]>;
  /** User ids holding one role: configured users first, then group members. */
  membersOf(role: Role): Promise<string[]>;
  /** Everyone per role, for the checklist header. */
  members(): Promise<Record<Role, string[]>>;
}

interface CacheEntry {
  users: string[];
  expiresAt: number;
}

export function createRoleResolver(options: RoleResolverOptions): RoleResolver {
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<string[]>>();

  async function fetchGroup(group: string): Promise<string[]> {
    try {
      const res = await options.client.usergroups.users.list({ usergroup: group });
      const users = res.users ?? [];
      cache.set(group, { users, expiresAt: now() + options.cacheMs });
      return users;
    } catch (err) {
      // Slack unreachable or refusing: only the user ids written in rollback.yml count, which
      // may refuse someone who is in the group; say so in the log rather than fail the click.
      const mapped = mapSlackError(err, `while listing the members of user group ${group}`);
      options.logger?.warn(
        { err: mapped, usergroup: group },
        'user group unavailable: using only the user ids in rollback.yml for its role',
      );
      return [];
    }
  }

  function groupMembers(group: string): Promise<string[]> {
    const entry = cache.get(group);
    if (entry && entry.expiresAt > now()) return Promise.resolve(entry.users);
    let pending = inFlight.get(group);
    if (!pending) {
      pending = fetchGroup(group).finally(() => inFlight.delete(group));
      inFlight.set(group, pending);
    }
    return withTimeout(pending, options.lookupTimeoutMs ?? 1500, () => {
      options.logger?.warn(
        { usergroup: group },
        'user group look-up is slow: using only the user ids in rollback.yml for now',
      );
      return [];
    });
  }

  async function membersOf(role: Role): Promise<string[]> {
    const config = options.roles[role];
    const groups = await Promise.all(config.usergroups.map(groupMembers));
    return [...new Set([...config.users, ...groups.flat()])];
  }

  return {
    membersOf,
    async rolesOf(userId) {
      const held = await Promise.all(
        ROLES.map(async (role) => ((await membersOf(role)).includes(userId) ? role : null)),
      );
      return held.filter((r): r is Role => r !== null);
    },
    async members() {
      const entries = await Promise.all(ROLES.map(async (role) => [role, await membersOf(role)] as const));
      return Object.fromEntries(entries) as Record<Role, string[]>;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
