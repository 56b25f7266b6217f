/**
 * `rollback-commander …` — the same flows as Slack, on the same database and queue; also the
 * break-glass path when Slack is down. Role checks apply to `--as` exactly as in Slack.
 *
 * This entry point stays tiny for start-up time (issue 10 §4): it turns on Node's on-disk compile
 * cache (TypeScript stripped and compiled once, not on every call), then loads the CLI (./cli/).
 */
import { enableCompileCache } from 'node:module';
import type { CliIo } from './cli/io.ts';

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { runCli: run } = await import('./cli/run.ts');
  return run(argv, io);
}

if (import.meta.main) {
  // In $NODE_COMPILE_CACHE or the OS temp dir; a read-only file system just means no cache.
  enableCompileCache();
  // The worker drains on the first SIGTERM/SIGINT; any other command stops at once (a second
  // signal stops the worker too), so Ctrl-C always works.
  let draining = false;
  const stop = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      // The worker and drill mode stop cleanly on the first signal.
      if ((process.argv.includes('worker') || process.argv.includes('drill')) && !draining) {
        draining = true;
        return resolve();
      }
      process.stderr.write(`stopped by ${signal}\n`);
      process.exit(130);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    stopSignal: stop,
  });
  process.exit(code);
}
