/**
 * The CLI's view of the store: everything a person does through it is stamped with the OS
 * account it came from (events' `payload.via`, approvals' and steps' origin), in one place, so
 * no flow can forget it. The bot's own actions (actor `rollback-commander`) are left alone.
 */
import type { CliOrigin } from '../domain/origin.ts';
import type { IncidentSnapshot, IncidentStore, Mutation, NewEvent } from './ports.ts';

const SYSTEM = 'rollback-commander';

export function withCliOrigin(store: IncidentStore, origin: CliOrigin): IncidentStore {
  const stamp = <E extends Omit<NewEvent, 'at'>>(e: E): E =>
    e.actor === SYSTEM ? e : { ...e, payload: { ...e.payload, via: origin } };
  const stampMutation = <R>(snap: IncidentSnapshot, m: Mutation<R>): Mutation<R> => ({
    ...m,
    events: m.events.map(stamp),
    approvals: m.approvals?.map((a) => ({ ...a, via: origin })),
    // A step this command moved on a person's behalf; a record only touched (a version bump) keeps its origin.
    steps: m.steps?.map((s) => {
      const before = snap.steps.get(s.stepId);
      const moved = !before || before.state !== s.state || before.attempt !== s.attempt;
      return moved && s.actor && s.actor !== SYSTEM ? { ...s, actorVia: origin } : s;
    }),
  });
  return {
    ...store,
    create: (input, events) => store.create(input, events.map(stamp)),
    append: (incidentId, events) => store.append(incidentId, events.map(stamp)),
    mutate: (incidentId, change) => store.mutate(incidentId, async (snap) => stampMutation(snap, await change(snap))),
  };
}
