import type { Database } from '../db/client.js';
import { shorten, storableText } from './text.js';

export type InboxStatus = 'received' | 'processing' | 'done' | 'ignored' | 'failed' | 'dead';

export interface InboxEvent {
  id: number;
  eventId: string;
  eventType: string;
  source: string;
  tenantKey: string | null;
  payload: unknown;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
}

export interface IncomingEvent {
  eventId: string;
  eventType: string;
  source: 'webhook' | 'websocket' | 'card' | 'sandbox';
  tenantKey?: string | undefined;
  payload: unknown;
}

const columns = `id, event_id as "eventId", event_type as "eventType", source, tenant_key as "tenantKey",
  payload, status, attempts, last_error as "lastError"`;

function row(r: Record<string, unknown>): InboxEvent {
  return { ...(r as unknown as InboxEvent), id: Number(r.id) };
}

/**
 * The durable inbox. Feishu redelivers an un-acked event for ~7 h (FEISHU.md §a.5): event_id is
 * unique, so a redelivery inserts nothing and does nothing more.
 */
export function createInbox(database: Database) {
  return {
    /** Claims the event for a run; null when it already reached a final state (a stale job). */
    async start(id: number): Promise<InboxEvent | null> {
      const { rows } = await database.query(
        `update lark_events set status = 'processing', attempts = attempts + 1, updated_at = now()
         where id = $1 and status not in ('done', 'ignored', 'dead') returning ${columns}`,
        [id],
      );
      return rows[0] ? row(rows[0]) : null;
    },

    async finish(id: number, status: 'done' | 'ignored'): Promise<void> {
      await database.query(
        `update lark_events set status = $2, last_error = null, processed_at = now(), updated_at = now() where id = $1`,
        [id, status],
      );
    },

    /** The error text is the failure's own: it may hold what failed (NUL …), so it is made storable first. */
    async fail(id: number, error: string, final: boolean): Promise<void> {
      await database.query(`update lark_events set status = $2, last_error = $3, updated_at = now() where id = $1`, [
        id,
        final ? 'dead' : 'failed',
        shorten(storableText(error), 2000),
      ]);
    },

    /** Keeps event ids at least `days` (≥ 7) so a replay inside Feishu's window stays a no-op. */
    async prune(now: Date, days: number): Promise<number> {
      const { rows } = await database.query(
        `delete from lark_events where received_at < $1 and status in ('done', 'ignored', 'dead') returning id`,
        [new Date(now.getTime() - days * 86_400_000)],
      );
      return rows.length;
    },
  };
}

export type Inbox = ReturnType<typeof createInbox>;
