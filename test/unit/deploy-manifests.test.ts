/**
 * deploy/: the in-process renderer gives what `kubectl kustomize` gave (test/golden/deploy/,
 * rendered by kubectl v1.32 / kustomize v5.5 — regenerate with
 * `kubectl kustomize deploy/<dir> > test/golden/deploy/<dir with - for />.yaml`), and the
 * rendered manifests keep the promises the README makes: least privilege, probes, limits, a
 * locked-down securityContext, disruption budgets, a grace period that outlasts a rollout.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseRunbookConfig } from '../../src/app/config.ts';
import { DEPLOY_DIR } from '../support/deploy-rbac.ts';
import { type KubeResource, kustomize } from '../support/kustomize.ts';

const DIRS = [
  'base',
  'overlays/production',
  'overlays/production-gitops',
  'overlays/tools-cluster/bot',
  'overlays/tools-cluster/prod-access',
];
const render = (dir: string) => kustomize(`${DEPLOY_DIR}${dir}`);
const byKindName = (a: KubeResource, b: KubeResource) =>
  `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);
const find = (all: KubeResource[], kind: string, name: string) =>
  all.find((r) => r.kind === kind && r.metadata.name === name)!;

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}
const podOf = (d: KubeResource) => (d.spec as { template: { spec: PodSpec } }).template.spec;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
const runbookOf = (all: KubeResource[]) =>
  parseRunbookConfig(
    (find(all, 'ConfigMap', 'rollback-commander-config').data as Record<string, string>)['rollback.yml']!,
    'ConfigMap rollback.yml',
  );

describe.each(DIRS)('deploy/%s', (dir) => {
  it('renders as kubectl kustomize rendered it', () => {
    const golden = parseAllDocuments(
      readFileSync(new URL(`../golden/deploy/${dir.replaceAll('/', '-')}.yaml`, import.meta.url), 'utf8'),
    ).map((d) => d.toJS() as KubeResource);
    expect(render(dir).sort(byKindName)).toEqual(golden.sort(byKindName));
  });

  it('grants nothing cluster-wide', () => {
    expect(render(dir).filter((r) => r.kind.startsWith('Cluster'))).toEqual([]);
  });
});

describe('the bot and the worker', () => {
  const all = render('overlays/production');
  const dockerUser = /^USER (\d+)/m.exec(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'))?.[1];

  it.each([
    ['rollback-commander-bot', 'web'],
    ['rollback-commander-worker', 'worker'],
  ])('%s: mode %s, 2 replicas, probes, limits, a locked-down securityContext and a disruption budget', (name, mode) => {
    const deployment = find(all, 'Deployment', name);
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const pod = podOf(deployment);
    const [container] = pod.containers;
    expect(envOf(container!, 'ROLLBACK_MODE')).toBe(mode);
    expect(container!.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container!.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(Object.keys(container!.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container!.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: Number(dockerUser),
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container!.envFrom).toEqual([{ secretRef: { name: 'rollback-commander-env' } }]);
    expect(pod.serviceAccountName).toBe('rollback-commander');
    // ROLLBACK_CONFIG is the ConfigMap's file.
    const configDir = container!.volumeMounts!.find((m) => m.name === 'config')!.mountPath;
    expect(envOf(container!, 'ROLLBACK_CONFIG')).toBe(`${configDir}/rollback.yml`);
    expect(pod.volumes.find((v) => v.name === 'config')?.configMap?.name).toBe('rollback-commander-config');
    const labels = (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const pdbs = all
      .filter((r) => r.kind === 'PodDisruptionBudget')
      .map((r) => r.spec as { minAvailable: number; selector: { matchLabels: unknown } });
    expect(pdbs).toContainEqual({ minAvailable: 1, selector: { matchLabels: labels } });
  });

  it('gives the worker longer than any rollout the config waits for before SIGKILL', () => {
    const runbook = runbookOf(all);
    const grace = podOf(find(all, 'Deployment', 'rollback-commander-worker')).terminationGracePeriodSeconds! * 1000;
    expect(grace).toBeGreaterThan(runbook.rollout.timeout);
    expect(grace).toBeGreaterThan(runbook.database?.promotion?.rollout_timeout ?? 0);
  });

  it('acts in the namespace its Role is in, on the Secret its promotion Role names', () => {
    const runbook = runbookOf(all);
    const roles = all.filter((r) => r.kind === 'Role');
    for (const role of roles) expect(role.metadata.namespace).toBe(runbook.environment.kube.namespace);
    expect(runbook.environment.kube.context).toBeUndefined();
    const secretRule = roles
      .flatMap((r) => r.rules as { resources: string[]; resourceNames?: string[]; verbs: string[] }[])
      .find((r) => r.resources.includes('secrets'));
    expect(secretRule).toEqual({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: [runbook.database!.promotion!.secret],
      verbs: ['get', 'patch'],
    });
  });
});

describe('RBAC', () => {
  it('the base Role has exactly the verbs the bot uses, and no Secret', () => {
    expect(find(render('base'), 'Role', 'rollback-commander').rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
    ]);
  });
});

describe('the GitOps guard (issue 11)', () => {
  const gitopsRules = (dir: string) =>
    render(dir)
      .filter((r) => r.kind === 'Role')
      .filter((r) => ['argocd', 'flux-system'].includes(r.metadata.namespace ?? ''))
      .map((r) => ({ namespace: r.metadata.namespace, rules: r.rules }));

  it('grants get/patch on exactly the named Application and Flux objects, only in the overlay that enables it', () => {
    expect(gitopsRules('overlays/production')).toEqual([]);
    expect(
      gitopsRules('overlays/production-gitops').sort((a, b) => String(a.namespace).localeCompare(String(b.namespace))),
    ).toEqual([
      {
        namespace: 'argocd',
        rules: [
          {
            apiGroups: ['argoproj.io'],
            resources: ['applications'],
            resourceNames: ['shop-prod'],
            verbs: ['get', 'patch'],
          },
        ],
      },
      {
        namespace: 'flux-system',
        rules: [
          {
            apiGroups: ['kustomize.toolkit.fluxcd.io'],
            resources: ['kustomizations'],
            resourceNames: ['shop'],
            verbs: ['get', 'patch'],
          },
          {
            apiGroups: ['helm.toolkit.fluxcd.io'],
            resources: ['helmreleases'],
            resourceNames: ['shop'],
            verbs: ['get', 'patch'],
          },
        ],
      },
    ]);
  });

  it('binds them to the bot’s service account in the app’s namespace, and its rollback.yml turns the guard on', () => {
    const all = render('overlays/production-gitops');
    const bindings = all.filter((r) => r.kind === 'RoleBinding' && r.metadata.name === 'rollback-commander-gitops');
    expect(bindings.map((b) => [b.metadata.namespace, b.subjects])).toEqual([
      ['argocd', [{ kind: 'ServiceAccount', name: 'rollback-commander', namespace: 'prod' }]],
      ['flux-system', [{ kind: 'ServiceAccount', name: 'rollback-commander', namespace: 'prod' }]],
    ]);
    expect(runbookOf(all).gitops).toEqual({
      guard: true,
      tracking_label: 'app.kubernetes.io/instance',
      argocd: { namespace: 'argocd', rollback: 'images' },
    });
  });
});

describe('the tools-cluster example', () => {
  const bot = render('overlays/tools-cluster/bot');

  it('reaches prod only through the kubeconfig Secret, pinned to its context, with no token of its own cluster', () => {
    expect(bot.filter((r) => r.kind === 'Role' || r.kind === 'RoleBinding')).toEqual([]);
    expect(runbookOf(bot).environment.kube.context).toBe('prod');
    for (const name of ['rollback-commander-bot', 'rollback-commander-worker']) {
      const pod = podOf(find(bot, 'Deployment', name));
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBeUndefined();
      const mount = pod.containers[0]!.volumeMounts!.find((m) => m.name === 'kubeconfig')!;
      expect(envOf(pod.containers[0]!, 'KUBECONFIG')).toBe(`${mount.mountPath}/config`);
      expect(pod.volumes.find((v) => v.name === 'kubeconfig')?.secret?.secretName).toBe('prod-kubeconfig');
    }
  });

  it('binds the same Role to the account its token belongs to, in prod', () => {
    const prod = render('overlays/tools-cluster/prod-access');
    const token = find(prod, 'Secret', 'rollback-commander-token');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.metadata.namespace).toBe('prod');
    expect(find(prod, 'RoleBinding', 'rollback-commander').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'rollback-commander', namespace: 'prod' },
    ]);
    expect(find(prod, 'Role', 'rollback-commander').rules).toEqual(
      find(render('base'), 'Role', 'rollback-commander').rules,
    );
  });
});

describe('the image', () => {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    license: string;
    scripts: Record<string, string>;
  };

  it('runs node itself under tini as a numeric user, with the CLI on PATH, OCI labels and the license', () => {
    expect(dockerfile).toMatch(/^USER \d+:\d+$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).toMatch(/^CMD \["node", "src\/app\/main\.ts"\]$/m);
    expect(dockerfile).toContain('COPY bin ./bin');
    expect(dockerfile).toContain('ln -s /app/bin/rollback-commander /usr/local/bin/rollback-commander');
    for (const label of ['title', 'licenses', 'version', 'revision', 'source'])
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8')).toContain(
      'Apache License\n                           Version 2.0, January 2004',
    );
    // npm runs scripts through `sh -c`: exec hands the signal on to node (npm-start.test.ts proves it).
    expect(pkg.scripts.start).toMatch(/^exec /);
  });
});
