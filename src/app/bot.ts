/**
 * The whole bot in one process: Slack (when configured), the step worker, the timeline relay and
 * the HTTP server. `npm start` runs it; tests start it on port 0 against nock'd Slack.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createPgChatCursor } from '../adapters/db/pg-chat-cursor.ts';
import { claimQueuePrefix } from '../adapters/queue/queue-owner.ts';
import { type ConsoleOptions, mountConsole, type WebConsole } from '../console/console.ts';
import { UserFacingError } from '../domain/errors.ts';
import { type AppConfig, defaultQueuePrefixFor } from './config.ts';
import { type Container, createContainer } from './container.ts';
import { type ReadinessCheck, startHttpServer } from './http-server.ts';
import { createMetrics } from './metrics.ts';
import { observerFanOut } from './observer-fan-out.ts';
import { createBoltApp } from './slack/bolt-app.ts';
import { type ChecklistRelay, createChecklistRelay } from './slack/checklist-relay.ts';
import { registerListeners } from './slack/listeners.ts';
import { createProposalQueue, startProposalWorker } from './slack/modal-proposals.ts';
import { createSlackAnnouncer } from './slack/slack-announcer.ts';
import { createSlackServices } from './slack/slack-services.ts';
import { startWorker } from './worker.ts';

export interface Bot {
  container: Container;
  server: Server | null;
  port: number;
  /** The METRICS_PORT server's port (/metrics and the probes); null when METRICS_PORT is not set. */
  metricsPort: number | null;
  relay: ChecklistRelay | null;
  registry: Registry;
  /** The web console on `server` (off — a page saying how to turn it on — without drill mode or CONSOLE_TOKEN). */
  console: WebConsole | null;
  stop(): Promise<void>;
}

/**
 * `all` (the default): everything in one process. `web`: Slack and HTTP only — the steps run in
 * separate `worker` processes (`rollback-commander worker`), which keeps a busy step off the
 * event loop that must ack Slack within 3 s and lets the bot use more than one core.
 */
export type BotMode = 'all' | 'web' | 'worker';

export interface BotOptions {
  now?: () => Date;
  coalesceMs?: number;
  relayIntervalMs?: number;
  mode?: BotMode;
  /** Serve /healthz, /readyz, /metrics (and /slack/events in HTTP mode); default true. */
  http?: boolean;
  /** The web console: drill mode turns actions on (default read-only; token default CONSOLE_TOKEN). */
  console?: Partial<Pick<ConsoleOptions, 'mode' | 'token' | 'roles' | 'pollMs' | 'extend'>>;
}

