/**
 * `npm run test:stress`: the whole suite several times in a row while CPU hogs compete for the
 * cores, to catch tests that only pass on an idle machine (issue 12 item 6). Not run in CI: it
 * takes 15+ minutes. Prints one pass/fail line per run and exits non-zero if any run failed.
 *
 *   npm run test:stress -- [--runs 3] [--hogs 2] [vitest args…]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, hogs: { type: 'string', default: '2' } },
  allowPositionals: true,
});
const runs = z.coerce.number().int().min(1).max(20).parse(values.runs);
const hogCount = z.coerce.number().int().min(0).max(16).parse(values.hogs);

/** What vitest's json reporter writes; only the counts are read. */
const Report = z.object({ numPassedTests: z.number(), numFailedTests: z.number(), numTotalTests: z.number() });

const hogs: ChildProcess[] = [];
function stopHogs(): void {
  for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
}
// The hogs must not outlive this script, whatever ends it.
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopHogs();
    process.exit(130);
  });
}

function vitest(outputFile: string): Promise<number> {
  const bin = join(import.meta.dirname, '../../node_modules/vitest/vitest.mjs');
  const args = [bin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`, ...positionals];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const dir = await mkdtemp(join(tmpdir(), 'rc-stress-'));
const lines: string[] = [];
let failedRuns = 0;
try {
  for (let i = 0; i < hogCount; i += 1) hogs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  for (let run = 1; run <= runs; run += 1) {
    const outputFile = join(dir, `run-${run}.json`);
    const started = Date.now();
    const code = await vitest(outputFile);
    const seconds = Math.round((Date.now() - started) / 1000);
    const report = Report.safeParse(JSON.parse(await readFile(outputFile, 'utf8').catch(() => '{}')));
    // Every test can pass and the run still fail: vitest exits 1 on an error thrown outside a test.
    const unhandled =
      code !== 0 && report.success && report.data.numFailedTests === 0
        ? ' + an error outside any test (vitest\'s "Unhandled Errors" above)'
        : '';
    const counts = report.success
      ? `${report.data.numPassedTests} passed, ${report.data.numFailedTests} failed of ${report.data.numTotalTests}${unhandled}`
      : 'no report (vitest did not finish)';
    if (code !== 0) failedRuns += 1;
    lines.push(
      `stress run ${run}/${runs}: ${code === 0 ? 'PASS' : 'FAIL'} — ${counts}, ${seconds} s, ${hogCount} CPU hogs`,
    );
    console.log(lines.at(-1));
  }
} finally {
  stopHogs();
  await rm(dir, { recursive: true, force: true });
}
console.log(`\n${lines.join('\n')}\n${failedRuns === 0 ? 'all runs passed' : `${failedRuns} of ${runs} runs failed`}`);
process.exitCode = failedRuns === 0 ? 0 : 1;
