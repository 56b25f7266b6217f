/**
 * Start-up with the bot's Redis down: one line per retry with growing delays, then a one-line
 * error and a non-zero exit once STARTUP_TIMEOUT has passed — not an endless stack-trace loop.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { testConfigYaml } from '../support/runbook-config.ts';
import { DATABASE_URL } from '../support/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// `npm start` (main.ts) and `rollback-commander worker` (cli.ts) both wait the same way.
it.each([
  { entry: ['src/app/main.ts'], prefix: 'rollback-commander cannot start: ', code: 2 },
  { entry: ['src/app/cli.ts', 'worker'], prefix: 'error: ', code: 1 },
])(
  '$entry.1 retries Redis with backoff, one line each, then exits non-zero after STARTUP_TIMEOUT',
  async ({ entry, prefix, code: expected }) => {
    const port = await closedPort();
    const dir = await mkdtemp(join(tmpdir(), 'rc-redis-down-'));
    await writeFile(join(dir, 'rollback.yml'), testConfigYaml());
    const child = spawn(process.execPath, entry, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL,
        REDIS_URL: `redis://:s3cretpw@127.0.0.1:${port}`,
        ROLLBACK_CONFIG: join(dir, 'rollback.yml'),
        STARTUP_TIMEOUT: '3s',
        PORT: '0',
        LOG_LEVEL: 'info',
        ROLLBACK_MODE: 'worker',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));

    const retries = stdout
      .split('\n')
      .filter((l) => l.includes('is not reachable'))
      .map((l) => JSON.parse(l) as { msg: string; retryInMs: number });
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]!.msg).toMatch(
      new RegExp(
        `^Redis at 127\\.0\\.0\\.1:${port} is not reachable \\(ECONNREFUSED\\): retry 1 in 0\\.5s, giving up \\d+s from now \\(STARTUP_TIMEOUT\\)$`,
      ),
    );
    expect(retries[1]!.retryInMs).toBeGreaterThan(retries[0]!.retryInMs); // backoff
    expect(stderr.trim()).toBe(
      `${prefix}Redis at 127.0.0.1:${port} (REDIS_URL) was not reachable for 3s ` +
        '(ECONNREFUSED): start Redis or fix REDIS_URL; STARTUP_TIMEOUT sets how long start-up waits',
    );
    expect(code).toBe(expected);
    expect(stdout + stderr).not.toMatch(/\n\s+at |s3cretpw/);
  },
  30_000,
);
