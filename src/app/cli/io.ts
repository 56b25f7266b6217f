/** What the CLI writes to and reads from: stdout/stderr and the environment (tests inject their own). */
import type { CliOrigin } from '../../domain/origin.ts';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT) — the worker drains then. */
  stopSignal?: Promise<void>;
  /** Who runs this command on which host (default: os.userInfo() and os.hostname()); tests inject one. */
  osIdentity?: () => CliOrigin;
}

/** Said once when a command's jobs could not reach Redis (the URL may hold a password: not shown). */
export const REDIS_DOWN =
  "warning: the job queue (REDIS_URL) is unreachable: the steps are queued in Postgres and will run when a worker reaches Redis (its reconciler picks them up). Check Redis and that a worker runs: 'rollback-commander doctor'";
