/**
 * SLA reminders (50 %, 80 %) and breach notices (100 %) as delayed jobs. Postgres is the truth:
 * the wanted timers are recomputed from the incident's times whenever they may have changed and
 * the queue is made to match. A timer re-checks the incident when it fires, so a late cancel, a
 * duplicate run or a restarted worker never sends a notice that is no longer true — or one twice.
 */
import { isAppError } from '../domain/errors.ts';
import type { TimelineEvent } from '../domain/incident.ts';
import { stepDefinition } from '../domain/steps.ts';
import { exhaustive, type TimelineKind } from '../domain/timeline-events.ts';
import { marksToSchedule, type TimerMark, timerMarks } from '../domain/times.ts';
import type { FlowDeps } from './deps.ts';
import type { IncidentSnapshot, NewEvent, SlaTimerJob } from './ports.ts';
import { forwardFixApprovedAt } from './steps/migration_revert/forward-fix.ts';

/** Whether an incident's timers may have to change after an event of this kind (a deadline moves, a milestone is met). */
function resyncs(kind: TimelineKind): boolean {
  switch (kind) {
    case 'incident_started':
    case 'target_approved':
    case 'app_restored':
    case 'incident_resolved':
    case 'incident_aborted':
    case 'times_corrected':
      return true;
    case 'step_queued':
    case 'step_started':
    case 'step_resumed':
    case 'step_progress':
    case 'step_succeeded':
    case 'step_awaiting_approval':
    case 'step_awaiting_confirmation':
    case 'step_failed':
    case 'step_retrying':
    case 'step_skipped':
    case 'step_aborted':
    case 'approval_given':
    case 'action_refused':
    case 'incident_marked_critical':
    case 'sla_reminder':
    case 'sla_breached':
      return false;
    default:
      exhaustive(kind);
      return false;
  }
}

function markOf(job: SlaTimerJob): string {
  return `${job.milestone}/${job.percent}/${job.dueAt}`;
}

function jobOf(incidentId: string, m: TimerMark): SlaTimerJob {
  return { incidentId, milestone: m.milestone, percent: m.percent, dueAt: m.dueAt.toISOString() };
}

function currentMarks(deps: FlowDeps, snap: IncidentSnapshot): TimerMark[] {
  return timerMarks(snap.incident, deps.config.sla, forwardFixApprovedAt(snap.steps, snap.approvals));
}

function sentBefore(
  timeline: readonly TimelineEvent[],
  m: Pick<SlaTimerJob, 'milestone' | 'percent'>,
  dueAt?: string,
): boolean {
  return timeline.some(
    (e) =>
      (e.kind === 'sla_reminder' || e.kind === 'sla_breached') &&
      e.payload.milestone === m.milestone &&
      (e.kind === 'sla_reminder' ? e.payload.percent : 100) === m.percent &&
      (dueAt === undefined || e.payload.dueAt === dueAt),
  );
}

/** Makes the queue hold exactly the timers the incident needs now. */
export async function syncSlaTimers(
  deps: FlowDeps,
  incidentId: string,
): Promise<{ scheduled: SlaTimerJob[]; cancelled: SlaTimerJob[] }> {
  const timers = deps.slaTimers;
  if (!timers) return { scheduled: [], cancelled: [] };
  const [snap, timeline, have] = await Promise.all([
    deps.store.get(incidentId),
    deps.store.timeline(incidentId),
    timers.pending(incidentId),
  ]);
  const now = deps.now();
  const want = marksToSchedule(currentMarks(deps, snap), now, (m) => sentBefore(timeline, m)).map((m) => ({
    job: jobOf(incidentId, m),
    delayMs: Math.max(0, m.fireAt.getTime() - now.getTime()),
  }));
  const wanted = new Set(want.map((w) => markOf(w.job)));
  const cancelled = have.filter((j) => !wanted.has(markOf(j)));
  for (const job of cancelled) await timers.cancel(job);
  for (const w of want) await timers.schedule(w.job, w.delayMs);
  return { scheduled: want.map((w) => w.job), cancelled };
}

