/**
 * An in-memory IncidentStore (flows/ports.ts) with the Pg store's semantics that callers rely on:
 * one open incident per environment, every runbook step pending at creation, atomic `mutate`
 * (serialized per incident; a mutator that throws writes nothing), step versions bumped on every
 * write, timeline ids in insertion order, the observer told once after each committed change, and
 * every read scoped to the store's environment. Stores made over one `FakeIncidentTables` share
 * state like two bots pointed at one schema.
 */
import { UserFacingError } from '../../src/domain/errors.ts';
import { type Approval, alreadyOpen, type Incident, type StepRecord } from '../../src/domain/incident.ts';
import { RUNBOOK, type StepId } from '../../src/domain/steps.ts';
import { toTimelineBody } from '../../src/domain/timeline-events.ts';
import type {
  IncidentObserver,
  IncidentSnapshot,
  IncidentStore,
  KnownGood,
  Mutation,
  NewEvent,
} from '../../src/flows/ports.ts';

interface StoredEvent {
  id: number;
  incidentId: string;
  at: Date;
  actor: string;
  kind: string;
  stepId: StepId | null;
  payload: unknown;
}

/** The "database": shared by every store made over it. */
export interface FakeIncidentTables {
  incidents: Map<string, { seq: number; incident: Incident }>;
  steps: Map<string, Map<StepId, StepRecord>>;
  approvals: Approval[];
  timeline: StoredEvent[];
  knownGood: (KnownGood & { id: number })[];
  next: { incident: number; event: number; knownGood: number };
}

export function createFakeIncidentTables(): FakeIncidentTables {
  return {
    incidents: new Map(),
    steps: new Map(),
    approvals: [],
    timeline: [],
    knownGood: [],
    next: { incident: 1, event: 1, knownGood: 1 },
  };
}

export interface FakeIncidentStoreOptions {
  observer?: IncidentObserver;
  log?: { error(obj: unknown, msg: string): void };
  /** Shared with other fake stores (another environment's bot on the same schema). */
  tables?: FakeIncidentTables;
}

/** What jsonb does to a value: Dates become strings, undefined fields vanish. */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? {})) as T;

