/**
 * The config a drill runs with: a runbook config (the same schema as rollback.yml, so the drill
 * exercises the real parsing and the real adapters) and the env that points those adapters at
 * the simulators. Three roles, each its own user id — two-person approvals need two ids — all
 * played by the person at the keyboard (`cli.identities` maps their OS account to all three).
 */
import { userInfo } from 'node:os';
import { stringify } from 'yaml';
import type { Role } from '../domain/steps.ts';

/** The drill's people: one per role, so the captain + DB owner approvals are two different ids. */
export const DRILL_USERS: Record<Role, string> = {
  release_captain: 'U0DRILLCAPTAIN',
  oncall_sre: 'U0DRILLSRE',
  database_owner: 'U0DRILLDBOWNER',
};

/** Short names for the role picker and actAs. */
export const DRILL_ROLES = { captain: 'release_captain', sre: 'oncall_sre', db_owner: 'database_owner' } as const;
export type DrillRole = keyof typeof DRILL_ROLES;

export const DRILL_NAMESPACE = 'drill';
export const DRILL_OWNER = 'drill-org';
export const DRILL_REPO = 'shop';
export const DRILL_APPS = [
  { name: 'api', image: 'ghcr.io/drill-org/api' },
  { name: 'web', image: 'ghcr.io/drill-org/web' },
  { name: 'worker', image: 'ghcr.io/drill-org/worker' },
] as const;
export const MIGRATIONS_PATH = 'supabase/migrations';
export const BACKUP_FILENAME = 'drill-{timestamp}.dump';

export interface DrillConfigInput {
  /** The kube simulator's kubeconfig context. */
  kubeContext: string;
  /** Where the backup dumps are. */
  backupDirectory: string;
  /** Restored databases are <prefix>_<incident id>: unique per world so parallel worlds never share one. */
  restorePrefix: string;
  /** The app's backlog key in the target Redis. */
  backlogKey: string;
  /** Timings: the drill's defaults are for people watching; tests pass shorter ones. */
  timing?: { rolloutTimeout?: string; smokePoll?: string; queueWindow?: string; queueInterval?: string };
}

export function drillConfigYaml(input: DrillConfigInput): string {
  const t = { rolloutTimeout: '60s', smokePoll: '1s', queueWindow: '3s', queueInterval: '1s', ...input.timing };
  const osUser = safeOsUser();
  const config = {
    environment: {
      name: 'drill',
      kube: { context: input.kubeContext, namespace: DRILL_NAMESPACE, retry_budget: '5s' },
    },
    deployments: DRILL_APPS.map((a) => ({ name: a.name, container: a.name, image: a.image })),
    rollout: { timeout: t.rolloutTimeout },
    github: { owner: DRILL_OWNER, repo: DRILL_REPO, deploy_workflows: ['deploy.yml'], default_branch: 'main' },
    // Never posted to: a drill runs without Slack (these only satisfy the schema).
    slack: { channels: { incidents: 'C0DRILLINCIDENTS', releases: 'C0DRILLRELEASES' } },
    roles: {
      release_captain: { users: [DRILL_USERS.release_captain] },
      oncall_sre: { users: [DRILL_USERS.oncall_sre] },
      database_owner: { users: [DRILL_USERS.database_owner] },
    },
    sla: { P1: { decide: '10m', restore: '30m' }, P2: { restore: '2h' } },
    target: {
      redis_url_env: 'TARGET_REDIS_URL',
      database_url_env: 'TARGET_DATABASE_URL',
      backlog_key: input.backlogKey,
    },
    verify: { grafana_url: 'https://grafana.example.com/d/00-prod-overview' },
    validation: {
      smoke: {
        workflow: 'smoke.yml',
        inputs: { env: 'drill' },
        poll_interval: t.smokePoll,
        discovery_timeout: '20s',
        timeout: '2m',
      },
      queue_health: { threshold: 100, window: t.queueWindow, interval: t.queueInterval },
      // No probes: a person follows the doc and confirms, as most teams start.
      auth: { troubleshooting_doc: 'docs/ops/troubleshooting/rls-failures.md' },
    },
    database: {
      migrations_table: {
        schema: 'public',
        table: 'schema_migrations',
        version_column: 'version',
        order_column: 'inserted_at',
      },
      migrations: { path: MIGRATIONS_PATH, version: 'file_name' },
      lock_timeout: '5s',
      statement_timeout: '1m',
      backups: { directory: input.backupDirectory, filename: BACKUP_FILENAME },
      restore: { database_prefix: input.restorePrefix, timeout: '5m' },
      validation: {
        count_tables: ['public.orgs'],
        checks: [{ name: 'every org has a name', sql: 'select bool_and(name is not null) from public.orgs' }],
      },
      promotion: {
        secret: 'app-db',
        key: 'DATABASE_URL',
        deployments: ['api', 'worker'],
        rollout_timeout: t.rolloutTimeout,
      },
    },
    ...(osUser ? { cli: { identities: { [osUser]: Object.values(DRILL_USERS) } } } : {}),
    queue: { attempts: 2, backoff: '500ms', lock_duration: '30s', concurrency: 16 },
  };
  return `# Written by drill mode: a simulated world, three roles played by one person.\n${stringify(config)}`;
}

function safeOsUser(): string | null {
  try {
    const name = userInfo().username;
    return /^[a-z_][a-z0-9_.-]*\$?$/i.test(name) ? name : null;
  } catch {
    return null;
  }
}

/** A Redis URL for the app's Redis: the bot's server, another database number (config refuses the same one). */
export function targetRedisUrl(botRedisUrl: string): string {
  const url = new URL(botRedisUrl);
  const db = Number(url.pathname.replace(/^\//, '') || '0');
  url.pathname = `/${(db + 1) % 16}`;
  return url.toString();
}

/** The bot's database URL with another database name (the drill's target app database). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
