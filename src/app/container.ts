/**
 * Wiring: builds the adapters, flows and executors from config. The CLI, the worker and the bot
 * all start here, so they act on the same database, queue and cluster in the same way.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createPgBackupStore } from '../adapters/backups/pg-backup-store.ts';
import { createPgIncidentStore } from '../adapters/db/pg-incident-store.ts';
import { webHostOf } from '../adapters/github/github-issue-comment.ts';
import { createGitHubSourceControl, type GitHubSourceControl } from '../adapters/github/github-source-control.ts';
import { createK8sGitOps } from '../adapters/k8s/gitops-controllers.ts';
import { createK8sDeployments } from '../adapters/k8s/k8s-deployments.ts';
import { createK8sSecrets } from '../adapters/k8s/k8s-secrets.ts';
import { loadKubeConfig } from '../adapters/k8s/kube-config.ts';
import { createChildProcessRunner } from '../adapters/process/child-process-runner.ts';
import { createPrometheusQuery } from '../adapters/prometheus/prometheus-query.ts';
import { type BullmqStepQueue, createBullmqStepQueue } from '../adapters/queue/bullmq-step-queue.ts';
import { createBotRedis } from '../adapters/queue/redis-connections.ts';
import { createSlaTimerQueue } from '../adapters/queue/sla-timer-queue.ts';
import { createRedisBacklog } from '../adapters/redis/redis-backlog.ts';
import { createConfigRoleDirectory } from '../adapters/roles/config-role-directory.ts';
import { createPgTargetDatabase } from '../adapters/target-db/pg-target-database.ts';
import type { RunbookConfig } from '../config/schema.ts';
import { githubWebHost } from '../domain/issue-links.ts';
import type { CliOrigin } from '../domain/origin.ts';
import { withCliOrigin } from '../flows/cli-origin-store.ts';
import type { FlowDeps } from '../flows/deps.ts';
import type { Executors } from '../flows/executor.ts';
import type {
  Announcer,
  Backlog,
  Deployments,
  GitOpsControllers,
  IncidentObserver,
  RoleDirectory,
} from '../flows/ports.ts';
import { createStepExecutors } from '../flows/steps/registry.ts';
import { openBotDatabase } from './bot-database.ts';
import type { AppConfig } from './config.ts';

export interface Container {
  config: AppConfig;
  deps: FlowDeps;
  executors: Executors;
  deployments: Deployments;
  /** Argo CD / Flux objects (issue 11); undefined without a usable kubeconfig. */
  gitops: GitOpsControllers | undefined;
  kubeConfig: KubeConfig;
  /** Why the kubeconfig could not be loaded, when `deferKubeErrors` let the container open without it. */
  kubeError: Error | null;
  sourceControl: GitHubSourceControl | null;
  queue: BullmqStepQueue;
  pool: pg.Pool;
  /** Blocking connection (workers); `producer` gives up after a few tries (clicks, CLI). */
  redis: Redis;
  /** Whether the job queue's Redis connection is up (after an enqueue: whether the jobs reached it). */
  queueReachable(): boolean;
  producer: Redis;
  close(): Promise<void>;
}

export interface ContainerOptions {
  log: Logger;
  now?: () => Date;
  roles?: RoleDirectory;
  observer?: IncidentObserver;
  announcer?: Announcer;
  /** A CLI command: one quick try at Redis, no per-reconnect log lines (see queueReachable). */
  redisFailFast?: boolean;
  /** A CLI command: the OS account it runs under, stamped on everything it records. */
  origin?: CliOrigin;
  /** Where the database steps read the restore server URL and the revert command's variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Commands that only read the database (list, status, export) and doctor, which reports every
   * check: a missing or wrong kubeconfig fails only what uses Kubernetes, with the same message.
   */
  deferKubeErrors?: boolean;
}

/**
 * Argo CD / Flux (issue 11): the app's cluster, and Argo CD's own when gitops.argocd.context names
 * another context. Without a usable kubeconfig there is nothing to guard (the steps that need the
 * cluster already say why).
 */
function createGitOps(
  runbook: RunbookConfig,
  kubeConfig: KubeConfig,
  kubeError: Error | null,
  path: string | undefined,
  retry: { budgetMs: number },
  defer: boolean,
): GitOpsControllers | undefined {
  if (kubeError) return undefined;
  const context = runbook.gitops.argocd.context;
  let argocdKubeConfig: KubeConfig | undefined;
  try {
    argocdKubeConfig = context ? loadKubeConfig({ context, path }) : undefined;
  } catch (err) {
    if (!defer) throw err;
    return undefined;
  }
  return createK8sGitOps({ kubeConfig, argocdKubeConfig, namespace: runbook.environment.kube.namespace, retry });
}

