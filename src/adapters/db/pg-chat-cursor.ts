/**
 * The relay's cursor over the timeline: which incidents have events not yet in chat, and a
 * per-incident claim (transaction + advisory lock) so two replicas never relay the same events.
 */
import type { Pool, PoolClient } from 'pg';
import type { TimelineEvent } from '../../domain/incident.ts';
import { toEvent, type Row } from './pg-rows.ts';

export interface RelayClaim {
  events: TimelineEvent[];
  /** Marks events up to this id as relayed (in the claim's transaction). */
  advance(lastEventId: number): Promise<void>;
}

export interface ChatCursor {
  pending(): Promise<string[]>;
  /** Runs `work` holding the incident's relay lock; null when another replica holds it. */
  withClaim<R>(incidentId: string, work: (claim: RelayClaim) => Promise<R>): Promise<R | null>;
}

export function createPgChatCursor(pool: Pool, options: { batch?: number } = {}): ChatCursor {
  const batch = options.batch ?? 100;
  return {
    async pending() {
      const res = await pool.query<{ incident_id: string }>(
        `select t.incident_id from timeline t
           join incidents i on i.id = t.incident_id
           left join chat_relay c on c.incident_id = t.incident_id
         where i.created_at > now() - interval '14 days' and t.id > coalesce(c.last_event_id, 0)
         group by t.incident_id`,
      );
      return res.rows.map((r) => r.incident_id);
    },

    async withClaim(incidentId, work) {
      const client: PoolClient = await pool.connect();
      try {
        await client.query('begin');
        const lock = await client.query<{ ok: boolean }>("select pg_try_advisory_xact_lock(hashtext('rc-chat-relay'), hashtext($1)) as ok", [incidentId]);
        if (!lock.rows[0]?.ok) {
          await client.query('rollback');
          return null;
        }
        await client.query('insert into chat_relay (incident_id) values ($1) on conflict do nothing', [incidentId]);
        const cursor = await client.query<{ last_event_id: string }>('select last_event_id from chat_relay where incident_id = $1', [incidentId]);
        const from = Number(cursor.rows[0]?.last_event_id ?? 0);
        const res = await client.query('select * from timeline where incident_id = $1 and id > $2 order by id limit $3', [incidentId, from, batch]);
        const result = await work({
          events: res.rows.map((r: Row) => toEvent(r)),
          advance: async (last) => {
            await client.query('update chat_relay set last_event_id = $2, updated_at = now() where incident_id = $1', [incidentId, last]);
          },
        });
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