export function createFakeIncidentStore(environment: string, options: FakeIncidentStoreOptions = {}): IncidentStore {
  const db = options.tables ?? createFakeIncidentTables();
  /** Per-incident lock chain: what the Pg store's `for update` row lock does. */
  const locks = new Map<string, Promise<unknown>>();

  function publish(incidentId: string, events: readonly NewEvent[]): void {
    try {
      options.observer?.changed(incidentId, events);
    } catch (err) {
      options.log?.error({ err, incidentId }, 'incident observer failed');
    }
  }

  function own(incidentId: string): { seq: number; incident: Incident } {
    const row = db.incidents.get(incidentId);
    if (row && row.incident.environment === environment) return row;
    const elsewhere = row
      ? ` in ${environment} (it belongs to ${row.incident.environment}, which another bot runs)`
      : '';
    throw new UserFacingError(
      'not_found',
      `there is no incident \`${incidentId}\`${elsewhere}: \`rollback-commander list\` (or \`/rollback status\`) shows the open ones`,
    );
  }

  function snapshot(incidentId: string): IncidentSnapshot {
    const row = own(incidentId);
    return {
      incident: structuredClone(row.incident),
      steps: new Map([...(db.steps.get(incidentId) ?? new Map()).entries()].map(([k, s]) => [k, structuredClone(s)])),
      approvals: db.approvals.filter((a) => a.incidentId === incidentId).map((a) => structuredClone(a)),
    };
  }

  function eventRows(incidentId: string, events: readonly NewEvent[]): StoredEvent[] {
    return events.map((e) => ({
      id: 0,
      incidentId,
      at: new Date(e.at),
      actor: e.actor,
      kind: e.kind,
      stepId: e.stepId ?? null,
      payload: json(e.payload ?? {}),
    }));
  }

  function insertEvents(rows: StoredEvent[]): void {
    for (const r of rows) db.timeline.push({ ...r, id: db.next.event++ });
  }

  async function locked<R>(incidentId: string, work: () => Promise<R>): Promise<R> {
    const before = locks.get(incidentId) ?? Promise.resolve();
    const run = before.then(work, work);
    locks.set(
      incidentId,
      run.catch(() => undefined),
    );
    return run;
  }

  const store: IncidentStore = {
    async create(input, events) {
      if (input.environment !== environment) {
        throw new UserFacingError(
          'config_invalid',
          `this bot runs ${environment}; it cannot open an incident for ${input.environment}`,
        );
      }
      const open = await store.findOpen(input.environment);
      if (open) throw new UserFacingError('conflict', alreadyOpen(input.environment, open));
      const written = events.map((e) => ({ ...e, at: input.createdAt }) as NewEvent);
      const seq = db.next.incident++;
      const incident: Incident = {
        id: `rb-${seq}`,
        environment: input.environment,
        state: 'open',
        badVersion: input.badVersion,
        targetVersion: input.targetVersion ?? null,
        targetSource: input.targetSource ?? null,
        severity: input.severity,
        trigger: input.trigger,
        critical: input.critical,
        autopilot: input.autopilot ?? true,
        drill: input.drill ?? false,
        issueUrl: input.issueUrl ?? null,
        createdBy: input.createdBy,
        createdAt: new Date(input.createdAt),
        impactStartedAt: input.impactStartedAt ? new Date(input.impactStartedAt) : null,
        detectedAt: new Date(input.detectedAt),
        decidedAt: null,
        restoredAt: null,
        resolvedAt: null,
        chat: { incidents: null, releases: null },
      };
      const rows = eventRows(incident.id, written);
      db.incidents.set(incident.id, { seq, incident });
      db.steps.set(
        incident.id,
        new Map(
          RUNBOOK.map((def) => [
            def.id,
            {
              incidentId: incident.id,
              stepId: def.id,
              state: 'pending',
              attempt: 0,
              version: 1,
              output: {},
              summary: null,
              error: null,
              startedAt: null,
              finishedAt: null,
              updatedAt: new Date(input.createdAt),
              actor: null,
              actorVia: null,
            } satisfies StepRecord,
          ]),
        ),
      );
      insertEvents(rows);
      publish(incident.id, written);
      return structuredClone(incident);
    },

    get: async (incidentId) => snapshot(incidentId),

    async findOpen(wanted) {
      if (wanted !== environment) return null;
      const open = [...db.incidents.values()].find(
        (r) => r.incident.environment === environment && r.incident.state === 'open',
      );
      return open ? structuredClone(open.incident) : null;
    },

    async list({ environment: wanted, openOnly, limit }) {
      if (wanted !== undefined && wanted !== environment) return [];
      return [...db.incidents.values()]
        .filter((r) => r.incident.environment === environment && (!openOnly || r.incident.state === 'open'))
        .sort((a, b) => b.seq - a.seq)
        .slice(0, limit ?? 20)
        .map((r) => structuredClone(r.incident));
    },

    async mutate(incidentId, change) {
      const m = await locked(incidentId, async () => {
        const mutation = await change(snapshot(incidentId));
        apply(incidentId, mutation);
        return mutation;
      });
      if (changesSomething(m)) publish(incidentId, m.events);
      return m.result;
    },

    async append(incidentId, events) {
      own(incidentId);
      insertEvents(eventRows(incidentId, events));
      if (events.length > 0) publish(incidentId, events);
    },

    async timeline(incidentId) {
      if (db.incidents.get(incidentId)?.incident.environment !== environment) return [];
      return db.timeline
        .filter((e) => e.incidentId === incidentId)
        .map((e) => ({
          id: e.id,
          incidentId: e.incidentId,
          at: new Date(e.at),
          actor: e.actor,
          stepId: e.stepId,
          ...toTimelineBody(e.kind, json(e.payload)),
        }));
    },

    async checkpoint(incidentId, stepId, attempt, output) {
      const step =
        db.incidents.get(incidentId)?.incident.environment === environment
          ? db.steps.get(incidentId)?.get(stepId)
          : undefined;
      if (!step || step.attempt !== attempt || step.state !== 'running')
        throw new UserFacingError('aborted', `step ${stepId} of ${incidentId} is no longer running attempt ${attempt}`);
      step.output = { ...step.output, ...json(output) };
    },

    async recordKnownGood(e) {
      if (e.environment !== environment)
        throw new UserFacingError(
          'config_invalid',
          `this bot runs ${environment}; it cannot record a known-good release for ${e.environment}`,
        );
      db.knownGood.push({
        id: db.next.knownGood++,
        environment: e.environment,
        version: e.version ?? null,
        images: json(e.images),
        source: e.source,
        recordedBy: e.recordedBy,
        recordedAt: new Date(e.recordedAt),
      });
    },

    async revertedVersions(wanted) {
      if (wanted !== environment) return [];
      const newest = new Map<string, { seq: number; incidentId: string }>();
      for (const { seq, incident } of db.incidents.values()) {
        if (incident.environment !== environment) continue;
        const revert = db.steps.get(incident.id)?.get('revert_images');
        const patched = revert?.output.patched;
        if (!revert || !(revert.state === 'succeeded' || (Array.isArray(patched) && patched.length > 0))) continue;
        const seen = newest.get(incident.badVersion);
        if (!seen || seen.seq < seq) newest.set(incident.badVersion, { seq, incidentId: incident.id });
      }
      return [...newest.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([version, { incidentId }]) => ({ version, incidentId }));
    },

    async knownGood(wanted, limit = 20) {
      if (wanted !== environment) return [];
      return db.knownGood
        .filter((k) => k.environment === environment)
        .sort((a, b) => b.id - a.id)
        .slice(0, limit)
        .map(({ id: _id, ...k }) => structuredClone(k));
    },

    async activeSteps() {
      const out: StepRecord[] = [];
      for (const { incident } of db.incidents.values()) {
        if (incident.environment !== environment || incident.state !== 'open') continue;
        for (const s of db.steps.get(incident.id)?.values() ?? []) {
          if (s.state === 'queued' || s.state === 'running') out.push(structuredClone(s));
        }
      }
      return out;
    },

    async setChatRef(incidentId, channel, ref) {
      const row = db.incidents.get(incidentId);
      if (row?.incident.environment !== environment) return;
      row.incident.chat = { ...row.incident.chat, [channel]: json(ref) };
    },
  };

  /** Checks everything first, then writes: a refused write (a duplicate approval) leaves nothing behind. */
  function apply(incidentId: string, m: Mutation<unknown>): void {
    const row = own(incidentId);
    for (const a of m.approvals ?? []) {
      const twice = [...db.approvals, ...(m.approvals ?? []).filter((b) => b !== a)].some(
        (b) => b.incidentId === incidentId && b.stepId === a.stepId && b.attempt === a.attempt && b.userId === a.userId,
      );
      if (twice)
        throw new Error(
          `duplicate key value violates unique constraint: ${a.userId} already approved ${a.stepId} attempt ${a.attempt}`,
        );
    }
    const rows = eventRows(incidentId, m.events);
    const patch = Object.fromEntries(Object.entries(m.incident ?? {}).filter(([, v]) => v !== undefined));
    if ('chat' in patch) patch.chat = json(patch.chat);
    row.incident = { ...row.incident, ...structuredClone(patch) };
    const steps = db.steps.get(incidentId);
    for (const s of m.steps ?? []) {
      const current = steps?.get(s.stepId);
      if (!steps || !current) continue;
      steps.set(s.stepId, {
        ...structuredClone(s),
        incidentId,
        output: json(s.output),
        actorVia: s.actorVia ? json(s.actorVia) : null,
        version: current.version + 1,
      });
    }
    for (const a of m.approvals ?? []) {
      db.approvals.push({ ...structuredClone(a), incidentId, via: a.via ? json(a.via) : null });
    }
    insertEvents(rows);
  }

  return store;
}

/** As the Pg store: a decision that wrote nothing is not news. */
function changesSomething(m: Mutation<unknown>): boolean {
  const patched = Object.values(m.incident ?? {}).some((v) => v !== undefined);
  return m.events.length > 0 || patched || (m.steps?.length ?? 0) > 0 || (m.approvals?.length ?? 0) > 0;
}