/** Stand in for the cluster when the kubeconfig could not be loaded: every use says why. */
const failWith = (err: Error) => (): Promise<never> => Promise.reject(err);

function unavailableDeployments(err: Error): Deployments {
  const fail = failWith(err);
  return { get: fail, setImages: fail, waitForRollout: fail, history: fail, restart: fail };
}

export async function createContainer(config: AppConfig, options: ContainerOptions): Promise<Container> {
  const { env, runbook } = config;
  const pool = await openBotDatabase(config, options.log);
  const { blocking: redis, producer } = createBotRedis(env.REDIS_URL, options.log, {
    failFast: options.redisFailFast ?? false,
  });
  const queue = createBullmqStepQueue({
    connection: producer,
    prefix: env.QUEUE_PREFIX,
    attempts: runbook.queue.attempts,
    backoffMs: runbook.queue.backoff,
    onError: (err) => options.log.warn({ err }, 'step queue: redis error'),
  });
  const store = createPgIncidentStore(pool, runbook.environment.name, { observer: options.observer, log: options.log });
  const actingStore = options.origin ? withCliOrigin(store, options.origin) : store;
  const slaTimers = createSlaTimerQueue({ connection: producer, prefix: env.QUEUE_PREFIX });
  // A single-file KUBECONFIG from the env we were given; a list (a:b) goes through the standard resolution.
  const kubePath = env.KUBECONFIG && !env.KUBECONFIG.includes(':') ? env.KUBECONFIG : undefined;
  let kubeConfig: KubeConfig;
  let kubeError: Error | null = null;
  try {
    kubeConfig = loadKubeConfig({ context: runbook.environment.kube.context, path: kubePath });
  } catch (err) {
    if (!options.deferKubeErrors) throw err;
    kubeError = err as Error;
    kubeConfig = new KubeConfig();
  }
  const kubeRetry = { budgetMs: runbook.environment.kube.retry_budget };
  const kubeNamespace = runbook.environment.kube.namespace;
  const deployments = kubeError
    ? unavailableDeployments(kubeError)
    : createK8sDeployments({ kubeConfig, namespace: kubeNamespace, retry: kubeRetry });
  const gitops = createGitOps(runbook, kubeConfig, kubeError, kubePath, kubeRetry, options.deferKubeErrors ?? false);
  const { owner, repo } = runbook.github;
  const github = config.github;
  const sourceControl = github
    ? createGitHubSourceControl({
        ...(github.kind === 'app'
          ? { app: { appId: github.appId, privateKey: github.privateKey, owner, repo } }
          : { token: github.token }),
        baseUrl: env.GITHUB_API_URL,
        owner,
        repo,
      })
    : null;
  const backlog: (Backlog & { close(): Promise<void> }) | null = config.target.redisUrl
    ? createRedisBacklog(config.target.redisUrl)
    : null;
  const metrics = runbook.verify.prometheus ? createPrometheusQuery(runbook.verify.prometheus.url) : null;
  const deps: FlowDeps = {
    store: actingStore,
    origin: options.origin,
    queue,
    roles: options.roles ?? createConfigRoleDirectory(runbook.roles),
    config: runbook,
    now: options.now ?? (() => new Date()),
    log: options.log,
    slaTimers,
    releases: { deployments, tags: sourceControl },
    deployments,
    githubWebHost: githubWebHost(env.GITHUB_API_URL),
  };
  const commands = createChildProcessRunner();
  const executors: Executors = createStepExecutors({
    commands,
    announcer: options.announcer ?? null,
    sourceControl,
    backlog,
    backlogEnv: runbook.target.redis_url_env,
    store,
    deployments,
    gitops,
    metrics,
    docBaseUrl: `https://${webHostOf(env.GITHUB_API_URL ?? 'https://api.github.com')}/${runbook.github.owner}/${runbook.github.repo}/blob/${runbook.github.default_branch}`,
    database: {
      source: sourceControl,
      targetDatabaseUrl: config.target.databaseUrl,
      env: options.env ?? process.env,
      secrets: kubeError
        ? { readKey: failWith(kubeError), writeKey: failWith(kubeError), readManagers: failWith(kubeError) }
        : createK8sSecrets({ kubeConfig, namespace: kubeNamespace, retry: kubeRetry }),
      deployments,
      installation: `${env.DATABASE_SCHEMA}/${runbook.environment.name}`,
      database: createPgTargetDatabase(),
      backups: createPgBackupStore(),
      commands,
    },
  });
  return {
    config,
    deps,
    executors,
    deployments,
    gitops,
    kubeConfig,
    kubeError,
    sourceControl,
    queue,
    pool,
    redis,
    producer,
    queueReachable: () => producer.status === 'ready',
    async close() {
      await queue.close().catch(() => undefined);
      await slaTimers.close().catch(() => undefined);
      await backlog?.close();
      redis.disconnect();
      producer.disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
