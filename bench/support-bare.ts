/**
 * The baselines the bot is measured against, in the same process and the same run:
 * - a bare Bolt app that only acks: an HTTPReceiver with the same signing secret and the same
 *   options as the bot's (processBeforeResponse off, a static `authorize`), served exactly as the
 *   bot serves its own — our HTTP server with the receiver's requestListener as fallback;
 * - a bare BullMQ queue and worker (same Redis, same worker concurrency as the bot's step worker,
 *   a processor that returns at once), for add → active.
 */

import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { startHttpServer } from '../src/app/http-server.ts';
import { clearPrefix, REDIS_URL, uniqueName } from '../test/support/services.ts';
import { SIGNING_SECRET } from '../test/support/slack-requests.ts';
import { type JobWatch, watchJobs } from './support-job-watch.ts';

/** The bot's step worker runs 4 jobs at once (src/app/worker.ts). */
export const STEP_WORKER_CONCURRENCY = 16; // the default queue.concurrency

export async function startBareBolt(): Promise<{ port: number; close(): Promise<void> }> {
  const receiver = new HTTPReceiver({
    signingSecret: SIGNING_SECRET,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const authorize = async () => ({
    botToken: 'xoxb-bare',
    botId: 'BBARE0001',
    botUserId: 'UBARE0001',
    teamId: 'T0TEAM001',
  });
  const app = new App({ receiver, authorize, logLevel: LogLevel.ERROR });
  app.command('/rollback', async ({ ack }) => void (await ack()));
  app.action(/.*/, async ({ ack }) => void (await ack()));
  const server = await startHttpServer({
    port: 0,
    readiness: [],
    registry: new Registry(),
    fallback: receiver.requestListener,
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

export interface BareQueue {
  queue: Queue;
  watch: JobWatch;
  close(): Promise<void>;
}

export async function startBareQueue(): Promise<BareQueue> {
  const prefix = uniqueName('rcbench');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const worker = new Worker('bare', async () => undefined, {
    connection,
    prefix,
    concurrency: STEP_WORKER_CONCURRENCY,
  });
  await worker.waitUntilReady();
  const watch = await watchJobs('bare', prefix);
  return {
    queue,
    watch,
    async close() {
      await worker.close();
      await queue.close();
      await watch.close();
      await clearPrefix(connection, prefix);
      connection.disconnect();
    },
  };
}
