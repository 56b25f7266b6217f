/**
 * The fake API server is only worth its tests if it behaves like the real one where our code
 * depends on it. These pin those behaviours, through @kubernetes/client-node as the bot uses it.
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';

let kube: FakeKube;
let apps: AppsV1Api;
let kc: KubeConfig;
const ns = 'fidelity';

beforeAll(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 30 } });
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  apps = kc.makeApiClient(AppsV1Api);
});
afterAll(() => kube.close());

const add = (name: string) =>
  kube.addDeployment({
    namespace: ns,
    name,
    containers: [
      { name: 'app', image: 'app:1' },
      { name: 'proxy', image: 'envoy:1' },
    ],
  });
const images = (name: string) =>
  kube.deployment(ns, name)?.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`);
const containersPatch = { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } };

describe('fake Kubernetes API server', () => {
  it('answers a missing object with a 404 Status like the real API', async () => {
    const err = await apps
      .readNamespacedDeployment({ name: 'ghost', namespace: ns })
      .catch((e: { code: number; body: string }) => e);
    expect((err as { code: number }).code).toBe(404);
    expect(JSON.parse((err as { body: string }).body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "ghost" not found',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('a JSON merge patch replaces the whole containers list (why set image must not use it)', async () => {
    add('merge');
    await apps.patchNamespacedDeployment(
      { name: 'merge', namespace: ns, body: containersPatch },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(images('merge')).toEqual(['app=app:2']);
  });

  it('a strategic merge patch merges containers by name', async () => {
    add('strategic');
    await apps.patchNamespacedDeployment(
      { name: 'strategic', namespace: ns, body: containersPatch },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(images('strategic')).toEqual(['app=app:2', 'proxy=envoy:1']);
  });

  it('applies a JSON patch, the client default, and rejects a failed test op with 422', async () => {
    add('json');
    const replace = [{ op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'envoy:2' }];
    await apps.patchNamespacedDeployment({ name: 'json', namespace: ns, body: replace });
    expect(images('json')).toEqual(['app=app:1', 'proxy=envoy:2']);
    const failing = [{ op: 'test', path: '/spec/replicas', value: 7 }];
    await expect(apps.patchNamespacedDeployment({ name: 'json', namespace: ns, body: failing })).rejects.toMatchObject({
      code: 422,
    });
  });

  it('bumps generation on spec changes only, and the controller observes it', async () => {
    add('gen');
    const d = await apps.patchNamespacedDeployment(
      { name: 'gen', namespace: ns, body: { metadata: { annotations: { note: 'x' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(d.metadata?.generation).toBe(1);
    const changed = await apps.patchNamespacedDeployment(
      { name: 'gen', namespace: ns, body: containersPatch },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect([changed.metadata?.generation, changed.status?.observedGeneration]).toEqual([2, 1]);
  });

  it('refuses a PUT with a stale resourceVersion with 409 Conflict', async () => {
    add('put');
    const current = await apps.readNamespacedDeployment({ name: 'put', namespace: ns });
    await apps.replaceNamespacedDeployment({ name: 'put', namespace: ns, body: current });
    await expect(apps.replaceNamespacedDeployment({ name: 'put', namespace: ns, body: current })).rejects.toMatchObject(
      { code: 409 },
    );
  });

  it('lists by label and field selector', async () => {
    add('sel-a');
    add('sel-b');
    const byField = await apps.listNamespacedDeployment({ namespace: ns, fieldSelector: 'metadata.name=sel-b' });
    expect(byField.items.map((d) => d.metadata?.name)).toEqual(['sel-b']);
    const byLabel = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'app in (sel-a,sel-b)' });
    expect(byLabel.items.map((d) => d.metadata?.name)).toEqual(['sel-a', 'sel-b']);
  });

  it('deleting a Deployment deletes its ReplicaSets, so the same one can be created again', async () => {
    add('again');
    kube.deleteDeployment(ns, 'again');
    expect(kube.replicaSets(ns, 'again')).toEqual([]);
    add('again');
    const list = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=again' });
    expect(list.items.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'])).toEqual(['1']);
  });

  it('sends an ERROR 410 event to a watch from a compacted resourceVersion', async () => {
    add('old');
    const list = await apps.listNamespacedDeployment({ namespace: ns, fieldSelector: 'metadata.name=old' });
    kube.deleteDeployment(ns, 'old');
    kube.compact();
    const events: { type: string; code?: number }[] = [];
    await new Promise<void>((resolve) => {
      void new Watch(kc).watch(
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        { resourceVersion: list.metadata?.resourceVersion },
        (type, object: { code?: number }) => events.push({ type, code: object.code }),
        () => resolve(),
      );
    });
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });

  it('replays events after a resourceVersion and reports deletion', async () => {
    add('replay');
    const list = await apps.listNamespacedDeployment({ namespace: ns, fieldSelector: 'metadata.name=replay' });
    kube.deleteDeployment(ns, 'replay');
    const types: string[] = [];
    const controller = await new Watch(kc).watch(
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      { resourceVersion: list.metadata?.resourceVersion, fieldSelector: 'metadata.name=replay' },
      (type) => types.push(type),
      () => undefined,
    );
    await expect.poll(() => types).toEqual(['DELETED']);
    controller.abort();
  });

  it('keeps managedFields: a write moves the fields it changed to its manager (fieldManager/User-Agent)', async () => {
    add('managed');
    const imageOwners = async () => {
      const d = await apps.readNamespacedDeployment({ name: 'managed', namespace: ns });
      const owns = (fields: unknown, container: string) => {
        const list = (
          fields as Record<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>
        )?.['f:spec']?.['f:template']?.['f:spec']?.['f:containers'];
        return Boolean((list?.[`k:{"name":"${container}"}`] as Record<string, unknown> | undefined)?.['f:image']);
      };
      const owners = (c: string) => d.metadata?.managedFields?.filter((e) => owns(e.fieldsV1, c)).map((e) => e.manager);
      return { app: owners('app'), proxy: owners('proxy') };
    };
    expect(await imageOwners()).toEqual({ app: ['kubectl-client-side-apply'], proxy: ['kubectl-client-side-apply'] });
    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    const bySet = { name: 'managed', namespace: ns, body: containersPatch, fieldManager: 'kubectl-set' };
    await apps.patchNamespacedDeployment(bySet, strategic);
    expect(await imageOwners()).toEqual({ app: ['kubectl-set'], proxy: ['kubectl-client-side-apply'] });
    // Without a fieldManager the API server names the writer after its User-Agent, up to the first "/".
    const proxyPatch = { spec: { template: { spec: { containers: [{ name: 'proxy', image: 'envoy:2' }] } } } };
    await apps.patchNamespacedDeployment({ name: 'managed', namespace: ns, body: proxyPatch }, strategic);
    expect(await imageOwners()).toEqual({ app: ['kubectl-set'], proxy: ['kubernetes-client-javascript'] });
  });
});
