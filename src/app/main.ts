/**
 * `npm start`: the bot (Slack, when configured), the step worker and the HTTP server in one
 * process. SIGTERM stops taking work, lets running steps finish, then exits.
 */
import { existsSync } from 'node:fs';
import { newErrorId, userFacingText } from '../domain/errors.ts';
import { shouldStartDrill } from '../drill/detect.ts';
import { runDrillMode } from '../drill/run.ts';
import { startBot } from './bot.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { waitForRedis } from './startup-redis.ts';

/** Only a UserFacingError's text is said; anything else is an error id, logged with its stack. */
function startupErrorText(err: unknown): string {
  const text = userFacingText(err);
  if (text !== null) return text;
  const errorId = newErrorId();
  createLogger().error({ err, errorId }, 'start-up failed with an unexpected error');
  return `unexpected error (error id ${errorId}; the log has the details under errorId=${errorId})`;
}

function configArg(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '--config' || a === '-c');
  return i >= 0 ? args[i + 1] : undefined;
}

const args = process.argv.slice(2);
// A fresh clone (no rollback.yml, no Slack/GitHub/Kubernetes settings) gets drill mode, not an error.
if (shouldStartDrill(process.env, args, existsSync)) await drillMode();

async function drillMode(): Promise<never> {
  const stop = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  try {
    await runDrillMode({ env: process.env, out: (line) => process.stdout.write(`${line}\n`), stopSignal: stop });
    process.exit(0);
  } catch (err) {
    process.stderr.write(`rollback-commander cannot start drill mode: ${startupErrorText(err)}\n`);
    process.exit(2);
  }
}

const log = createLogger();
try {
  const config = loadConfig(process.env, configArg(args));
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
  process.stderr.write(`rollback-commander cannot start: ${startupErrorText(err)}\n`);
  process.exit(2);
}
