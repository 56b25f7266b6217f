/**
 * What the relay has sent: which incidents have events not yet in chat, and a per-incident
 * claim (transaction + advisory lock) so two replicas never relay the same events. Advisory locks
 * are database-wide while incident ids repeat per schema (every installation has an `rb-1`), so the
 * lock is keyed by schema and environment too; pending() sees only this bot's environment.
 */
import type { Pool } from 'pg';
import { withTransaction } from './pg-tx.ts';
import type { TimelineEvent } from '../../domain/incident.ts';
import { toEvent, type Row } from './pg-rows.ts';

export interface RelayClaim {
  events: TimelineEvent[];
  /** Marks these events as relayed (in the claim's transaction). */
  done(eventIds: number[]): Promise<void>;
}

export interface ChatCursor {
  pending(): Promise<string[]>;
  /** Runs `work` holding the incident's relay lock; null when another replica holds it. */
  withClaim<R>(incidentId: string, work: (claim: RelayClaim) => Promise<R>): Promise<R | null>;
}

/** The relay's per-incident lock: (schema, environment) in the first key, the incident in the second. */
export const relayLockSql =
  "select pg_try_advisory_xact_lock(hashtext('rc-chat-relay:' || current_schema() || ':' || $1), hashtext($2)) as ok";

export function createPgChatCursor(pool: Pool, options: { environment: string; batch?: number }): ChatCursor {
  const batch = options.batch ?? 100;
  const { environment } = options;
  return {
    async pending() {
      const res = await pool.query<{ incident_id: string }>(
        `select distinct t.incident_id from timeline t
           join incidents i on i.id = t.incident_id
         where i.created_at > now() - interval '14 days' and i.environment = $1
           and not exists (select 1 from chat_relayed r where r.incident_id = t.incident_id and r.event_id = t.id)`,
        [environment],
      );
      return res.rows.map((r) => r.incident_id);
    },

    withClaim: (incidentId, work) =>
      withTransaction(pool, async (client) => {
        const lock = await client.query<{ ok: boolean }>(relayLockSql, [environment, incidentId]);
        if (!lock.rows[0]?.ok) return null;
        const res = await client.query(
          `select t.* from timeline t join incidents i on i.id = t.incident_id
           where t.incident_id = $1 and i.environment = $3
             and not exists (select 1 from chat_relayed r where r.incident_id = t.incident_id and r.event_id = t.id)
           order by t.id limit $2`,
          [incidentId, batch, environment],
        );
        return work({
          events: res.rows.map((r: Row) => toEvent(r)),
          done: async (ids) => {
            await client.query('insert into chat_relayed (incident_id, event_id) select $1, unnest($2::bigint[]) on conflict do nothing', [incidentId, ids]);
          },
        });
      }),
  };
}
