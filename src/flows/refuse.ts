/**
 * PRODUCT.md: every refusal answers the user, runs nothing, and is written to the timeline.
 */
import { type ErrorCode, UserFacingError } from '../domain/errors.ts';
import type { Role, StepId } from '../domain/steps.ts';
import { mentionOf } from '../domain/user-text.ts';
import type { FlowDeps } from './deps.ts';
import type { NewEvent } from './ports.ts';

export const ROLE_TITLES: Record<Role, string> = {
  release_captain: 'Release Captain',
  oncall_sre: 'On-Call SRE',
  database_owner: 'Database Owner',
};

export function describeRoles(roles: readonly Role[]): string {
  return roles.length === 0 ? 'no role' : roles.map((r) => ROLE_TITLES[r]).join(' or ');
}

export async function refuse(
  deps: FlowDeps,
  at: { incidentId: string | null; stepId?: StepId | null; actor: string; action: string },
  code: ErrorCode,
  reason: string,
): Promise<never> {
  if (at.incidentId) {
    const event: NewEvent = {
      kind: 'action_refused',
      actor: at.actor,
      at: deps.now(),
      stepId: at.stepId ?? null,
      payload: { action: at.action, reason },
    };
    try {
      await deps.store.append(at.incidentId, [event]);
    } catch (err) {
      deps.log.error({ err, incidentId: at.incidentId }, 'could not record a refusal in the timeline');
    }
  }
  throw new UserFacingError(code, reason);
}

/** Refuses unless the actor holds one of the roles; returns the actor's roles. */
export async function requireRole(
  deps: FlowDeps,
  at: { incidentId: string | null; stepId?: StepId | null; actor: string; action: string },
  allowed: readonly Role[],
  what: string,
): Promise<Role[]> {
  const roles = await deps.roles.rolesOf(at.actor);
  if (roles.some((r) => allowed.includes(r))) return roles;
  const holders = (await Promise.all(allowed.map((r) => deps.roles.membersOf(r)))).flat();
  const who = holders.length ? ` Ask ${[...new Set(holders)].map(mentionOf).join(', ')}.` : '';
  return refuse(
    deps,
    at,
    'forbidden',
    `only the ${describeRoles(allowed)} may ${what} (you are ${describeRoles(roles)}).${who}`,
  );
}
