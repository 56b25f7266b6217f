/**
 * Drill mode: the real bot (flows, worker, reconciler, SLA timers, HTTP server) on the drill
 * world, without Slack — the same path as `npm start` with no SLACK_BOT_TOKEN. Everything it
 * does goes through the real adapters to the simulators, and its own state lives in a `drill`
 * schema and queue prefix of its own. The web console (src/console) runs on the same HTTP server
 * in drill mode, with the drill's own routes (drill-routes.ts) added to it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { type Bot, startBot } from '../app/bot.ts';
import { type AppConfig, loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { UserFacingError } from '../domain/errors.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { DRILL_USERS, type DrillConfigInput, drillConfigYaml } from './drill-config.ts';
import { addDrillRoutes } from './drill-routes.ts';
import { checkDrillServices } from './services-check.ts';
import { type DrillWorld, type DrillWorldOptions, startDrillWorld } from './world.ts';

export const DEFAULT_DRILL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_DRILL_REDIS_URL = 'redis://127.0.0.1:6379';

export interface DrillOptions {
  /** DATABASE_URL, REDIS_URL, PORT and LOG_LEVEL are read from here (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The world's, schema's and queue prefix's name (default "drill"); tests pass a unique one. */
  name?: string;
  /** The HTTP port (default PORT or 3000); 0 picks a free one. */
  port?: number;
  log?: Logger;
  world?: Pick<DrillWorldOptions, 'rolloutMs' | 'deadlineMs' | 'smokeMs'>;
  timing?: DrillConfigInput['timing'];
}

export interface Drill {
  world: DrillWorld;
  bot: Bot;
  config: AppConfig;
  /** The flows' dependencies (store, queue, roles…): what Slack, the CLI and the console act through. */
  deps: FlowDeps;
  /** http://localhost:<port>/ */
  url: string;
  stop(): Promise<void>;
}

export async function startDrill(options: DrillOptions = {}): Promise<Drill> {
  const env = options.env ?? process.env;
  const name = options.name ?? 'drill';
  const databaseUrl = env.DATABASE_URL ?? DEFAULT_DRILL_DATABASE_URL;
  const redisUrl = env.REDIS_URL ?? DEFAULT_DRILL_REDIS_URL;
  await checkDrillServices(databaseUrl, redisUrl);
  const log = options.log ?? createLogger(env.LOG_LEVEL ?? 'warn');
  const world = await startDrillWorld({ databaseUrl, redisUrl, name, ...options.world });
  let dir: string | null = null;
  try {
    dir = await mkdtemp(join(tmpdir(), `rc-${name}-config-`));
    const configPath = join(dir, 'rollback.yml');
    await writeFile(
      configPath,
      drillConfigYaml({
        kubeContext: 'fake',
        backupDirectory: world.backupDirectory,
        restorePrefix: world.restorePrefix,
        backlogKey: world.backlogKey,
        timing: options.timing,
      }),
    );
    const drillEnv: NodeJS.ProcessEnv = {
      PATH: env.PATH,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: name,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: name,
      KUBECONFIG: world.kube.kubeconfigPath,
      GITHUB_TOKEN: world.githubToken,
      GITHUB_API_URL: world.github.url,
      TARGET_DATABASE_URL: world.database.url,
      TARGET_REDIS_URL: world.appRedisUrl,
      PORT: String(options.port ?? env.PORT ?? 3000),
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    };
    const config = loadConfig(drillEnv, configPath);
    let self: Drill | null = null;
    const drillOf = (): Drill => {
      if (!self)
        throw new UserFacingError('upstream_unavailable', 'drill mode is still starting: try again in a moment');
      return self;
    };
    // The web console in drill mode: actions on, the role picker acting as the drill's three people.
    const webConsole = {
      mode: 'drill' as const,
      roles: DRILL_USERS,
      extend: (app: Hono, ctx: { changed(id: string): void }) => addDrillRoutes(app, drillOf, ctx),
    };
    const bot = await startBot(config, log, { mode: 'all', console: webConsole }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(
          `port ${drillEnv.PORT} is already in use: stop what listens there, or start the drill with PORT=<another port>`,
          { cause: err },
        );
      }
      throw err;
    });
    const configDir = dir;
    const drill: Drill = {
      world,
      bot,
      config,
      deps: bot.container.deps,
      url: `http://localhost:${bot.port}/`,
      async stop() {
        await bot.stop();
        await world.close({ keepDatabase: false });
        await rm(configDir, { recursive: true, force: true });
      },
    };
    self = drill;
    return drill;
  } catch (err) {
    await world.close().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
