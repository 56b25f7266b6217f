/**
 * The IncidentStore contract (flows/ports.ts), run against the Pg store on a per-test schema of the
 * real Postgres and the in-memory fake (test/fakes/fake-incident-store.ts). Two stores over one
 * schema (one table set) are two bots for two environments.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import { alreadyOpen, type StepRecord } from '../../src/domain/incident.ts';
import { RUNBOOK } from '../../src/domain/steps.ts';
import type { IncidentObserver, IncidentStore, NewEvent, NewIncident } from '../../src/flows/ports.ts';
import { createFakeIncidentStore, createFakeIncidentTables } from '../fakes/fake-incident-store.ts';
import { createTestDb, type TestDb } from '../support/services.ts';

interface Harness {
  /** A store for one environment; every store of one harness shares one schema. */
  store(environment: string, observer?: IncidentObserver): IncidentStore;
}

const dbs: TestDb[] = [];

afterAll(async () => {
  for (const db of dbs) await db.drop();
});

const implementations: [string, () => Promise<Harness>][] = [
  [
    'Postgres',
    async () => {
      const db = await createTestDb();
      dbs.push(db);
      return { store: (environment, observer) => createPgIncidentStore(db.pool, environment, { observer }) };
    },
  ],
  [
    'in-memory fake',
    async () => {
      const tables = createFakeIncidentTables();
      return { store: (environment, observer) => createFakeIncidentStore(environment, { observer, tables }) };
    },
  ],
];

const T0 = new Date('2026-11-24T12:00:00.000Z');
const T1 = new Date('2026-11-24T12:05:00.000Z');
const SRE = 'U0SRE00001';

const newIncident = (over: Partial<NewIncident> = {}): NewIncident => ({
  environment: 'production',
  badVersion: 'v1.2.3',
  targetVersion: null,
  targetSource: null,
  severity: 'P1',
  trigger: 'slo_breach',
  critical: false,
  issueUrl: 'https://github.com/acme/app/issues/7',
  createdBy: SRE,
  createdAt: T0,
  impactStartedAt: new Date('2026-11-24T11:50:00.000Z'),
  detectedAt: T0,
  ...over,
});

const started = (environment = 'production'): Omit<NewEvent, 'at'> => ({
  kind: 'incident_started',
  actor: SRE,
  payload: {
    badVersion: 'v1.2.3',
    requestedTarget: null,
    severity: 'P1',
    trigger: 'slo_breach',
    critical: false,
    issueUrl: null,
    environment,
    autopilot: true,
    drill: false,
  },
});

const progress = (message: string): NewEvent => ({
  kind: 'step_progress',
  actor: 'rollback-commander',
  at: T1,
  stepId: 'revert_images',
  payload: { message },
});

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** What a runner writes when it starts a step. */
function running(step: StepRecord, attempt: number): StepRecord {
  return { ...step, state: 'running', attempt, startedAt: T1, updatedAt: T1, actor: SRE };
}

