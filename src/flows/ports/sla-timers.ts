/**
 * Delayed SLA reminder/breach jobs (flows/sla-timers.ts decides which; adapters/queue/sla-timer-queue.ts
 * keeps them in BullMQ). Declared here, not in the use case, so deps.ts and sla-timers.ts do not
 * import each other.
 */
import type { Milestone, TimerPercent } from '../../domain/times.ts';

export interface SlaTimerJob {
  incidentId: string;
  milestone: Milestone;
  percent: TimerPercent;
  /** ISO time the milestone is due: a timer for an older due time (a corrected time) is stale. */
  dueAt: string;
}

export interface SlaTimerQueue {
  /** Idempotent: the job id is derived from the whole job. */
  schedule(job: SlaTimerJob, delayMs: number): Promise<void>;
  /** Timers not yet fired, for one incident or all. */
  pending(incidentId?: string): Promise<SlaTimerJob[]>;
  cancel(job: SlaTimerJob): Promise<void>;
}
