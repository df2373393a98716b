import type { Database } from '../db/client.js';
import type { IncomingEvent } from './inbox.js';
import type { JobQueue } from './jobs.js';
import { hasUnstorable, storableText } from './text.js';

export type WriteOutcome = 'stored' | 'duplicate' | 'ignored';

interface Pending {
  event: IncomingEvent;
  handled: boolean;
  resolve(outcome: WriteOutcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit for the inbox. Requests that arrive while a commit is in flight are written
 * together in the next transaction: one multi-row insert into lark_events and one multi-row
 * insert of their jobs. Each caller still waits for its own commit before acking, so the
 * guarantee is the same as one transaction per event, at a fraction of the commits.
 */
export class InboxWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly database: Database,
    private readonly jobs: JobQueue,
    private readonly queueName: string,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  write(event: IncomingEvent, handled: boolean): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, handled, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < (this.options.maxInFlight ?? 2)) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 250);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.insert(batch);
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One bad row must not fail its neighbours: retry each on its own.
      await Promise.all(batch.map((p) => this.commit([p])));
    }
  }

  private async insert(batch: Pending[]): Promise<WriteOutcome[]> {
    const rows = batch.map((p) => ({
      event_id: p.event.eventId,
      event_type: p.event.eventType,
      source: p.event.source,
      tenant_key: p.event.tenantKey ?? null,
      payload: p.event.payload,
      status: p.handled ? 'received' : 'ignored',
    }));
    return this.database.transaction(async (tx) => {
      const { rows: inserted } = await tx.query<{ id: string | number; event_id: string; status: string }>(
        `insert into lark_events (event_id, event_type, source, tenant_key, payload, status)
         select event_id, event_type, source, tenant_key, payload, status
         from json_to_recordset($1::json) as x(event_id text, event_type text, source text, tenant_key text, payload
           jsonb, status text)
         on conflict (event_id) do nothing
         returning id, event_id, status`,
        [JSON.stringify(rows, storable)],
      );
      const fresh = new Map(inserted.map((r) => [r.event_id, r]));
      const toQueue = inserted
        .filter((r) => r.status === 'received')
        .map((r) => ({ id: Number(r.id), eventId: r.event_id }));
      if (toQueue.length > 0) await this.jobs.sendMany(this.queueName, toQueue, { tx });
      return batch.map((p) => {
        const row = fresh.get(p.event.eventId);
        if (!row) return 'duplicate';
        fresh.delete(p.event.eventId); // the same id twice in one batch: the second is a duplicate
        return p.handled ? 'stored' : 'ignored';
      });
    });
  }
}

// jsonb cannot hold U+0000 or a lone surrogate; a user can still send them, so they become U+FFFD.
// (Refusing would make Feishu redeliver the event for hours, failing every time.)
function storable(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some(hasUnstorable)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), v]));
  }
  return value;
}
