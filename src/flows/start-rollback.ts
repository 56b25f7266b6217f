/**
 * `/rollback v1.2.3` and `rollback-commander start`: open the incident with every runbook step,
 * then queue the read-only immediate steps so the announcement and the target proposal are
 * ready while people are still reading the modal.
 */
import { UserFacingError } from '../domain/errors.ts';
import { alreadyOpen, type Incident, isCriticalTrigger, type Severity, type Trigger } from '../domain/incident.ts';
import { checkIssueLink, githubWebHost } from '../domain/issue-links.ts';
import { rolesForIncident } from '../domain/step-actions.ts';
import { advance } from '../domain/step-machine.ts';
import { AUTO_RUN_AT_START } from '../domain/steps.ts';
import { parseRelease, targetProblem } from '../domain/versions.ts';
import { withAutopilot } from './autopilot.ts';
import type { FlowDeps } from './deps.ts';
import type { NewEvent, StepJob } from './ports.ts';
import { requireRole } from './refuse.ts';
import { settleSlaTimers } from './sla-timers.ts';
import { checkStartVersions } from './start-checks.ts';
import { enqueue } from './step-command.ts';

export interface StartRequest {
  badVersion: string;
  target?: string;
  severity: Severity;
  trigger: Trigger;
  issueUrl?: string;
  impactStartedAt?: Date;
  detectedAt?: Date;
  actor: string;
  /** false: autopilot off for this incident (the modal's switch, `--no-autopilot`). */
  autopilot?: boolean;
  /** A drill (`--drill`, the modal's box, drill mode): marked everywhere, acts for real all the same. */
  drill?: boolean;
}

/**
 * Checks a start request the same way whichever surface sent it (domain/versions.ts decides what a
 * release is, domain/issue-links.ts which links count) and returns it with the tags as the repo
 * names them (`1.2.3` → `v1.2.3`) and the link normalised.
 */
export function validateStart(deps: FlowDeps, request: StartRequest): StartRequest {
  const pattern = deps.config.github.tag_pattern;
  const bad = parseRelease(request.badVersion, pattern, 'the bad release');
  if (!bad.ok) throw new UserFacingError('invalid_input', bad.problem);
  const req: StartRequest = { ...request, badVersion: bad.tag };
  if (request.target !== undefined) {
    const target = parseRelease(request.target, pattern, 'the target');
    if (!target.ok) throw new UserFacingError('invalid_input', target.problem);
    const problem = targetProblem(target.tag, bad.tag);
    if (problem) throw new UserFacingError('invalid_input', problem);
    req.target = target.tag;
  }
  if (request.issueUrl !== undefined) {
    const link = checkIssueLink(request.issueUrl, deps.githubWebHost ?? githubWebHost());
    if (!link.ok) throw new UserFacingError('invalid_input', link.problem);
    req.issueUrl = link.url;
  }
  const detected = req.detectedAt ?? deps.now();
  if (req.impactStartedAt && req.impactStartedAt > detected) {
    throw new UserFacingError(
      'invalid_input',
      'the first bad request cannot be after the detection time: correct one of them',
    );
  }
  if (detected.getTime() > deps.now().getTime() + 60_000)
    throw new UserFacingError(
      'invalid_input',
      'the detection time is in the future: use the time the problem was noticed',
    );
  return req;
}

export async function startRollback(deps: FlowDeps, request: StartRequest): Promise<Incident> {
  const req = validateStart(deps, request);
  const env = deps.config.environment.name;
  await requireRole(
    deps,
    { incidentId: null, actor: req.actor, action: 'start' },
    rolesForIncident('start'),
    'start a rollback',
  );
  // An open rollback is the first thing to say (the store still refuses a racing second one).
  const open = await deps.store.findOpen(env);
  if (open) throw new UserFacingError('conflict', alreadyOpen(env, open));
  // Before anything is announced or blocked: a typo'd or absent release must not open an incident.
  await checkStartVersions(deps, req);
  const now = deps.now();
  const critical = isCriticalTrigger(req.trigger);
  const incident = await deps.store.create(
    {
      environment: env,
      badVersion: req.badVersion,
      targetVersion: null,
      targetSource: null,
      severity: req.severity,
      trigger: req.trigger,
      critical,
      issueUrl: req.issueUrl ?? null,
      createdBy: req.actor,
      createdAt: now,
      impactStartedAt: req.impactStartedAt ?? null,
      detectedAt: req.detectedAt ?? now,
      autopilot: req.autopilot ?? true,
      drill: req.drill ?? false,
    },
    [
      {
        kind: 'incident_started',
        actor: req.actor,
        payload: {
          badVersion: req.badVersion,
          requestedTarget: req.target ?? null,
          severity: req.severity,
          trigger: req.trigger,
          critical,
          issueUrl: req.issueUrl ?? null,
          environment: env,
          autopilot: req.autopilot ?? true,
          drill: req.drill ?? false,
        },
      },
    ],
  );
  const jobs = await queueAutoSteps(deps, incident.id, req.target);
  // The incident is open either way: with Redis down its first steps wait, queued in Postgres,
  // until the worker's reconciler enqueues them.
  await Promise.all(
    jobs.map((job) =>
      enqueue(deps, job).catch((err: unknown) =>
        deps.log.warn({ err, job }, 'step queued in Postgres only; the reconciler will enqueue it'),
      ),
    ),
  );
  await settleSlaTimers(deps, incident.id, [{ kind: 'incident_started' }]);
  return incident;
}

/** The system queues the read-only immediate steps (the requested target rides along as input). */
async function queueAutoSteps(
  deps: FlowDeps,
  incidentId: string,
  requestedTarget: string | undefined,
): Promise<StepJob[]> {
  return deps.store.mutate(incidentId, (snap) => {
    const now = deps.now();
    const steps = AUTO_RUN_AT_START.map((id) => {
      const rec = snap.steps.get(id)!;
      const queued = advance(rec, 'enqueue', now, 'rollback-commander');
      return id === 'select_release' && requestedTarget
        ? { ...queued, output: { ...queued.output, requestedTarget } }
        : queued;
    });
    const events: NewEvent[] = steps.map((s) => ({
      kind: 'step_queued',
      actor: 'rollback-commander',
      at: now,
      stepId: s.stepId,
      payload: { attempt: s.attempt, automatic: true },
    }));
    // Autopilot's first move (pause_deploys) commits with the incident's first steps.
    const auto = withAutopilot(deps, snap, { steps });
    const jobs = steps.map((s) => ({ incidentId, stepId: s.stepId, attempt: s.attempt }));
    return { steps: auto.steps, events: [...events, ...auto.events], result: [...jobs, ...auto.jobs] };
  });
}
