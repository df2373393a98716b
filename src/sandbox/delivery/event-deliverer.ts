import type { Logger } from 'pino';
import type { FaultController } from '../faults.js';
import type { SandboxStore } from '../state/store.js';
import { buildEnvelope, postSealed, sealRequest, type EventEnvelope } from './envelope.js';

/** Feishu re-pushes an un-acked event after 15 s, 5 min, 1 h, 6 h — at most 4 retries (FEISHU.md §a.5). */
export const FEISHU_RETRY_SCHEDULE_MS = [15_000, 5 * 60_000, 60 * 60_000, 6 * 60 * 60_000];

export interface DeliveryAttempt {
  at: number;
  status?: number;
  error?: string;
}

export interface DeliveryRecord {
  event_id: string;
  event_type: string;
  state: 'waiting-endpoint' | 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: DeliveryAttempt[];
  envelope: EventEnvelope;
}

export interface DelivererOptions {
  store: SandboxStore;
  faults: FaultController;
  now: () => Date;
  log?: Logger | undefined;
  retryScheduleMs: number[];
  timeoutMs: number;
}

/** Pushes events to the bot's event URL like Feishu: encrypted, signed, retried until acked with HTTP 200. */
export class EventDeliverer {
  private url: string | undefined;
  private readonly records: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly o: DelivererOptions) {}

  setEndpoint(url: string): void {
    this.url = url;
    for (const r of this.records.filter((x) => x.state === 'waiting-endpoint')) {
      r.state = 'pending';
      this.attempt(r, 0);
    }
  }

  /** Queues one event; returns its event_id. */
  emit(eventType: string, event: Record<string, unknown>): string {
    const envelope = buildEnvelope(this.o.store.data, eventType, event, this.o.now());
    const record: DeliveryRecord = {
      event_id: envelope.header.event_id,
      event_type: eventType,
      state: 'pending',
      attempts: [],
      envelope,
    };
    this.keep(record);
    if (this.o.faults.takeDrop()) {
      record.state = 'dropped';
      this.o.log?.warn({ eventId: record.event_id, eventType }, 'sandbox dropped an event delivery (fault injection)');
    } else if (!this.url) {
      record.state = 'waiting-endpoint';
    } else {
      this.attempt(record, 0);
    }
    this.o.store.touch({ kind: 'delivery' });
    return record.event_id;
  }

  /** Card callbacks are not retried, but the console lists them beside the events. */
  recordCallback(envelope: EventEnvelope, attempt: DeliveryAttempt, ok: boolean): void {
    this.keep({
      event_id: envelope.header.event_id,
      event_type: envelope.header.event_type,
      state: ok ? 'delivered' : 'failed',
      attempts: [attempt],
      envelope,
    });
    this.o.store.touch({ kind: 'delivery' });
  }

  deliveries(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r, attempts: [...r.attempts] }));
  }

  /** Resolves when no attempt is running (timers for later retries may still be set). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** The log keeps the latest 500 deliveries. */
  private keep(record: DeliveryRecord): void {
    this.records.push(record);
    if (this.records.length > 500) this.records.splice(0, this.records.length - 500);
  }

  private attempt(record: DeliveryRecord, retryIndex: number): void {
    if (this.closed || !this.url) return;
    const url = this.url;
    const run = this.send(record, url).then((ok) => {
      if (ok) {
        record.state = 'delivered';
      } else if (retryIndex < this.o.retryScheduleMs.length) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.attempt(record, retryIndex + 1);
        }, this.o.retryScheduleMs[retryIndex]);
        this.timers.add(timer);
      } else {
        record.state = 'failed';
        this.o.log?.warn({ eventId: record.event_id }, 'sandbox gave up on an event after all retries');
      }
      this.o.store.touch({ kind: 'delivery' });
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async send(record: DeliveryRecord, url: string): Promise<boolean> {
    const at = this.o.now();
    const sealed = sealRequest(record.envelope, this.o.store.data.credentials.encryptKey, at);
    try {
      const result = await postSealed(url, sealed, this.o.timeoutMs);
      record.attempts.push({ at: at.getTime(), status: result.status });
      return result.status === 200;
    } catch (err) {
      record.attempts.push({ at: at.getTime(), error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }
}
