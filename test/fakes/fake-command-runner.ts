/**
 * An in-memory CommandRunner (flows/ports/commands.ts): programs are scripts registered by the
 * test (lines to print, an exit status, or hanging until stopped). Messages, redaction and error
 * codes follow the contract the real runner keeps (test/contracts/command-runner.test.ts).
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import type { CommandRunner, OutputLine, RunCommandOptions, RunCommandResult } from '../../src/flows/ports.ts';

export interface FakeProgram {
  output?: OutputLine[];
  exitStatus?: number;
  /** Never finishes by itself: only a timeout or an abort ends it. */
  hang?: boolean;
}

export interface FakeCommandRunner extends CommandRunner {
  /** Registers a program under a name (argv[0]); returns that name. */
  define(name: string, program: FakeProgram): string;
  /** Every call, as given (argv, env), for assertions. */
  calls: RunCommandOptions[];
}

const REDACTED = '[redacted]';
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi;

function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  const values = secrets.filter((s): s is string => !!s && s.length >= 4).flatMap((s) => [s, encodeURIComponent(s)]);
  for (const value of [...new Set(values)].sort((a, b) => b.length - a.length)) out = out.split(value).join(REDACTED);
  return out.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

export function createFakeCommandRunner(): FakeCommandRunner {
  const programs = new Map<string, FakeProgram>();
  const calls: RunCommandOptions[] = [];
  return {
    calls,
    define(name, program) {
      programs.set(name, program);
      return name;
    },
    async run(options): Promise<RunCommandResult> {
      calls.push(options);
      const { what, secrets = [] } = options;
      const shown = redact(options.argv.join(' '), secrets);
      if (options.signal?.aborted)
        throw new UserFacingError('aborted', `${what} was not started: the step was aborted`);
      const program = programs.get(String(options.argv[0]));
      if (!program)
        throw new UserFacingError(
          'config_invalid',
          `${what}: ${redact(String(options.argv[0]), secrets)} was not found on PATH — install it in the image or fix the command`,
        );
      const started = Date.now();
      const tail: string[] = [];
      for (const { stream, line } of program.output ?? []) {
        const clean = redact(line, secrets);
        tail.push(clean);
        if (tail.length > 20) tail.shift();
        options.onOutput?.({ stream, line: clean });
      }
      const last = tail.length ? `\nlast output:\n${tail.slice(-8).join('\n')}` : '';
      if (program.hang) {
        const stopped = await new Promise<'timeout' | 'aborted'>((resolve) => {
          if (options.signal?.aborted) return resolve('aborted');
          const timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
          options.signal?.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve('aborted');
            },
            { once: true },
          );
        });
        if (stopped === 'aborted')
          throw new UserFacingError('aborted', `${what} was stopped because the step was aborted: \`${shown}\``);
        throw new UserFacingError(
          'timeout',
          `${what} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped: \`${shown}\`${last}`,
        );
      }
      const status = program.exitStatus ?? 0;
      if (status !== 0)
        throw new UserFacingError('upstream_error', `${what} exited with status ${status}: \`${shown}\`${last}`);
      return { durationMs: Date.now() - started, tail };
    },
  };
}
