/**
 * IncidentStore on Postgres. Every change runs under the incident row's lock (`for update`), so
 * concurrent clicks, retried deliveries and several bot replicas serialize per incident, and the
 * state change and its timeline events commit together or not at all.
 *
 * One bot, one environment: every query is scoped to the bot's environment, so a bot can never
 * read, run or time another environment's incident even if both were pointed at one schema.
 */
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { UserFacingError } from '../../domain/errors.ts';
import { alreadyOpen } from '../../domain/incident.ts';
import { RUNBOOK, type StepId } from '../../domain/steps.ts';
import type {
  IncidentObserver,
  IncidentSnapshot,
  IncidentStore,
  KnownGood,
  Mutation,
  NewEvent,
} from '../../flows/ports.ts';
import { INCIDENT_COLUMNS, type Row, toApproval, toEvent, toIncident, toStep } from './pg-rows.ts';
import { withTransaction } from './pg-tx.ts';
import { mapConnectionLoss } from './pg-unavailable.ts';

const UNIQUE_VIOLATION = '23505';

export interface PgIncidentStoreOptions {
  /** Told once per committed change, after the commit, with the events it wrote (chat, metrics, console). */
  observer?: IncidentObserver;
  /** Where an observer's own failure is logged: it never fails the change that already committed. */
  log?: Pick<Logger, 'error'>;
}

