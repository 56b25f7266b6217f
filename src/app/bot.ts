/**
 * The whole bot in one process: Slack (when configured), the step worker, the timeline relay and
 * the HTTP server. `npm start` runs it; tests start it on port 0 against nock'd Slack.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'pino';
import { createPgChatCursor } from '../adapters/db/pg-chat-cursor.ts';
import type { AppConfig } from './config.ts';
import { createContainer, type Container } from './container.ts';
import { createMetrics } from './metrics.ts';
import { startHttpServer, type ReadinessCheck } from './http-server.ts';
import { createBoltApp } from './slack/bolt-app.ts';
import { createChecklistRelay, type ChecklistRelay } from './slack/checklist-relay.ts';
import { registerListeners } from './slack/listeners.ts';
import { createProposalQueue, startProposalWorker } from './slack/modal-proposals.ts';
import { createSlackAnnouncer } from './slack/slack-announcer.ts';
import { createSlackServices } from './slack/slack-services.ts';
import { startWorker } from './worker.ts';

export interface Bot {
  container: Container;
  server: Server;
  port: number;
  relay: ChecklistRelay | null;
  registry: Registry;
  stop(): Promise<void>;
}

export async function startBot(config: AppConfig, log: Logger, options: { now?: () => Date; coalesceMs?: number; relayIntervalMs?: number } = {}): Promise<Bot> {
  const slack = createSlackServices(config, log, { coalesceMs: options.coalesceMs });
  let relay: ChecklistRelay | null = null;
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
    announcer: slack ? createSlackAnnouncer({ slack, store: () => container.deps.store, config: config.runbook, now }) : undefined,
    observer: {
      changed: (id, events) => {
        relay?.changed(id, events);
        metrics.changed(id, events);
      },
    },
  });
  const worker = await startWorker(container);
  const stops: (() => Promise<unknown>)[] = [];
  const readiness: ReadinessCheck[] = [
    { name: 'postgres', check: async () => void (await container.pool.query('select 1')) },
    { name: 'redis', check: async () => void (await container.redis.ping()) },
    { name: 'worker', check: async () => { if (!worker.worker.worker.isRunning()) throw new Error('the step worker is not running'); } },
  ];
  let fallback;
  if (slack) {
    const bolt = await createBoltApp(config.env, slack.client, log);
    relay = createChecklistRelay({ slack, store: container.deps.store, cursor: createPgChatCursor(container.pool), config: config.runbook, now, log });
    const proposals = createProposalQueue(container.redis, config.env.QUEUE_PREFIX);
    const proposalWorker = await startProposalWorker({ connection: container.redis, prefix: config.env.QUEUE_PREFIX, propose: { store: container.deps.store, deployments: container.deployments, sourceControl: container.sourceControl }, config: config.runbook, slack, log });
    registerListeners(bolt.app, { deps: container.deps, chat: slack.chat, proposals, log: log.child({ component: 'slack' }) });
    bolt.app.error(async (err) => void log.error({ err }, 'unhandled Bolt error'));
    await bolt.start();
    relay.start(options.relayIntervalMs);
    fallback = bolt.receiver?.requestListener;
    readiness.push({ name: 'slack', check: async () => void (await slack.client.auth.test()) });
    stops.push(() => bolt.stop(), () => relay!.stop(), () => proposalWorker.close(), () => proposals.close());
  }
  const server = await startHttpServer({ port: config.env.PORT, registry, readiness, fallback });
  log.info({ port: (server.address() as AddressInfo).port, environment: config.runbook.environment.name, slack: slack ? (config.env.SLACK_APP_TOKEN ? 'socket mode' : 'http mode') : 'off' }, 'rollback-commander started');
  return {
    container,
    server,
    port: (server.address() as AddressInfo).port,
    relay,
    registry,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const stop of stops) await stop().catch((err) => log.error({ err }, 'error while stopping'));
      await worker.close();
      await container.close();
    },
  };
}
