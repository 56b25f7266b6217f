/**
 * Runs a child process the way PRODUCT.md promises: an argv array and no shell, an environment of
 * PATH plus only the variables asked for (never the bot's own tokens), a timeout that kills it,
 * and every output line streamed with secrets redacted. The exit status decides.
 */
import { type AppError, UserFacingError } from '../../domain/errors.ts';
import type { OutputLine, RunCommandOptions, RunCommandResult } from '../../flows/ports/commands.ts';
import { type StartError, spawnGuarded } from './child-guard.ts';
import { redact } from './redact.ts';

const TAIL_LINES = 20;

export function runCommand(options: RunCommandOptions): Promise<RunCommandResult> {
  const { argv, timeoutMs, what } = options;
  const secrets = options.secrets ?? [];
  const shown = redact(argv.join(' '), secrets);
  const tail: string[] = [];
  const emit = (stream: OutputLine['stream'], raw: string): void => {
    const line = redact(raw, secrets);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    options.onOutput?.({ stream, line });
  };
  const started = Date.now();

  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new UserFacingError('aborted', `${what} was not started: the step was aborted`));
      return;
    }
    // Its own process group, so a wrapper script's children die with it, under a guard that ends
    // that group when this process dies, even by SIGKILL (child-guard.ts).
    const { child, startError } = spawnGuarded(argv, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      cwd: options.cwd,
    });
    let stopped: 'timeout' | 'aborted' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'aborted'): void => {
      stopped ??= why;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 5000);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = (): void => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const flushStdout = splitLines(child.stdout, (l) => emit('stdout', l));
    const flushStderr = splitLines(child.stderr, (l) => emit('stderr', l));

    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish();
      reject(startFailure(what, [process.execPath], secrets, { code: err.code ?? 'error', message: err.message }));
    });
    child.on('close', (code, signal) => {
      finish();
      const notStarted = startError();
      if (notStarted) {
        reject(startFailure(what, argv, secrets, notStarted));
        return;
      }
      flushStdout();
      flushStderr();
      const durationMs = Date.now() - started;
      const last = tail.length ? `\nlast output:\n${tail.slice(-8).join('\n')}` : '';
      if (stopped === 'timeout') {
        reject(
          new UserFacingError(
            'timeout',
            `${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped: \`${shown}\`${last}`,
          ),
        );
      } else if (stopped === 'aborted') {
        reject(new UserFacingError('aborted', `${what} was stopped because the step was aborted: \`${shown}\``));
      } else if (code !== 0) {
        const status = code === null ? `was killed by ${signal}` : `exited with status ${code}`;
        reject(new UserFacingError('upstream_error', `${what} ${status}: \`${shown}\`${last}`));
      } else {
        resolve({ durationMs, tail: [...tail] });
      }
    });
  });
}

function startFailure(
  what: string,
  argv: readonly string[],
  secrets: readonly (string | undefined)[],
  err: StartError,
): AppError {
  const program = redact(String(argv[0]), secrets);
  if (err.code === 'ENOENT') {
    return new UserFacingError(
      'config_invalid',
      `${what}: ${program} was not found on PATH — install it in the image or fix the command`,
    );
  }
  return new UserFacingError('internal', `${what}: could not start ${program}: ${redact(err.message, secrets)}`);
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Calls onLine per complete line; the returned flush emits a last line without a newline. */
function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): () => void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split(/\r?\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return () => {
    if (buffer) onLine(buffer);
    buffer = '';
  };
}
