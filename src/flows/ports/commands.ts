/** External commands (the revert command, the smoke-test command, pg_restore): argv arrays, never a shell. */

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface RunCommandOptions {
  argv: readonly string[];
  /** The child's whole environment besides PATH. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Scrubbed from every line, error and the shown command (URL passwords are scrubbed anyway). */
  secrets?: readonly (string | undefined)[];
  onOutput?: (line: OutputLine) => void;
  signal?: AbortSignal;
  cwd?: string;
  /** What this is, for messages: "the revert command (database.revert_command)". */
  what: string;
  /** After SIGTERM, how long before SIGKILL. */
  killGraceMs?: number;
}

export interface RunCommandResult {
  durationMs: number;
  /** The last lines of output, redacted. */
  tail: string[];
}

/**
 * Runs one command to completion. Contract: a non-zero exit, a timeout or an abort rejects with an
 * error that names `what` (and the exit code or the timeout) and never contains a `secrets` value;
 * a command that cannot start is a UserFacingError.
 */
export interface CommandRunner {
  run(options: RunCommandOptions): Promise<RunCommandResult>;
}
