/**
 * The process's HTTP face: /healthz (alive), /readyz (Postgres, Redis, a live worker, and Slack
 * auth when Slack is on), /metrics (Prometheus), and — in HTTP mode — Slack's /slack/events,
 * handed to Bolt's receiver. With METRICS_PORT set, a second server on that port serves /metrics
 * and the probes, and /metrics leaves the public port (it names incidents and environments).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export type ReadinessCheck = { name: string; check(): Promise<void> };

export interface HttpServerOptions {
  port: number;
  readiness: ReadinessCheck[];
  registry: Registry;
  /** Serve /metrics here (default true); false when METRICS_PORT serves it instead. */
  metrics?: boolean;
  /** Where a failed readiness check's reason goes: /readyz answers names and states only. */
  log?: Logger;
  /** Everything that is not ours (Bolt's HTTPReceiver request listener in HTTP mode). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') {
      return void ready(options.readiness, options.log).then((r) => send(res, r.ok ? 200 : 503, r));
    }
    if (req.method === 'GET' && path === '/metrics' && options.metrics !== false) {
      return void options.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(text);
      });
    }
    if (options.fallback) return options.fallback(req, res);
    send(res, 404, { ok: false, error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * /readyz is public in HTTP mode (it shares the port with /slack/events): a check's error text
 * can carry a host name, a user or a Postgres message, so it goes to the log, not the answer.
 */
async function ready(checks: ReadinessCheck[], log: Logger | undefined) {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(c.check(), 3000);
        return { name: c.name, ok: true };
      } catch (err) {
        log?.warn({ err, check: c.name }, `readiness check ${c.name} failed`);
        return { name: c.name, ok: false };
      }
    }),
  );
  return { ok: results.every((r) => r.ok), checks: results };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  const late = new Promise<T>((_, reject) => {
    setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref();
  });
  return Promise.race([p, late]);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
