/**
 * The process's HTTP face: /healthz (alive), /readyz (Postgres, Redis, a live worker, and Slack
 * auth when Slack is on), /metrics (Prometheus), and — in HTTP mode — Slack's /slack/events,
 * handed to Bolt's receiver.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export type ReadinessCheck = { name: string; check(): Promise<void> };

export interface HttpServerOptions {
  port: number;
  readiness: ReadinessCheck[];
  registry: Registry;
  /** Everything that is not ours (Bolt's HTTPReceiver request listener in HTTP mode). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') return void ready(options.readiness).then((r) => send(res, r.ok ? 200 : 503, r));
    if (req.method === 'GET' && path === '/metrics') {
      return void options.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(text);
      });
    }
    if (options.fallback) return options.fallback(req, res);
    send(res, 404, { ok: false, error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(options.port, resolve));
  return server;
}

async function ready(checks: ReadinessCheck[]) {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(c.check(), 3000);
        return { name: c.name, ok: true };
      } catch (err) {
        return { name: c.name, ok: false, error: (err as Error).message };
      }
    }),
  );
  return { ok: results.every((r) => r.ok), checks: results };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
