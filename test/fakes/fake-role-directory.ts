/** An in-memory RoleDirectory (flows/ports.ts): who holds which role, set by the test. */
import { ROLES, type Role } from '../../src/domain/steps.ts';
import type { RoleDirectory } from '../../src/flows/ports.ts';

export interface FakeRoleDirectory extends RoleDirectory {
  grant(role: Role, userId: string): void;
}

export function createFakeRoleDirectory(): FakeRoleDirectory {
  const members = new Map<Role, string[]>(ROLES.map((r) => [r, []]));
  return {
    grant(role, userId) {
      const list = members.get(role)!;
      if (!list.includes(userId)) list.push(userId);
    },
    rolesOf: async (userId) => ROLES.filter((r) => members.get(r)!.includes(userId)),
    membersOf: async (role) => [...members.get(role)!],
  };
}
