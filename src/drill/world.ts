/**
 * The drill world: the simulated Kubernetes API server and GitHub, in-process on loopback, plus
 * the app's own database and Redis on the local services. The bot talks to all of it through its
 * real adapters. `prepare(scenario)` puts the world back where a scenario starts: api/web/worker
 * running the bad v1.2.3 with v1.2.2 and v1.2.1 in their ReplicaSet history, deploys in flight,
 * PRs with auto-merge, the migrations table, and a backup for the critical scenario.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { createK8sDeployments } from '../adapters/k8s/k8s-deployments.ts';
import { type GitHubSim, startGitHubSim } from '../sim/github/server.ts';
import { type FakeKube, startFakeKube } from '../sim/kube/server.ts';
import { DRILL_APPS, DRILL_NAMESPACE, targetRedisUrl } from './drill-config.ts';
import { drillGitHubState } from './github-seed.ts';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';
import { createTargetDatabase, type TargetDatabase } from './target-db.ts';

export interface DrillWorldOptions {
  /** The bot's own database and Redis: the app's database and Redis go next to them. */
  databaseUrl: string;
  redisUrl: string;
  /** Unique names for this world (tests run several at once); default "drill". */
  name?: string;
  /** How long a rollout takes and when a stuck one hits its progress deadline (people watch: seconds). */
  rolloutMs?: number;
  deadlineMs?: number;
  smokeMs?: number;
}

export type DrillWorld = Awaited<ReturnType<typeof startDrillWorld>>;

export const BAD = 'v1.2.3';
const HISTORY = ['v1.2.1', 'v1.2.2', BAD];

export async function startDrillWorld(options: DrillWorldOptions) {
  const name = options.name ?? 'drill';
  const rolloutMs = options.rolloutMs ?? 3000;
  const deadlineMs = options.deadlineMs ?? 8000;
  const kube: FakeKube = await startFakeKube({ rollout: { durationMs: rolloutMs, deadlineMs } });
  const token = `drill_${randomBytes(12).toString('hex')}`;
  const github: GitHubSim = await startGitHubSim({ owner: 'drill-org', repo: 'shop', token });
  const backupDirectory = await mkdtemp(join(tmpdir(), `rc-${name}-backups-`));
  const database: TargetDatabase = await createTargetDatabase(options.databaseUrl, `${name}_app`.slice(0, 63));
  const appRedisUrl = targetRedisUrl(options.redisUrl);
  const appRedis = new Redis(appRedisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  // The world's own commands fail on their own; without a listener ioredis prints every reconnect.
  appRedis.on('error', () => undefined);
  const backlogKey = `${name}:agent:pending`;
  // Restored databases are <prefix>_<incident id> (rollback.yml allows 20 characters).
  const restorePrefix = `${name}_restore`.slice(0, 20);
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const deployments = createK8sDeployments({ kubeConfig: kc, namespace: DRILL_NAMESPACE });

  /** api/web/worker shipped v1.2.1, v1.2.2 and then the bad v1.2.3, as deploys would have. */
  async function seedCluster(): Promise<void> {
    for (const app of DRILL_APPS) {
      if (kube.deployment(DRILL_NAMESPACE, app.name)) kube.deleteDeployment(DRILL_NAMESPACE, app.name);
      kube.addDeployment({
        namespace: DRILL_NAMESPACE,
        name: app.name,
        containers: [{ name: app.name, image: `${app.image}:${HISTORY[0]}` }],
        replicas: 3,
      });
      kube.setRolloutBehavior(DRILL_NAMESPACE, app.name, { mode: 'normal', durationMs: rolloutMs, deadlineMs });
      for (const version of HISTORY.slice(1)) {
        await deployments.setImages(app.name, [{ container: app.name, image: `${app.image}:${version}` }]);
        kube.completeRollout(DRILL_NAMESPACE, app.name);
      }
    }
    const secret = { DATABASE_URL: database.url };
    if (kube.secret(DRILL_NAMESPACE, 'app-db')) kube.updateSecret(DRILL_NAMESPACE, 'app-db', { data: secret });
    else kube.addSecret({ namespace: DRILL_NAMESPACE, name: 'app-db', data: secret });
  }

  async function clearBackups(): Promise<void> {
    for (const f of await readdir(backupDirectory)) await unlink(join(backupDirectory, f));
  }

  return {
    name,
    kube,
    github,
    githubToken: token,
    database,
    appRedisUrl,
    backlogKey,
    backupDirectory,
    restorePrefix,
    /** Back to where `scenario` starts. Call with no incident open (the bot refuses a second one anyway). */
    async prepare(scenario: ScenarioName, now = new Date()): Promise<void> {
      const s = SCENARIOS[scenario];
      await seedCluster();
      Object.assign(
        github.state,
        drillGitHubState({ now, shippedMigration: s.shippedMigration, smokeMs: options.smokeMs ?? 2000 }),
      );
      await database.reset({ shippedMigration: s.shippedMigration });
      await clearBackups();
      // Last night's backup, taken before v1.2.3 shipped (the data-loss window is since then).
      if (s.backup) await database.dump(backupDirectory, new Date(now.getTime() - 6 * 3_600_000));
      // A healthy app queue: a few jobs, draining.
      if (appRedis.status === 'wait') await appRedis.connect();
      await appRedis.del(backlogKey);
      await appRedis.rpush(backlogKey, 'job-1', 'job-2', 'job-3');
      if (s.failingRollout) {
        // The target's pods never become ready: every rollout from now on hits its progress deadline.
        for (const app of DRILL_APPS)
          kube.setRolloutBehavior(DRILL_NAMESPACE, app.name, { mode: 'deadline', deadlineMs });
      }
    },
    /** The failed-rollout scenario's fix: the pods can start now (the expired pull secret was renewed). */
    fixRollouts(): void {
      for (const app of DRILL_APPS) {
        kube.setRolloutBehavior(DRILL_NAMESPACE, app.name, { mode: 'normal', durationMs: rolloutMs });
        const d = kube.deployment(DRILL_NAMESPACE, app.name);
        const failed = d?.status?.conditions?.some((c) => c.reason === 'ProgressDeadlineExceeded');
        if (failed) kube.completeRollout(DRILL_NAMESPACE, app.name);
      }
    },
    /** deployment name → the image its pod template runs now. */
    images(): Record<string, string> {
      return Object.fromEntries(
        DRILL_APPS.map((a) => [
          a.name,
          kube.deployment(DRILL_NAMESPACE, a.name)?.spec.template.spec.containers[0]?.image ?? '',
        ]),
      );
    },
    async close(options: { keepDatabase?: boolean } = {}): Promise<void> {
      await appRedis.del(backlogKey).catch(() => undefined);
      appRedis.disconnect();
      await github.close();
      await kube.close();
      if (options.keepDatabase) await database.close();
      else await database.drop(restorePrefix);
      await rm(backupDirectory, { recursive: true, force: true });
    },
  };
}
