/**
 * `npm start`: the bot (Slack, when configured), the step worker and the HTTP server in one
 * process. SIGTERM stops taking work, lets running steps finish, then exits.
 */
import { isAppError } from '../domain/errors.ts';
import { startBot } from './bot.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { waitForRedis } from './startup-redis.ts';

function configArg(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '--config' || a === '-c');
  return i >= 0 ? args[i + 1] : undefined;
}

const log = createLogger();
try {
  const config = loadConfig(process.env, configArg(process.argv.slice(2)));
  await waitForRedis(config.env.REDIS_URL, { timeoutMs: config.env.STARTUP_TIMEOUT, log });
  const bot = await startBot(config, log, { mode: config.env.ROLLBACK_MODE });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down: draining running steps');
    await bot.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (err) {
  process.stderr.write(`rollback-commander cannot start: ${isAppError(err) ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(2);
}
