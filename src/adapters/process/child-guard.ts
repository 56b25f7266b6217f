/**
 * Children die with the bot. A worker that is SIGKILLed (OOM, a node drain, `kill -9`) can't run
 * handlers, and its detached child (a pg_restore, a revert script) would keep loading or migrating
 * on its own while the resumed step starts over. So every command runs under a tiny guard: a Node
 * process that leads the command's process group and holds a socket whose other end only the bot
 * holds. When the bot dies for any reason the kernel closes that end, the guard sees EOF and
 * SIGKILLs the whole group. prctl(PR_SET_PDEATHSIG) would cover only one process and isn't
 * reachable from Node; `setpriv` is not on every image. The guard mirrors the command's exit
 * status and reports a command it could not start over the same socket.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

// CommonJS for `node -e`. SIGTERM/SIGINT/SIGHUP reach the command through the group, so the guard
// ignores them and waits for the command's own exit, which it then repeats.
const GUARD = `
const { spawn } = require('node:child_process');
const { Socket } = require('node:net');
const control = new Socket({ fd: 3, readable: true, writable: true });
const killGroup = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch { process.exit(137); } };
control.on('end', killGroup);
control.on('error', killGroup);
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.on('error', (err) => {
  const report = JSON.stringify({ code: err.code ?? 'error', message: err.message });
  control.end(report, () => process.exit(127));
});
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code ?? 1);
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
});
`;

export interface StartError {
  code: string;
  message: string;
}

export interface GuardedChild {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Why the command could not be started, once the guard has exited; null when it did start. */
  startError: () => StartError | null;
}

/** Spawns `argv` under the guard, as the leader of a new process group (kill `-child.pid`). */
export function spawnGuarded(
  argv: readonly string[],
  options: { env: Record<string, string>; cwd?: string },
): GuardedChild {
  const child = spawn(process.execPath, ['-e', GUARD, '--', ...argv], {
    env: options.env,
    cwd: options.cwd,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  }) as ChildProcessByStdio<null, Readable, Readable>;
  let report = '';
  const control = child.stdio[3] as NodeJS.ReadableStream | null;
  control?.setEncoding('utf8');
  control?.on('data', (chunk: string) => {
    report += chunk;
  });
  control?.on('error', () => {});
  return {
    child,
    startError: () => {
      if (!report) return null;
      try {
        return JSON.parse(report) as StartError;
      } catch {
        return { code: 'error', message: report };
      }
    },
  };
}
