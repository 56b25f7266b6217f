/** The store tells its observer about a change once, after the commit, with the events it wrote. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import type { IncidentStore, NewEvent } from '../../src/flows/ports.ts';
import { createTestDb, type TestDb } from '../support/services.ts';

let db: TestDb;
let store: IncidentStore;
const heard: { incidentId: string; kinds: string[]; visible: Promise<number> }[] = [];

beforeAll(async () => {
  db = await createTestDb();
  store = createPgIncidentStore(db.pool, 'production', {
    observer: {
      changed: (incidentId, events) => {
        // Another connection reads the timeline as the observer is told: it sees the rows only if committed.
        const visible = db.pool
          .query('select count(*)::int as n from timeline where incident_id = $1', [incidentId])
          .then((r) => r.rows[0].n as number);
        heard.push({ incidentId, kinds: events.map((e) => e.kind), visible });
      },
    },
  });
});

afterAll(async () => {
  await db?.drop();
});

const T0 = new Date('2026-11-24T12:00:00Z');

it('publishes create, append and mutate once each after the commit; a rolled-back or empty change is not published', async () => {
  const incident = await store.create(
    {
      environment: 'production',
      badVersion: 'v1.2.3',
      targetVersion: null,
      targetSource: null,
      severity: 'P1',
      trigger: 'slo_breach',
      critical: false,
      issueUrl: null,
      createdBy: 'U0SRE00001',
      createdAt: T0,
      impactStartedAt: null,
      detectedAt: T0,
    },
    [
      {
        kind: 'incident_started',
        actor: 'U0SRE00001',
        payload: {
          badVersion: 'v1.2.3',
          requestedTarget: null,
          severity: 'P1',
          trigger: 'slo_breach',
          critical: false,
          issueUrl: null,
          environment: 'production',
          autopilot: true,
          drill: false,
        },
      },
    ],
  );
  const progress: NewEvent = {
    kind: 'step_progress',
    actor: 'rollback-commander',
    at: T0,
    stepId: 'revert_images',
    payload: { message: 'patching' },
  };
  await store.append(incident.id, [progress]);
  await expect(
    store.mutate(incident.id, () => {
      throw new Error('decided against it');
    }),
  ).rejects.toThrow('decided against it');
  await store.mutate(incident.id, () => ({ events: [], result: null }));
  await store.mutate(incident.id, () => ({
    events: [{ kind: 'incident_marked_critical', actor: 'U0CAPTAIN1', at: T0, payload: { reason: 'data loss' } }],
    incident: { critical: true },
    result: null,
  }));

  expect(heard.map((h) => [h.incidentId, h.kinds])).toEqual([
    [incident.id, ['incident_started']],
    [incident.id, ['step_progress']],
    [incident.id, ['incident_marked_critical']],
  ]);
  // Each change's rows were visible to another connection when it was published: after the commit
  // (that read may also see a later change's rows, never fewer than its own).
  const visible = await Promise.all(heard.map((h) => h.visible));
  for (const [i, n] of visible.entries()) expect(n).toBeGreaterThanOrEqual(i + 1);
  expect((await store.timeline(incident.id)).map((e) => e.kind)).toEqual([
    'incident_started',
    'step_progress',
    'incident_marked_critical',
  ]);
});
