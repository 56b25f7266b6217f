/**
 * loadConfig is pure: it reads the YAML text and env it is given, validates both with zod, and
 * returns typed config or throws one UserFacingError that names every bad key and how to fix it.
 * Secrets come only from env and are never echoed back.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { duration } from '../config/duration.ts';
import { type GitHubAuth, githubAuthFrom } from '../config/github.ts';
import { describeIssues, readYaml, yamlSyntaxProblems } from '../config/problems.ts';
import { configSchema, type RunbookConfig } from '../config/schema.ts';
import { UserFacingError } from '../domain/errors.ts';

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string'),
  /** A separate owner role that runs the bot's migrations; DATABASE_URL's role then only reads and writes rows. */
  DATABASE_OWNER_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// (or rediss:// for TLS) URL')
    .default('redis://127.0.0.1:6379'),
  // Defaults include the environment name (loadConfig fills them in): one bot per environment.
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (at most 63)')
    .optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (no colons)')
    .optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_APP_ID: z.string().regex(/^\d+$/, "the numeric App ID from the App's settings page").optional(),
  GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  GITHUB_APP_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  GITHUB_API_URL: z.url().optional(),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'a bot token starts with xoxb-').optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'an app-level token starts with xapp-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_API_URL: z.url().optional(),
  KUBECONFIG: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** When set, /metrics and the probes are served on this port and /metrics leaves PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Turns the read-only web console on (README "Web console"); every request must then carry it. */
  CONSOLE_TOKEN: z
    .string()
    .regex(
      /^[\x21-\x7e]{24,}$/,
      'at least 24 printable characters, no spaces: generate one with `openssl rand -hex 32`',
    )
    .optional(),
  ROLLBACK_MODE: z
    .enum(
      ['all', 'web', 'worker'],
      'one of all (default), web (Slack + HTTP; steps run in `rollback-commander worker` processes) or worker',
    )
    .default('all'),
  /** How long start-up waits for Redis before it exits non-zero (main.ts); a duration like 60s or 2m. */
  STARTUP_TIMEOUT: duration.default(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type EnvConfig = z.output<typeof envSchema> & { DATABASE_SCHEMA: string; QUEUE_PREFIX: string };

/** `rollback_commander_<env>` and `rc-<env>`: two bots for two environments never share state by default. */
export function defaultSchemaFor(environment: string): string {
  return `rollback_commander_${environment.replace(/-/g, '_')}`.slice(0, 63);
}
export function defaultQueuePrefixFor(environment: string): string {
  return `rc-${environment}`;
}

export interface AppConfig {
  runbook: RunbookConfig;
  env: EnvConfig;
  /** The app being rolled back: its Redis and database URLs, read from the env vars the YAML names. */
  target: { redisUrl: string | undefined; databaseUrl: string | undefined };
  /** GITHUB_TOKEN or a GitHub App (src/config/github.ts); null: GitHub steps say what to set. */
  github: GitHubAuth | null;
  configPath: string;
}

const FIX = 'rollback.example.yml and the README section "Configuration" document each one';

/** The runbook config, or every problem with it (syntax errors, then bad keys with their lines). */
export function checkRunbookConfig(
  yamlText: string,
  sourceName: string,
): { config?: RunbookConfig; problems: string[] } {
  const yaml = readYaml(yamlText);
  const syntax = yamlSyntaxProblems(sourceName, yaml);
  if (syntax.length) return { problems: syntax };
  const parsed = configSchema.safeParse(yaml.doc.toJS() ?? {});
  if (parsed.success) return { config: parsed.data, problems: [] };
  return { problems: describeIssues(sourceName, parsed.error.issues, { yaml, schema: configSchema }) };
}

export function parseRunbookConfig(yamlText: string, sourceName: string): RunbookConfig {
  const { config, problems } = checkRunbookConfig(yamlText, sourceName);
  if (!config)
    throw new UserFacingError(
      'config_invalid',
      `${sourceName} is invalid — fix these keys (${FIX}):\n${problems.join('\n')}`,
    );
  return config;
}

/** Env rules across variables; values are never echoed (they may be secrets). */
function envCrossProblems(env: NodeJS.ProcessEnv): string[] {
  if (env.SLACK_APP_TOKEN && !env.SLACK_BOT_TOKEN) {
    return [
      '  - env `SLACK_BOT_TOKEN`: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: set the Bot User OAuth Token ' +
        '(xoxb-…, "OAuth & Permissions") too, or unset SLACK_APP_TOKEN to run without Slack',
    ];
  }
  return [];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, file?: string): AppConfig {
  const configPath = file ?? env.ROLLBACK_CONFIG ?? 'rollback.yml';
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    throw new UserFacingError(
      'config_invalid',
      `cannot read the runbook config ${configPath} (${(err as NodeJS.ErrnoException).code ?? 'error'}): copy rollback.example.yml to rollback.yml and edit it, or pass --config / set ROLLBACK_CONFIG`,
      { cause: err },
    );
  }
  // Every problem at once, YAML and env together: one start-up attempt shows the whole list.
  const { config: runbook, problems } = checkRunbookConfig(text, configPath);
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) problems.push(...describeIssues('env', parsedEnv.error.issues));
  problems.push(...envCrossProblems(env));
  if (!runbook || !parsedEnv.success || problems.length) {
    throw new UserFacingError(
      'config_invalid',
      `the configuration is invalid — fix these (${FIX}):\n${problems.join('\n')}`,
    );
  }
  const target = { redisUrl: env[runbook.target.redis_url_env], databaseUrl: env[runbook.target.database_url_env] };
  const name = runbook.environment.name;
  const filled: EnvConfig = {
    ...parsedEnv.data,
    DATABASE_SCHEMA: parsedEnv.data.DATABASE_SCHEMA ?? defaultSchemaFor(name),
    QUEUE_PREFIX: parsedEnv.data.QUEUE_PREFIX ?? defaultQueuePrefixFor(name),
  };
  refuseSelfTarget(filled, target, runbook);
  return { runbook, env: filled, target, github: githubAuthFrom(filled), configPath };
}

/** PRODUCT.md: start-up refuses a target that equals the bot's own database or Redis. */
function refuseSelfTarget(env: EnvConfig, target: AppConfig['target'], runbook: RunbookConfig): void {
  if (target.databaseUrl && sameServerAndDb(target.databaseUrl, env.DATABASE_URL)) {
    throw new UserFacingError(
      'config_invalid',
      `${runbook.target.database_url_env} points at the bot's own DATABASE_URL: the app being rolled back must use a different database`,
    );
  }
  if (target.redisUrl && sameServerAndDb(target.redisUrl, env.REDIS_URL)) {
    throw new UserFacingError(
      'config_invalid',
      `${runbook.target.redis_url_env} points at the bot's own REDIS_URL: the app being rolled back must use a different Redis (or Redis database number)`,
    );
  }
}

function sameServerAndDb(a: string, b: string): boolean {
  try {
    const ua = new URL(a);
    const ub = new URL(b);
    const key = (u: URL) => `${u.hostname}:${u.port || 'default'}/${u.pathname.replace(/^\//, '') || '0'}`;
    return key(ua) === key(ub);
  } catch {
    return a === b;
  }
}
