/** What every flow gets: ports, config and a clock — no globals. */
import type { Logger } from 'pino';
import type { RunbookConfig } from '../app/config-schema.ts';
import type { IncidentObserver, IncidentStore, RoleDirectory, StepQueue } from './ports.ts';
import type { SlaTimerQueue } from './sla-timers.ts';

export interface FlowDeps {
  store: IncidentStore;
  queue: StepQueue;
  roles: RoleDirectory;
  config: RunbookConfig;
  now: () => Date;
  log: Logger;
  observer?: IncidentObserver;
  /** Delayed SLA reminder/breach jobs; without it (some tests) no timers are kept. */
  slaTimers?: SlaTimerQueue;
  /** GITHUB_API_URL's web host (domain/issue-links.ts): the only host issue links may point at. */
  githubWebHost?: string;
}

export function notify(deps: FlowDeps, incidentId: string, events: Parameters<IncidentObserver['changed']>[1]): void {
  try {
    deps.observer?.changed(incidentId, events);
  } catch (err) {
    deps.log.error({ err, incidentId }, 'incident observer failed');
  }
}
