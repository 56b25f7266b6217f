/**
 * A `rollback-commander worker` in its own process, as an operator runs it. Start-up is slow on
 * a busy machine (20+ s to load TypeScript and connect), so tests wait for its readiness line
 * rather than for what the worker would do, and allow it a generous deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** How long a child process may take to say it is ready; a loaded 2-core machine needed 20+ s. */
export const PROCESS_START_MS = 90_000;
/** A test that starts child processes: start-up plus the test's own work. */
export const CHILD_PROCESS_TEST_MS = 2 * PROCESS_START_MS + 60_000;

const READY = /^worker ready \(queue prefix /m;

/** Spawns the worker (argv only) and resolves once it printed `worker ready`, or rejects with its stderr. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, started: ChildProcess[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/app/cli.ts', 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not print "worker ready" within ${PROCESS_START_MS} ms`),
      PROCESS_START_MS,
    );
    function fail(why: string): void {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      reject(new Error(`the worker process ${why}; its stderr:\n${err.slice(-2000)}`));
    }
    function onData(chunk: Buffer): void {
      out += chunk.toString();
      if (!READY.test(out)) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve();
    }
    const onExit = (code: number | null) => fail(`exited (code ${code}) before it was ready`);
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stdout so a chatty worker never blocks on a full pipe.
  child.stdout!.resume();
  return child;
}