export function createPgIncidentStore(
  pool: Pool,
  environment: string,
  options: PgIncidentStoreOptions = {},
): IncidentStore {
  const tx = <R>(work: (c: PoolClient) => Promise<R>): Promise<R> => withTransaction(pool, work);

  /** After the commit only: a rolled-back change was never seen by anyone, so nobody hears of it. */
  function publish(incidentId: string, events: readonly NewEvent[]): void {
    try {
      options.observer?.changed(incidentId, events);
    } catch (err) {
      options.log?.error({ err, incidentId }, 'incident observer failed');
    }
  }

  async function load(c: Pool | PoolClient, incidentId: string, lock: boolean): Promise<IncidentSnapshot> {
    const inc = await c.query(
      `select * from incidents where id = $1 and environment = $2${lock ? ' for update' : ''}`,
      [incidentId, environment],
    );
    if (inc.rowCount === 0) {
      const other = await c.query<{ environment: string }>('select environment from incidents where id = $1', [
        incidentId,
      ]);
      const elsewhere = other.rows[0]
        ? ` in ${environment} (it belongs to ${other.rows[0].environment}, which another bot runs)`
        : '';
      throw new UserFacingError(
        'not_found',
        `there is no incident \`${incidentId}\`${elsewhere}: \`rollback-commander list\` (or \`/rollback status\`) shows the open ones`,
      );
    }
    const steps = await c.query('select * from steps where incident_id = $1', [incidentId]);
    const approvals = await c.query('select * from approvals where incident_id = $1 order by id', [incidentId]);
    return {
      incident: toIncident(inc.rows[0] as Row),
      steps: new Map(steps.rows.map((r: Row) => [r.step_id as StepId, toStep(r)])),
      approvals: approvals.rows.map(toApproval),
    };
  }

  async function insertEvents(c: PoolClient, incidentId: string, events: NewEvent[]): Promise<void> {
    for (const e of events) {
      await c.query(
        'insert into timeline (incident_id, at, actor, kind, step_id, payload) values ($1, $2, $3, $4, $5, $6)',
        [incidentId, e.at, e.actor, e.kind, e.stepId ?? null, JSON.stringify(e.payload ?? {})],
      );
    }
  }

  async function apply<R>(c: PoolClient, incidentId: string, m: Mutation<R>): Promise<void> {
    const patch = Object.entries(m.incident ?? {}).filter(([, v]) => v !== undefined);
    if (patch.length > 0) {
      const sets = patch.map(([k], i) => `${INCIDENT_COLUMNS[k as keyof typeof INCIDENT_COLUMNS]} = $${i + 2}`);
      const values = patch.map(([k, v]) => (k === 'chat' ? JSON.stringify(v) : v));
      await c.query(`update incidents set ${sets.join(', ')} where id = $1`, [incidentId, ...values]);
    }
    for (const s of m.steps ?? []) {
      await c.query(
        `update steps set state = $3, attempt = $4, output = $5, summary = $6, error = $7, started_at = $8,
           finished_at = $9, updated_at = $10, actor = $11, actor_via = $12, version = version + 1
         where incident_id = $1 and step_id = $2`,
        [
          incidentId,
          s.stepId,
          s.state,
          s.attempt,
          JSON.stringify(s.output),
          s.summary,
          s.error,
          s.startedAt,
          s.finishedAt,
          s.updatedAt,
          s.actor,
          s.actorVia ? JSON.stringify(s.actorVia) : null,
        ],
      );
    }
    for (const a of m.approvals ?? []) {
      await c.query(
        'insert into approvals (incident_id, step_id, attempt, role, user_id, at, via) values ($1, $2, $3, $4, $5, $6, $7)',
        [incidentId, a.stepId, a.attempt, a.role, a.userId, a.at, a.via ? JSON.stringify(a.via) : null],
      );
    }
    await insertEvents(c, incidentId, m.events);
  }

  return mapConnectionLoss<IncidentStore>({
    async create(input, events) {
      if (input.environment !== environment) {
        throw new UserFacingError(
          'config_invalid',
          `this bot runs ${environment}; it cannot open an incident for ${input.environment}`,
        );
      }
      try {
        const written = events.map((e) => ({ ...e, at: input.createdAt }) as NewEvent);
        const created = await tx(async (c) => {
          const res = await c.query(
            `insert into incidents (environment, state, bad_version, target_version, target_source, severity, trigger,
               critical, issue_url, created_by, created_at, impact_started_at, detected_at, autopilot, drill)
             values ($1, 'open', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning *`,
            [
              input.environment,
              input.badVersion,
              input.targetVersion,
              input.targetSource,
              input.severity,
              input.trigger,
              input.critical,
              input.issueUrl,
              input.createdBy,
              input.createdAt,
              input.impactStartedAt,
              input.detectedAt,
              input.autopilot ?? true,
              input.drill ?? false,
            ],
          );
          const id = (res.rows[0] as Row).id as string;
          for (const def of RUNBOOK) {
            await c.query(
              "insert into steps (incident_id, step_id, state, updated_at) values ($1, $2, 'pending', $3)",
              [id, def.id, input.createdAt],
            );
          }
          await insertEvents(c, id, written);
          return toIncident(res.rows[0] as Row);
        });
        publish(created.id, written);
        return created;
      } catch (err) {
        const pgErr = err as { code?: string; constraint?: string };
        if (pgErr.code !== UNIQUE_VIOLATION || pgErr.constraint !== 'incidents_one_open_per_environment') throw err;
        const open = await this.findOpen(input.environment);
        throw new UserFacingError('conflict', alreadyOpen(input.environment, open), { cause: err });
      }
    },

    get: (incidentId) => load(pool, incidentId, false),

    async findOpen(wanted) {
      if (wanted !== environment) return null;
      const res = await pool.query("select * from incidents where environment = $1 and state = 'open'", [environment]);
      return res.rowCount ? toIncident(res.rows[0] as Row) : null;
    },

    async list({ environment: wanted, openOnly, limit }) {
      if (wanted !== undefined && wanted !== environment) return [];
      const res = await pool.query(
        `select * from incidents where environment = $1 and (not $2 or state = 'open')
         order by seq desc limit $3`,
        [environment, openOnly ?? false, limit ?? 20],
      );
      return res.rows.map(toIncident);
    },

    async mutate(incidentId, change) {
      const m = await tx(async (c) => {
        const snapshot = await load(c, incidentId, true);
        const mutation = await change(snapshot);
        await apply(c, incidentId, mutation);
        return mutation;
      });
      if (changesSomething(m)) publish(incidentId, m.events);
      return m.result;
    },

    async append(incidentId, events) {
      await tx(async (c) => {
        const own = await c.query('select 1 from incidents where id = $1 and environment = $2', [
          incidentId,
          environment,
        ]);
        if (own.rowCount === 0) await load(c, incidentId, false); // throws, naming whose incident it is
        await insertEvents(c, incidentId, events);
      });
      if (events.length > 0) publish(incidentId, events);
    },

    async timeline(incidentId) {
      const res = await pool.query(
        `select t.* from timeline t join incidents i on i.id = t.incident_id
         where t.incident_id = $1 and i.environment = $2 order by t.id`,
        [incidentId, environment],
      );
      return res.rows.map(toEvent);
    },

    async checkpoint(incidentId, stepId, attempt, output) {
      const res = await pool.query(
        `update steps s set output = s.output || $4::jsonb from incidents i
         where s.incident_id = $1 and s.step_id = $2 and s.attempt = $3 and s.state = 'running'
           and i.id = s.incident_id and i.environment = $5`,
        [incidentId, stepId, attempt, JSON.stringify(output), environment],
      );
      if (res.rowCount === 0)
        throw new UserFacingError('aborted', `step ${stepId} of ${incidentId} is no longer running attempt ${attempt}`);
    },

    async recordKnownGood(e: KnownGood) {
      if (e.environment !== environment)
        throw new UserFacingError(
          'config_invalid',
          `this bot runs ${environment}; it cannot record a known-good release for ${e.environment}`,
        );
      await pool.query(
        'insert into known_good (environment, version, images, source, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6)',
        [e.environment, e.version, JSON.stringify(e.images), e.source, e.recordedBy, e.recordedAt],
      );
    },

    async revertedVersions(wanted) {
      if (wanted !== environment) return [];
      const res = await pool.query(
        `select distinct on (i.bad_version) i.bad_version, i.id from incidents i
           join steps s on s.incident_id = i.id and s.step_id = 'revert_images'
         where i.environment = $1
           and (s.state = 'succeeded' or jsonb_array_length(coalesce(s.output -> 'patched', '[]'::jsonb)) > 0)
         order by i.bad_version, i.seq desc`,
        [environment],
      );
      return res.rows.map((r: Row) => ({ version: r.bad_version as string, incidentId: r.id as string }));
    },

    async knownGood(wanted, limit = 20) {
      if (wanted !== environment) return [];
      const res = await pool.query('select * from known_good where environment = $1 order by id desc limit $2', [
        environment,
        limit,
      ]);
      return res.rows.map((r: Row) => ({
        environment: r.environment as string,
        version: (r.version as string | null) ?? null,
        images: r.images as KnownGood['images'],
        source: r.source as string,
        recordedBy: r.recorded_by as string,
        recordedAt: r.recorded_at as Date,
      }));
    },

    async activeSteps() {
      const res = await pool.query(
        `select s.* from steps s join incidents i on i.id = s.incident_id
         where i.state = 'open' and i.environment = $1 and s.state in ('queued', 'running')`,
        [environment],
      );
      return res.rows.map(toStep);
    },

    async setChatRef(incidentId, channel, ref) {
      await pool.query(
        'update incidents set chat = chat || jsonb_build_object($2::text, $3::jsonb) where id = $1 and environment = $4',
        [incidentId, channel, JSON.stringify(ref), environment],
      );
    },
  });
}

/** A decision that wrote nothing (a refused click, a job that found its step already done) is not news. */
function changesSomething(m: Mutation<unknown>): boolean {
  const patched = Object.values(m.incident ?? {}).some((v) => v !== undefined);
  return m.events.length > 0 || patched || (m.steps?.length ?? 0) > 0 || (m.approvals?.length ?? 0) > 0;
}