describe.each(implementations)('IncidentStore contract: %s', (_name, make) => {
  it('creates an open incident with every runbook step pending, and reads it back as written', async () => {
    const store = (await make()).store('production');
    const incident = await store.create(newIncident({ autopilot: false }), [started()]);
    expect(incident).toMatchObject({
      environment: 'production',
      state: 'open',
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      critical: false,
      autopilot: false,
      drill: false,
      issueUrl: 'https://github.com/acme/app/issues/7',
      createdBy: SRE,
      createdAt: T0,
      impactStartedAt: new Date('2026-11-24T11:50:00.000Z'),
      detectedAt: T0,
      decidedAt: null,
      restoredAt: null,
      resolvedAt: null,
      chat: { incidents: null, releases: null },
    });
    expect(incident.id).toMatch(/^rb-\d+$/);

    const snapshot = await store.get(incident.id);
    expect(snapshot.incident).toEqual(incident);
    expect([...snapshot.steps.keys()].sort()).toEqual(RUNBOOK.map((d) => d.id).sort());
    for (const step of snapshot.steps.values()) {
      expect(step).toMatchObject({ incidentId: incident.id, state: 'pending', attempt: 0, version: 1, output: {} });
    }
    expect(snapshot.approvals).toEqual([]);
    expect(await store.findOpen('production')).toEqual(incident);
    expect(await store.list({})).toEqual([incident]);

    const [event, ...rest] = await store.timeline(incident.id);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ incidentId: incident.id, kind: 'incident_started', actor: SRE, at: T0 });
    expect(event?.kind === 'incident_started' && event.payload.environment).toBe('production');
  });

  it('refuses a second open incident in the environment, naming the open one; a new one opens once it is closed', async () => {
    const store = (await make()).store('production');
    const first = await store.create(newIncident(), [started()]);
    const err = await rejection(store.create(newIncident({ badVersion: 'v1.2.4' }), [started()]));
    expect(err.code).toBe('conflict');
    expect(err.message).toBe(alreadyOpen('production', first));
    expect(await store.list({})).toHaveLength(1);

    await store.mutate(first.id, () => ({ incident: { state: 'resolved', resolvedAt: T1 }, events: [], result: null }));
    const second = await store.create(newIncident({ badVersion: 'v1.2.4' }), [started()]);
    expect(second.id).not.toBe(first.id);
    expect((await store.list({})).map((i) => i.id)).toEqual([second.id, first.id]);
    expect((await store.list({ openOnly: true })).map((i) => i.id)).toEqual([second.id]);
    expect((await store.list({ limit: 1 })).map((i) => i.id)).toEqual([second.id]);
  });

  it('applies a mutation whole: incident patch, steps, approvals and events together, returning its result', async () => {
    const store = (await make()).store('production');
    const { id } = await store.create(newIncident(), [started()]);
    const result = await store.mutate(id, (s) => ({
      incident: { critical: true, targetVersion: 'v1.2.2', severity: undefined },
      steps: [running(s.steps.get('revert_images') as StepRecord, 1)],
      approvals: [
        { incidentId: id, stepId: 'revert_images', attempt: 1, role: 'release_captain', userId: SRE, at: T1 },
      ],
      events: [{ kind: 'incident_marked_critical', actor: SRE, at: T1, payload: { reason: 'data loss' } }],
      result: 'done' as const,
    }));
    expect(result).toBe('done');
    const after = await store.get(id);
    expect(after.incident).toMatchObject({ critical: true, targetVersion: 'v1.2.2', severity: 'P1' });
    expect(after.steps.get('revert_images')).toMatchObject({ state: 'running', attempt: 1, version: 2, actor: SRE });
    expect(after.approvals).toEqual([
      { incidentId: id, stepId: 'revert_images', attempt: 1, role: 'release_captain', userId: SRE, at: T1, via: null },
    ]);
    expect((await store.timeline(id)).map((e) => e.kind)).toEqual(['incident_started', 'incident_marked_critical']);
  });

  it('writes nothing when the mutator throws or a write is refused (the same person approving twice)', async () => {
    const store = (await make()).store('production');
    const { id } = await store.create(newIncident(), [started()]);
    const before = await store.get(id);

    await expect(
      store.mutate(id, (s) => {
        void s;
        throw new Error('decided against it');
      }),
    ).rejects.toThrow('decided against it');

    const approval = {
      incidentId: id,
      stepId: 'revert_images' as const,
      attempt: 1,
      role: 'release_captain' as const,
      at: T1,
    };
    await store.mutate(id, () => ({ approvals: [{ ...approval, userId: SRE }], events: [], result: null }));
    await expect(
      store.mutate(id, (s) => ({
        incident: { critical: true },
        steps: [running(s.steps.get('revert_images') as StepRecord, 1)],
        approvals: [{ ...approval, userId: SRE }],
        events: [progress('must not be kept')],
        result: null,
      })),
    ).rejects.toThrow();

    const after = await store.get(id);
    expect(after.incident).toEqual(before.incident);
    expect(after.steps).toEqual(before.steps);
    expect(after.approvals.map((a) => a.userId)).toEqual([SRE]);
    expect((await store.timeline(id)).map((e) => e.kind)).toEqual(['incident_started']);
  });

  it('bumps a step version by one on every write, whatever version the caller sent; others keep theirs', async () => {
    const store = (await make()).store('production');
    const { id } = await store.create(newIncident(), [started()]);
    const write = (attempt: number) =>
      store.mutate(id, (s) => {
        const step = s.steps.get('revert_images') as StepRecord;
        return { steps: [{ ...running(step, attempt), version: 99 }], events: [], result: step.version };
      });
    expect(await write(1)).toBe(1);
    expect(await write(2)).toBe(2);
    const after = await store.get(id);
    expect(after.steps.get('revert_images')).toMatchObject({ attempt: 2, version: 3 });
    expect(after.steps.get('announce')?.version).toBe(1);
  });

  it('serializes concurrent mutations of one incident: each sees the one before it', async () => {
    const store = (await make()).store('production');
    const { id } = await store.create(newIncident(), [started()]);
    const bump = () =>
      store.mutate(id, async (s) => {
        const step = s.steps.get('smoke_tests') as StepRecord;
        await new Promise((resolve) => setImmediate(resolve));
        return { steps: [{ ...step, attempt: step.attempt + 1 }], events: [], result: step.attempt };
      });
    const seen = await Promise.all([bump(), bump(), bump()]);
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect((await store.get(id)).steps.get('smoke_tests')).toMatchObject({ attempt: 3, version: 4 });
  });

  it('keeps the timeline in write order, with each kind’s typed payload', async () => {
    const store = (await make()).store('production');
    const { id } = await store.create(newIncident(), [started()]);
    await store.append(id, [progress('patching api'), progress('patching worker')]);
    await store.mutate(id, () => ({
      events: [
        { kind: 'step_succeeded', actor: SRE, at: T1, stepId: 'revert_images', payload: { summary: '2 patched' } },
      ],
      result: null,
    }));
    await store.append(id, []);
    const timeline = await store.timeline(id);
    expect(timeline.map((e) => [e.kind, e.stepId])).toEqual([
      ['incident_started', null],
      ['step_progress', 'revert_images'],
      ['step_progress', 'revert_images'],
      ['step_succeeded', 'revert_images'],
    ]);
    const ids = timeline.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    expect(timeline.map((e) => (e.kind === 'step_progress' ? e.payload.message : null))).toEqual([
      null,
      'patching api',
      'patching worker',
      null,
    ]);
    const last = timeline[3];
    expect(last?.kind === 'step_succeeded' && last.payload.summary).toBe('2 patched');
    expect(last?.at).toEqual(T1);
  });

  it('tells the observer once per committed change, and nothing for a failed or empty one', async () => {
    const heard: [string, string[]][] = [];
    const store = (await make()).store('production', {
      changed: (incidentId, events) => heard.push([incidentId, events.map((e) => e.kind)]),
    });
    const { id } = await store.create(newIncident(), [started()]);
    await store.append(id, [progress('patching')]);
    await store.append(id, []);
    await expect(
      store.mutate(id, () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await store.mutate(id, () => ({ events: [], result: null }));
    await store.mutate(id, () => ({ incident: { severity: undefined }, events: [], result: null }));
    await store.mutate(id, () => ({ incident: { autopilot: false }, events: [], result: null }));
    await store.mutate(id, () => ({
      events: [{ kind: 'incident_marked_critical', actor: SRE, at: T1, payload: { reason: 'data loss' } }],
      incident: { critical: true },
      result: null,
    }));
    expect(heard).toEqual([
      [id, ['incident_started']],
      [id, ['step_progress']],
      [id, []],
      [id, ['incident_marked_critical']],
    ]);
  });

  it('a failing observer never fails the change that already committed', async () => {
    const store = (await make()).store('production', {
      changed: () => {
        throw new Error('chat is down');
      },
    });
    const { id } = await store.create(newIncident(), [started()]);
    await store.append(id, [progress('patching')]);
    expect(await store.mutate(id, () => ({ events: [progress('more')], result: 7 }))).toBe(7);
    expect(await store.timeline(id)).toHaveLength(3);
  });

  it("scopes every read and write to the store's environment", async () => {
    const h = await make();
    const production = h.store('production');
    const staging = h.store('staging');
    const prod = await production.create(newIncident(), [started()]);
    // Staging opens its own while production has one open.
    const stag = await staging.create(newIncident({ environment: 'staging' }), [started('staging')]);

    const err = await rejection(staging.get(prod.id));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain(`there is no incident \`${prod.id}\` in staging (it belongs to production`);
    expect((await rejection(production.get('rb-999999'))).code).toBe('not_found');
    expect((await rejection(staging.append(prod.id, [progress('x')]))).code).toBe('not_found');
    expect((await rejection(staging.mutate(prod.id, () => ({ events: [], result: null })))).code).toBe('not_found');
    expect(await staging.timeline(prod.id)).toEqual([]);
    expect(await staging.findOpen('production')).toBeNull();
    expect(await staging.list({ environment: 'production' })).toEqual([]);
    expect((await staging.list({})).map((i) => i.id)).toEqual([stag.id]);
    expect((await production.list({})).map((i) => i.id)).toEqual([prod.id]);

    const wrong = await rejection(production.create(newIncident({ environment: 'staging' }), [started('staging')]));
    expect(wrong.code).toBe('config_invalid');
    expect(wrong.message).toBe('this bot runs production; it cannot open an incident for staging');
    expect((await production.timeline(prod.id)).map((e) => e.kind)).toEqual(['incident_started']);
  });

  it('checkpoints into a running attempt only, without a version bump', async () => {
    const store = (await make()).store('production');
    const { id } = await store.create(newIncident(), [started()]);
    const notRunning = await rejection(store.checkpoint(id, 'revert_images', 0, { patched: ['api'] }));
    expect(notRunning.code).toBe('aborted');
    expect(notRunning.message).toBe(`step revert_images of ${id} is no longer running attempt 0`);

    await store.mutate(id, (s) => ({
      steps: [{ ...running(s.steps.get('revert_images') as StepRecord, 1), output: { planned: 2 } }],
      events: [],
      result: null,
    }));
    await store.checkpoint(id, 'revert_images', 1, { patched: ['api'] });
    await store.checkpoint(id, 'revert_images', 1, { patched: ['api', 'worker'] });
    expect((await rejection(store.checkpoint(id, 'revert_images', 2, { patched: [] }))).code).toBe('aborted');
    expect((await store.get(id)).steps.get('revert_images')).toMatchObject({
      version: 2,
      output: { planned: 2, patched: ['api', 'worker'] },
    });
  });

  it('lists active steps, reverted versions and known-good releases of its environment; records chat refs per channel', async () => {
    const h = await make();
    const store = h.store('production');
    const { id } = await store.create(newIncident(), [started()]);
    expect(await store.revertedVersions('production')).toEqual([]);
    await store.mutate(id, (s) => ({
      steps: [
        { ...running(s.steps.get('revert_images') as StepRecord, 1), output: { patched: ['api'] } },
        { ...(s.steps.get('announce') as StepRecord), state: 'queued', attempt: 1 },
      ],
      events: [],
      result: null,
    }));
    expect((await store.activeSteps()).map((s) => s.stepId).sort()).toEqual(['announce', 'revert_images']);
    expect(await store.revertedVersions('production')).toEqual([{ version: 'v1.2.3', incidentId: id }]);
    expect(await store.revertedVersions('staging')).toEqual([]);
    expect(await h.store('staging').activeSteps()).toEqual([]);
    await store.mutate(id, () => ({ incident: { state: 'aborted' }, events: [], result: null }));
    expect(await store.activeSteps()).toEqual([]);

    const good = {
      environment: 'production',
      version: 'v1.2.2',
      images: { api: 'acme/api:v1.2.2' },
      source: 'mark-good',
      recordedBy: SRE,
      recordedAt: T0,
    };
    await store.recordKnownGood(good);
    await store.recordKnownGood({ ...good, version: 'v1.2.1', recordedAt: T1 });
    expect((await store.knownGood('production')).map((k) => k.version)).toEqual(['v1.2.1', 'v1.2.2']);
    expect(await store.knownGood('production', 1)).toEqual([{ ...good, version: 'v1.2.1', recordedAt: T1 }]);
    expect(await store.knownGood('staging')).toEqual([]);
    expect((await rejection(store.recordKnownGood({ ...good, environment: 'staging' }))).code).toBe('config_invalid');

    await store.setChatRef(id, 'incidents', { channel: 'C0INCIDENT', ts: '1.1' });
    await store.setChatRef(id, 'releases', { channel: 'C0RELEASES', ts: '2.2' });
    expect((await store.get(id)).incident.chat).toEqual({
      incidents: { channel: 'C0INCIDENT', ts: '1.1' },
      releases: { channel: 'C0RELEASES', ts: '2.2' },
    });
  });
});