/** An event after which the timers may have to change: its kind says so, or its step may meet a milestone. */
function mayMoveTimers(e: Pick<NewEvent, 'kind' | 'stepId'>): boolean {
  return resyncs(e.kind) || (e.stepId ? stepDefinition(e.stepId).mayMeetSlaMilestone === true : false);
}

/** After a committed change: resync when the events may move a deadline or meet a milestone. Never throws. */
export async function settleSlaTimers(
  deps: FlowDeps,
  incidentId: string,
  events: readonly Pick<NewEvent, 'kind' | 'stepId'>[],
): Promise<void> {
  if (!deps.slaTimers || !events.some(mayMoveTimers)) return;
  let timer: NodeJS.Timeout | undefined;
  // With Redis down BullMQ waits forever: a click or a CLI command must not.
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Redis did not answer within 5 s')), 5000);
  });
  const sync = syncSlaTimers(deps, incidentId);
  sync.catch(() => undefined);
  try {
    await Promise.race([sync, giveUp]);
  } catch (err) {
    // The worker's sweep resyncs every open incident, so a Redis hiccup here only delays it.
    deps.log.warn({ err, incidentId }, 'could not update the SLA timers; the worker sweep will retry');
  } finally {
    clearTimeout(timer);
  }
}

/** The worker's sweep: timers for every open incident, and none for closed ones (an aborted incident, say). */
export async function sweepSlaTimers(deps: FlowDeps): Promise<void> {
  if (!deps.slaTimers) return;
  const open = await deps.store.list({ openOnly: true, limit: 100 });
  const openIds = new Set(open.map((i) => i.id));
  for (const id of openIds) await syncSlaTimers(deps, id);
  for (const job of await deps.slaTimers.pending()) {
    if (openIds.has(job.incidentId)) continue;
    // Only this environment's closed incidents: the store does not see another bot's (not_found).
    const closed = await deps.store.get(job.incidentId).then(
      () => true,
      (err: unknown) => (isAppError(err) && err.code === 'not_found' ? false : Promise.reject(err)),
    );
    if (closed) await deps.slaTimers.cancel(job);
  }
}

/** A timer fired: send its notice if it is still true and was not sent already. */
export async function fireSlaTimer(deps: FlowDeps, job: SlaTimerJob): Promise<'sent' | 'stale'> {
  const mention = job.percent === 100 ? await breachMentions(deps) : [];
  const event = await deps.store.mutate<NewEvent | null>(job.incidentId, async (snap) => {
    const marks = currentMarks(deps, snap);
    const now = deps.now();
    // A reminder that comes after a later mark has passed (the workers were down) is old news.
    const superseded = marks.some((m) => m.milestone === job.milestone && m.percent > job.percent && m.fireAt <= now);
    const live = !superseded && marks.some((m) => markOf(jobOf(job.incidentId, m)) === markOf(job));
    // Read under the incident's lock: a second run of this job waits here and then sees the first's event.
    if (!live || sentBefore(await deps.store.timeline(job.incidentId), job, job.dueAt))
      return { events: [], result: null };
    const budgetMs = new Date(job.dueAt).getTime() - snap.incident.detectedAt.getTime();
    const e: NewEvent =
      job.percent === 100
        ? {
            kind: 'sla_breached',
            actor: 'rollback-commander',
            at: now,
            payload: { milestone: job.milestone, dueAt: job.dueAt, budgetMs, mention },
          }
        : {
            kind: 'sla_reminder',
            actor: 'rollback-commander',
            at: now,
            payload: { milestone: job.milestone, percent: job.percent, dueAt: job.dueAt, budgetMs },
          };
    return { events: [e], result: e };
  });
  if (!event) return 'stale';
  return 'sent';
}

/** The runbook's breach notice goes to the Release Captain and the On-Call SRE. */
async function breachMentions(deps: FlowDeps): Promise<string[]> {
  const members = await Promise.all([deps.roles.membersOf('release_captain'), deps.roles.membersOf('oncall_sre')]);
  return [...new Set(members.flat())];
}
