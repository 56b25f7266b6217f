import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { concurrencyArg, examples } from '../options.ts';

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .addHelpText('after', examples('worker --concurrency 16'))
    .description(
      'run the step worker (and, with Slack, the thread relay) until SIGTERM, which drains the running steps',
    )
    .option('--concurrency <n>', 'parallel steps, 1–200 (default: queue.concurrency in rollback.yml)', concurrencyArg)
    .action(async (o) => {
      const [{ loadConfig }, { createLogger }, { startBot }, { waitForRedis }] = await Promise.all([
        import('../../config.ts'),
        import('../../logger.ts'),
        import('../../bot.ts'),
        import('../../startup-redis.ts'),
      ]);
      const { io } = ctx;
      const config = loadConfig(io.env, ctx.configPath());
      if (o.concurrency) config.runbook.queue.concurrency = o.concurrency;
      const log = createLogger(io.env.LOG_LEVEL ?? 'warn');
      await waitForRedis(config.env.REDIS_URL, {
        timeoutMs: config.env.STARTUP_TIMEOUT,
        log,
      });
      const bot = await startBot(config, log, { mode: 'worker', http: false });
      io.out(`worker ready (queue prefix ${config.env.QUEUE_PREFIX})`);
      await (io.stopSignal ?? new Promise(() => undefined));
      io.out('stopping: waiting for running steps to finish');
      await bot.stop();
    });
}
