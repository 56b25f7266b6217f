/**
 * What the relay has delivered, per channel: which incident threads are owed events, and a claim
 * per incident and channel (transaction + advisory lock) so two replicas never relay the same
 * events. Per channel because Slack rate-limits each channel on its own: an event already in
 * #incidents may still be owed to #releases, and must be neither re-sent to the one nor lost
 * for the other — nor wait for it. Advisory locks are database-wide while incident ids repeat per
 * schema (every installation has an `rb-1`), so the lock is keyed by schema and environment too;
 * pending() sees only this bot's environment.
 */
import type { Pool } from 'pg';
import type { TimelineEvent } from '../../domain/incident.ts';
import { type Row, toEvent } from './pg-rows.ts';
import { withTransaction } from './pg-tx.ts';

export type RelayChannel = 'incidents' | 'releases';
export const RELAY_CHANNELS: readonly RelayChannel[] = ['incidents', 'releases'];

export interface RelayClaim {
  /** The events not yet delivered to the claimed channel, in timeline order. */
  events: TimelineEvent[];
  /** Marks these events as delivered there (in the claim's transaction, committed with it). */
  delivered(eventIds: number[]): Promise<void>;
}

export interface OwedThread {
  incidentId: string;
  channel: RelayChannel;
}

export interface ChatCursor {
  pending(): Promise<OwedThread[]>;
  /** Runs `work` holding the thread's relay lock; null when another replica holds it. */
  withClaim<R>(thread: OwedThread, work: (claim: RelayClaim) => Promise<R>): Promise<R | null>;
}

/** The relay's per-thread lock: (schema, environment, channel) in the first key, the incident in the second. */
export const relayLockSql =
  "select pg_try_advisory_xact_lock(hashtext('rc-chat-relay:' || current_schema() || ':' || $1), hashtext($2)) as ok";

const UNDELIVERED = `not exists (select 1 from chat_relayed r
  where r.incident_id = t.incident_id and r.channel = c.channel and r.event_id = t.id)`;

export function createPgChatCursor(pool: Pool, options: { environment: string; batch?: number }): ChatCursor {
  const batch = options.batch ?? 100;
  const { environment } = options;
  return {
    async pending() {
      const res = await pool.query<{ incident_id: string; channel: RelayChannel }>(
        `select distinct t.incident_id, c.channel from timeline t
           join incidents i on i.id = t.incident_id
           cross join unnest($1::text[]) as c(channel)
         where i.created_at > now() - interval '14 days' and i.environment = $2 and ${UNDELIVERED}`,
        [RELAY_CHANNELS, environment],
      );
      return res.rows.map((r) => ({ incidentId: r.incident_id, channel: r.channel }));
    },

    withClaim: ({ incidentId, channel }, work) =>
      withTransaction(pool, async (client) => {
        const lock = await client.query<{ ok: boolean }>(relayLockSql, [`${environment}:${channel}`, incidentId]);
        if (!lock.rows[0]?.ok) return null;
        const res = await client.query(
          `select t.* from timeline t join incidents i on i.id = t.incident_id
             cross join (select $2::text as channel) c
           where t.incident_id = $1 and i.environment = $4 and ${UNDELIVERED}
           order by t.id limit $3`,
          [incidentId, channel, batch, environment],
        );
        return work({
          events: res.rows.map((r: Row) => toEvent(r)),
          delivered: async (ids) => {
            if (ids.length === 0) return;
            await client.query(
              'insert into chat_relayed (incident_id, channel, event_id) select $1, $2, unnest($3::bigint[]) on conflict do nothing',
              [incidentId, channel, ids],
            );
          },
        });
      }),
  };
}
