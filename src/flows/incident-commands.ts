/** Incident-wide commands: abort the whole rollback, and record the running images as good. */
import { UserFacingError } from '../domain/errors.ts';
import { rolesForIncident } from '../domain/step-actions.ts';
import { advance, canTransition } from '../domain/step-machine.ts';
import { cleanUserText } from '../domain/user-text.ts';
import { imageTag, releaseProblem } from '../domain/versions.ts';
import type { FlowDeps } from './deps.ts';
import type { Deployments, NewEvent, StepJob } from './ports.ts';
import { refuse, requireRole } from './refuse.ts';

export async function abortIncident(
  deps: FlowDeps,
  cmd: { incidentId: string; actor: string; reason: string },
): Promise<void> {
  const reason = cleanUserText(cmd.reason).trim();
  if (!reason) throw new UserFacingError('invalid_input', 'aborting a rollback needs a reason: add `--reason "…"`');
  const at = { incidentId: cmd.incidentId, actor: cmd.actor, action: 'abort_incident' };
  await deps.store.get(cmd.incidentId);
  await requireRole(deps, at, rolesForIncident('abort_incident'), 'abort the rollback');
  const result = await deps.store.mutate(cmd.incidentId, (snap) => {
    if (snap.incident.state !== 'open') return { events: [], result: null };
    const now = deps.now();
    const stopping = [...snap.steps.values()].filter(
      (s) => s.state === 'queued' || s.state === 'running' || s.state === 'awaiting_confirmation',
    );
    const steps = stopping
      .filter((s) => canTransition(s.state, 'abort'))
      .map((s) => advance(s, 'abort', now, cmd.actor, { summary: `Aborted with the incident: ${reason}` }));
    const events: NewEvent[] = [
      ...steps.map((s) => ({
        kind: 'step_aborted' as const,
        actor: cmd.actor,
        at: now,
        stepId: s.stepId,
        payload: { reason },
      })),
      { kind: 'incident_aborted', actor: cmd.actor, at: now, payload: { reason } },
    ];
    const jobs: StepJob[] = stopping
      .filter((s) => s.state !== 'awaiting_confirmation')
      .map((s) => ({ incidentId: s.incidentId, stepId: s.stepId, attempt: s.attempt }));
    return { steps, incident: { state: 'aborted' }, events, result: { events, jobs } };
  });
  if (!result) return refuse(deps, at, 'conflict', `incident ${cmd.incidentId} is not open`);
  for (const job of result.jobs)
    await deps.queue.abort(job, reason).catch((err) => deps.log.error({ err, job }, 'could not signal an abort'));
}

/** `rollback-commander mark-good`: the images running now are known to be good. */
export async function markGood(
  deps: FlowDeps & { deployments: Deployments },
  cmd: { actor: string; version?: string },
): Promise<{ version: string | null; images: Record<string, string> }> {
  await requireRole(
    deps,
    { incidentId: null, actor: cmd.actor, action: 'mark_good' },
    rolesForIncident('start'),
    'record known-good images',
  );
  const images: Record<string, string> = {};
  for (const d of deps.config.deployments) {
    const snap = await deps.deployments.get(d.name);
    const c = snap.containers.find((x) => x.container === d.container);
    if (!c)
      throw new UserFacingError(
        'not_found',
        `deployment ${d.name} has no container "${d.container}": fix deployments[].container in rollback.yml`,
      );
    images[d.name] = c.image;
  }
  const tags = new Set(Object.values(images).map(imageTag));
  const version = cmd.version ?? (tags.size === 1 ? ([...tags][0] ?? null) : null);
  if (!version)
    throw new UserFacingError(
      'invalid_input',
      `the Deployments run different tags (${Object.entries(images)
        .map(([n, i]) => `${n}=${imageTag(i)}`)
        .join(', ')}): say which release this is with --version`,
    );
  // Only releases: a `sha-…` record would poison every later proposal (semver can't order it).
  const problem = releaseProblem(version, deps.config.github.tag_pattern);
  if (problem) {
    throw new UserFacingError(
      'invalid_input',
      `not recorded: ${problem}. A known-good record is a release select_release can propose (like v1.2.2): if these images are that release, say so with --version vX.Y.Z`,
    );
  }
  await deps.store.recordKnownGood({
    environment: deps.config.environment.name,
    version,
    images,
    source: 'mark-good',
    recordedBy: cmd.actor,
    recordedAt: deps.now(),
  });
  return { version, images };
}

/**
 * Security exposure or data corruption found mid-incident: the incident becomes critical, which
 * offers the backup restore (PRODUCT.md: captain or SRE may mark critical).
 */
export async function markCritical(
  deps: FlowDeps,
  cmd: { incidentId: string; actor: string; reason: string },
): Promise<void> {
  const reason = cleanUserText(cmd.reason).trim();
  if (!reason)
    throw new UserFacingError(
      'invalid_input',
      'say why the incident is critical (security exposure, data corruption): add `--reason "…"`',
    );
  const at = { incidentId: cmd.incidentId, actor: cmd.actor, action: 'mark_critical' };
  await deps.store.get(cmd.incidentId);
  await requireRole(deps, at, rolesForIncident('mark_critical'), 'mark the incident critical');
  const events = await deps.store.mutate(cmd.incidentId, (snap) => {
    if (snap.incident.state !== 'open' || snap.incident.critical) return { events: [], result: null };
    const evs: NewEvent[] = [
      { kind: 'incident_marked_critical', actor: cmd.actor, at: deps.now(), payload: { reason } },
    ];
    return { incident: { critical: true }, events: evs, result: evs };
  });
  if (!events) {
    const { incident } = await deps.store.get(cmd.incidentId);
    return refuse(
      deps,
      at,
      'conflict',
      incident.critical
        ? `incident ${cmd.incidentId} is already critical`
        : `incident ${cmd.incidentId} is ${incident.state}`,
    );
  }
}
