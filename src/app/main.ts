/**
 * `npm start`: the bot (Slack, when configured), the step worker and the HTTP server in one
 * process. SIGTERM stops taking work, lets running steps finish, then exits.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { isAppError } from '../domain/errors.ts';
import { loadConfig } from './config.ts';
import { createContainer } from './container.ts';
import { startHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { startWorker } from './worker.ts';

async function main(): Promise<void> {
  const log = createLogger();
  let config;
  try {
    config = loadConfig(process.env, configArg(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(`rollback-commander cannot start: ${isAppError(err) ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const container = await createContainer(config, { log });
  const worker = await startWorker(container);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const server = await startHttpServer({
    port: config.env.PORT,
    registry,
    readiness: [
      { name: 'postgres', check: async () => void (await container.pool.query('select 1')) },
      { name: 'redis', check: async () => void (await container.redis.ping()) },
      { name: 'worker', check: async () => { if (!worker.worker.worker.isRunning()) throw new Error('the step worker is not running'); } },
    ],
  });
  log.info({ port: config.env.PORT, environment: config.runbook.environment.name }, 'rollback-commander started');

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down: draining running steps');
    server.close();
    await worker.close();
    await container.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function configArg(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '--config' || a === '-c');
  return i >= 0 ? args[i + 1] : undefined;
}

await main();
