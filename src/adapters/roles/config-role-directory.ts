/**
 * Roles from the user ids in rollback.yml — what the CLI uses, and what Slack falls back to when
 * usergroups cannot be read (PRODUCT.md: when Slack is unreachable, roles come from config).
 */
import type { RunbookConfig } from '../../config/schema.ts';
import { ROLES, type Role } from '../../domain/steps.ts';
import type { RoleDirectory } from '../../flows/ports.ts';

export function createConfigRoleDirectory(roles: RunbookConfig['roles']): RoleDirectory {
  return {
    rolesOf: async (userId: string) => ROLES.filter((r) => roles[r].users.includes(userId)),
    membersOf: async (role: Role) => [...roles[role].users],
  };
}
