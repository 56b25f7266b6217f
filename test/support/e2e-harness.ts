/**
 * An environment for driving the whole engine: a fake cluster whose api/web/worker run the bad
 * release v1.2.3 (with v1.2.2 in their ReplicaSet history), a config file, a fresh schema and
 * queue prefix, and a CLI runner on exactly the env an operator would set.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { runCli } from '../../src/app/cli.ts';
import type { CliOrigin } from '../../src/domain/origin.ts';
import type { RoleGrant } from '../../src/sim/kube/rbac.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { BOT_USER } from './deploy-rbac.ts';
import { testConfigYaml } from './runbook-config.ts';
import { DATABASE_URL, dropTestState, REDIS_URL, uniqueName } from './services.ts';

export const NS = 'prod';
export const APPS = [
  { name: 'api', image: 'ghcr.io/valuecanvas/app' },
  { name: 'web', image: 'ghcr.io/valuecanvas/web' },
  { name: 'worker', image: 'ghcr.io/valuecanvas/worker' },
] as const;

export interface Harness {
  kube: FakeKube;
  env: NodeJS.ProcessEnv;
  configPath: string;
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** The CLI as run by this OS account (what os.userInfo()/os.hostname() would say). */
  cliFrom(origin: CliOrigin, ...args: string[]): Promise<{ code: number; out: string; err: string }>;
  images(): Record<string, string>;
  patchesOf(name: string): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  rolloutMs?: number;
  configOverrides?: string;
  /** Once the cluster is set up, the fake API server allows only these (deploy-rbac.ts). */
  rbac?: RoleGrant;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const kube = await startClusterOnBadRelease(options.rolloutMs ?? 150);
  if (options.rbac) kube.enforceRbac(options.rbac, BOT_USER);
  const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-'));
  const configPath = join(dir, 'rollback.yml');
  await writeFile(configPath, testConfigYaml(options.configOverrides ?? ''));
  const schema = uniqueName('rc_e2e');
  const prefix = uniqueName('rce2e');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    KUBECONFIG: kube.kubeconfigPath,
    GITHUB_TOKEN: 'ghp_fake_e2e_token',
    TARGET_REDIS_URL: `${REDIS_URL}/5`,
    ROLLBACK_CONFIG: configPath,
    LOG_LEVEL: 'silent',
  };
  kube.requests.length = 0;
  return {
    kube,
    env,
    configPath,
    cli: (...args) => runCliCapture(env, undefined, args),
    cliFrom: (origin, ...args) => runCliCapture(env, origin, args),
    images: () =>
      Object.fromEntries(
        APPS.map((a) => [a.name, kube.deployment(NS, a.name)!.spec.template.spec.containers[0]!.image]),
      ),
    patchesOf: (name) =>
      kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`)).length,
    async close() {
      await kube.close();
      await dropTestState(schema, prefix);
    },
  };
}

async function runCliCapture(env: NodeJS.ProcessEnv, origin: CliOrigin | undefined, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    env,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    ...(origin ? { osIdentity: () => origin } : {}),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * A fake cluster whose api/web/worker run the bad release v1.2.3, shipped the way a deploy would
 * ship it, so v1.2.2 is in their ReplicaSet history.
 */
export async function startClusterOnBadRelease(rolloutMs: number): Promise<FakeKube> {
  const kube = await startFakeKube({ rollout: { durationMs: rolloutMs } });
  for (const app of APPS)
    kube.addDeployment({
      namespace: NS,
      name: app.name,
      containers: [{ name: app.name, image: `${app.image}:v1.2.2` }],
      replicas: 2,
    });
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const deployments = createK8sDeployments({ kubeConfig: kc, namespace: NS });
  await Promise.all(
    APPS.map(async (app) => {
      await deployments.setImages(app.name, [{ container: app.name, image: `${app.image}:v1.2.3` }]);
      await deployments.waitForRollout(app.name, { timeoutMs: 10_000 });
    }),
  );
  return kube;
}
