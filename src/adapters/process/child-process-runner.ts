/** The CommandRunner port (flows/ports/commands.ts): a guarded child process, output redacted. */
import type { CommandRunner } from '../../flows/ports/commands.ts';
import { runCommand } from './run-command.ts';

export function createChildProcessRunner(): CommandRunner {
  return { run: runCommand };
}
