/**
 * The captain or the SRE corrects `impact_started_at` (the first bad request, found later in the
 * logs) or `detected_at`. An order that cannot be — detected before the impact, decided or
 * restored before detection — is refused with the reason. A correction moves the SLA deadlines,
 * so the timers are rescheduled.
 */
import { UserFacingError } from '../domain/errors.ts';
import { rolesForIncident } from '../domain/step-actions.ts';
import { timeOrderProblem } from '../domain/times.ts';
import type { FlowDeps } from './deps.ts';
import type { IncidentPatch, NewEvent } from './ports.ts';

type TimesCorrected = Extract<NewEvent, { kind: 'times_corrected' }>;

import { refuse, requireRole } from './refuse.ts';
import { settleSlaTimers } from './sla-timers.ts';

export interface CorrectTimes {
  incidentId: string;
  actor: string;
  impactStartedAt?: Date;
  detectedAt?: Date;
}

type Field = 'impact_started_at' | 'detected_at';
type Result = { ok: true; events: TimesCorrected[] } | { ok: false; reason: string };

export async function correctTimes(deps: FlowDeps, cmd: CorrectTimes): Promise<TimesCorrected[]> {
  if (!cmd.impactStartedAt && !cmd.detectedAt) {
    throw new UserFacingError(
      'invalid_input',
      'nothing to correct: give the first bad request (--impact-started) and/or the detection time (--detected), in ISO 8601',
    );
  }
  const at = { incidentId: cmd.incidentId, actor: cmd.actor, action: 'correct_times' };
  await deps.store.get(cmd.incidentId);
  await requireRole(deps, at, rolesForIncident('correct_times'), 'correct the incident times');
  const result = await deps.store.mutate<Result>(cmd.incidentId, (snap) => {
    const i = snap.incident;
    if (i.state === 'aborted')
      return {
        events: [],
        result: { ok: false, reason: `incident ${i.id} was aborted: its times are no longer tracked` },
      };
    const next = {
      ...i,
      impactStartedAt: cmd.impactStartedAt ?? i.impactStartedAt,
      detectedAt: cmd.detectedAt ?? i.detectedAt,
    };
    const problem = timeOrderProblem(next, deps.now());
    if (problem)
      return {
        events: [],
        result: { ok: false, reason: `those times cannot all be true: ${problem}. Nothing was changed` },
      };
    const now = deps.now();
    const patch: IncidentPatch = {};
    const events: TimesCorrected[] = [];
    const change = (field: Field, from: Date | null, to: Date | undefined) => {
      if (!to || from?.getTime() === to.getTime()) return;
      events.push({
        kind: 'times_corrected',
        actor: cmd.actor,
        at: now,
        payload: { field, from: from?.toISOString() ?? null, to: to.toISOString() },
      });
      if (field === 'impact_started_at') patch.impactStartedAt = to;
      else patch.detectedAt = to;
    };
    change('impact_started_at', i.impactStartedAt, cmd.impactStartedAt);
    change('detected_at', i.detectedAt, cmd.detectedAt);
    return { incident: patch, events, result: { ok: true, events } };
  });
  if (!result.ok) return refuse(deps, at, 'invalid_input', result.reason);
  if (result.events.length) {
    await settleSlaTimers(deps, cmd.incidentId, result.events);
  }
  return result.events;
}