export async function startBot(config: AppConfig, log: Logger, options: BotOptions = {}): Promise<Bot> {
  const mode = options.mode ?? 'all';
  const { PORT, METRICS_PORT } = config.env;
  if (METRICS_PORT !== undefined && METRICS_PORT !== 0 && METRICS_PORT === PORT) {
    const fix = 'give METRICS_PORT its own port, or unset it';
    throw new UserFacingError('config_invalid', `METRICS_PORT and PORT are both ${PORT}: ${fix}`);
  }
  const runsWeb = mode !== 'worker';
  const runsWorker = mode !== 'web';
  const slack = createSlackServices(config, log, { coalesceMs: options.coalesceMs });
  let relay: ChecklistRelay | null = null;
  let web: WebConsole | null = null;
  const now = options.now ?? (() => new Date());
  // The announcer and relay need the store the container creates: close over it.
  let container!: Container;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createMetrics(registry, { store: () => container.deps.store, log });
  container = await createContainer(config, {
    log,
    now,
    roles: slack?.roles,
    announcer: slack
      ? createSlackAnnouncer({ slack, store: () => container.deps.store, config: config.runbook, now })
      : undefined,
    observer: observerFanOut(() => [relay, metrics, web]),
  });
  const stops: (() => Promise<unknown>)[] = [];
  const readiness: ReadinessCheck[] = [
    { name: 'postgres', check: async () => void (await container.pool.query('select 1')) },
    { name: 'redis', check: async () => void (await container.redis.ping()) },
  ];
  if (runsWorker) {
    const worker = await startWorker(container);
    stops.push(() => worker.close());
    readiness.push({
      name: 'worker',
      check: async () => {
        if (!worker.worker.worker.isRunning()) throw new Error('the step worker is not running');
      },
    });
    if (slack) {
      relay = createChecklistRelay({
        slack,
        store: container.deps.store,
        cursor: createPgChatCursor(container.pool, { environment: config.runbook.environment.name }),
        config: config.runbook,
        now,
        log,
      });
      relay.start(options.relayIntervalMs);
      const proposalWorker = await startProposalWorker({
        connection: container.redis,
        prefix: config.env.QUEUE_PREFIX,
        propose: {
          store: container.deps.store,
          deployments: container.deployments,
          sourceControl: container.sourceControl,
        },
        config: config.runbook,
        slack,
        log,
      });
      stops.unshift(
        () => relay!.stop(),
        () => proposalWorker.close(),
      );
    }
  } else {
    // The workers claim the queue prefix; a web replica checks it too, but Redis being down must not stop it.
    const env = config.runbook.environment.name;
    await claimQueuePrefix(container.producer, config.env.QUEUE_PREFIX, env, defaultQueuePrefixFor(env)).catch(
      (err: unknown) => {
        if (err instanceof UserFacingError) throw err;
        log.warn(
          { err },
          'could not check who owns the queue prefix (Redis unreachable); the workers check it when they start',
        );
      },
    );
    // Steps run elsewhere: ready only while some worker process is connected to the step queue.
    readiness.push({
      name: 'worker',
      check: async () => {
        if ((await container.queue.queue.getWorkers()).length === 0)
          throw new Error('no step worker is connected: start `rollback-commander worker`');
      },
    });
  }
  let fallback: Parameters<typeof startHttpServer>[0]['fallback'];
  if (slack && runsWeb) {
    const bolt = await createBoltApp(config.env, slack.client, log);
    const proposals = createProposalQueue(container.redis, config.env.QUEUE_PREFIX);
    registerListeners(bolt.app, {
      deps: container.deps,
      chat: slack.chat,
      proposals,
      log: log.child({ component: 'slack' }),
    });
    bolt.app.error(async (err) => void log.error({ err }, 'unhandled Bolt error'));
    await bolt.start();
    fallback = bolt.receiver?.requestListener;
    readiness.push({ name: 'slack', check: async () => void (await slack.client.auth.test()) });
    stops.unshift(
      () => bolt.stop(),
      () => proposals.close(),
    );
  }
  const httpLog = log.child({ component: 'http' });
  const separate = options.http !== false && METRICS_PORT !== undefined;
  const server =
    options.http === false
      ? null
      : await startHttpServer({ port: PORT, registry, readiness, fallback, metrics: !separate, log: httpLog });
  // A worker process's port serves only its probes; the console belongs with the web side.
  if (server && runsWeb) {
    const c = options.console ?? {};
    web = mountConsole(server, {
      deps: container.deps,
      mode: c.mode ?? 'read-only',
      token: c.token ?? config.env.CONSOLE_TOKEN,
      roles: c.roles,
      pollMs: c.pollMs,
      extend: c.extend,
      log: log.child({ component: 'console' }),
    });
  }
  const metricsServer = separate
    ? await startHttpServer({ port: METRICS_PORT, registry, readiness, log: httpLog })
    : null;
  const port = server ? (server.address() as AddressInfo).port : 0;
  const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : null;
  log.info(
    {
      mode,
      port,
      metricsPort,
      console: web?.state ?? 'none',
      environment: config.runbook.environment.name,
      slack: slack ? (config.env.SLACK_APP_TOKEN ? 'socket mode' : 'http mode') : 'off',
    },
    'rollback-commander started',
  );
  return {
    container,
    server,
    port,
    metricsPort,
    relay,
    registry,
    console: web,
    async stop() {
      // Live streams never end by themselves: end them so the server can close.
      web?.close();
      for (const s of [server, metricsServer]) {
        if (!s) continue;
        await new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
      }
      // Slack first (no new clicks), then the relay and workers drain, then the connections close.
      for (const stop of stops) await stop().catch((err) => log.error({ err }, 'error while stopping'));
      await container.close();
    },
  };
}
