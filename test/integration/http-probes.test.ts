/**
 * The HTTP face an outsider can reach: /readyz answers check names and states only (the reason
 * goes to the log), and METRICS_PORT moves /metrics off the public port, probes served on both.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../src/app/bot.ts';
import { loadConfig } from '../../src/app/config.ts';
import { startHttpServer } from '../../src/app/http-server.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createHarness, type Harness } from '../support/e2e-harness.ts';

const LEAK = 'password authentication failed for user "rc_app" (host db-7.internal.example:5432)';

describe('/readyz', () => {
  let server: Server;
  const logged: string[] = [];
  beforeAll(async () => {
    const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
    const readiness = [
      { name: 'postgres', check: async () => Promise.reject(new Error(LEAK)) },
      { name: 'redis', check: async () => {} },
    ];
    server = await startHttpServer({ port: 0, registry: new Registry(), readiness, log });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers check names and states only, and logs why a check failed', async () => {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.text();
    const checks = [
      { name: 'postgres', ok: false },
      { name: 'redis', ok: true },
    ];
    expect(JSON.parse(body)).toEqual({ ok: false, checks });
    expect(body).not.toContain('db-7');
    const line = JSON.parse(logged.find((l) => l.includes('readiness check postgres failed')) ?? '{}');
    expect(line).toMatchObject({ check: 'postgres', err: { message: LEAK } });
  });
});

describe('METRICS_PORT', () => {
  let h: Harness;
  let bot: Bot;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    h = await createHarness();
    const config = loadConfig({ ...h.env, PORT: '0', METRICS_PORT: '0' });
    bot = await startBot(config, createLogger('silent'), { mode: 'web' });
  });
  afterAll(async () => {
    await bot?.stop();
    await h?.close();
    nock.enableNetConnect();
  });

  it('serves /metrics and the probes on the metrics port, and /metrics no longer on the public port', async () => {
    const get = (port: number | null, path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    expect(bot.metricsPort).not.toBeNull();
    expect(bot.metricsPort).not.toBe(bot.port);
    const metrics = await get(bot.metricsPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total');
    expect((await get(bot.port, '/metrics')).status).toBe(404);
    for (const port of [bot.metricsPort, bot.port]) {
      expect(await (await get(port, '/healthz')).json()).toEqual({ ok: true });
      const ready = (await (await get(port, '/readyz')).json()) as { checks: { name: string }[] };
      expect(ready.checks.map((c) => c.name)).toEqual(['postgres', 'redis', 'worker']);
    }
  });

  it('refuses METRICS_PORT equal to PORT, naming both', () => {
    const config = loadConfig({ ...h.env, PORT: '9464', METRICS_PORT: '9464' });
    const started = startBot(config, createLogger('silent'), { mode: 'web' });
    return expect(started).rejects.toThrow('METRICS_PORT and PORT are both 9464');
  });
});
