/** What every flow gets: ports, config and a clock — no globals. */
import type { Logger } from 'pino';
import type { RunbookConfig } from '../config/schema.ts';
import type { CliOrigin } from '../domain/origin.ts';
import type { Deployments, IncidentStore, ReleaseTags, RoleDirectory, SlaTimerQueue, StepQueue } from './ports.ts';

export interface FlowDeps {
  store: IncidentStore;
  queue: StepQueue;
  roles: RoleDirectory;
  config: RunbookConfig;
  now: () => Date;
  log: Logger;
  /** The OS account behind a CLI command (unset for Slack and the worker): see cli-origin-store.ts. */
  origin?: CliOrigin;
  /** What `start` checks before opening an incident (start-checks.ts): what runs, which tags exist. */
  releases: { deployments: Pick<Deployments, 'get' | 'history'>; tags: ReleaseTags | null };
  /** Delayed SLA reminder/breach jobs; without it (some tests) no timers are kept. */
  slaTimers?: SlaTimerQueue;
  /** The live cluster, for checks outside a step job (a confirmed cutover is recorded only if still in place). */
  deployments?: Deployments;
  /** GITHUB_API_URL's web host (domain/issue-links.ts): the only host issue links may point at. */
  githubWebHost?: string;
}
