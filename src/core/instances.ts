import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/client.js';
import type { Logger } from './logger.js';

export interface InstanceRegistryOptions {
  database: Database;
  log: Logger;
  /** How often this instance says it is alive (default 5 s). */
  beatMs?: number;
  /** An instance not heard from for this long no longer counts (default 3 beats). */
  staleMs?: number;
  id?: string;
}

/**
 * The instances of the bot sharing one database, so per-app budgets can be split among them: each
 * beats (upserts its row) every `beatMs` and counts the rows seen within `staleMs`. Times are the
 * database's own (`now()`), so instances with skewed clocks agree. A crashed instance stops
 * counting after `staleMs`; a stopped one removes its row at once. Until the first count, and
 * whenever the database cannot be read, this instance assumes the last count it had (at least 1).
 */
export class InstanceRegistry {
  readonly id: string;
  private count = 1;
  private timer: NodeJS.Timeout | null = null;
  private readonly beatMs: number;
  private readonly staleMs: number;

  constructor(private readonly options: InstanceRegistryOptions) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.beatMs = options.beatMs ?? 5_000;
    this.staleMs = options.staleMs ?? 3 * this.beatMs;
  }

  /** Instances alive now, this one included (≥ 1). */
  live(): number {
    return this.count;
  }

  /** This instance's share of a per-app budget: 1 / live instances. */
  share(): number {
    return 1 / this.count;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.beatMs);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    try {
      const db = this.options.database;
      await db.query(
        `insert into core_instances (id, seen_at) values ($1, now()) on conflict (id) do update set seen_at = now()`,
        [this.id],
      );
      const { rows } = await db.query<{ live: string | number }>(
        `select count(*) as live from core_instances where seen_at > now() - make_interval(secs => $1::double
          precision)`,
        [this.staleMs / 1000],
      );
      this.count = Math.max(1, Number(rows[0]?.live ?? 1));
    } catch (err) {
      this.options.log.warn({ err }, 'instance heartbeat failed; Feishu budgets keep the last instance count');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.options.database.query(`delete from core_instances where id = $1`, [this.id]);
    } catch {
      // The row goes stale on its own.
    }
  }
}

/** Advisory-lock class of the cross-instance locks (the other int of the two-int form is the key's hash). */
const LOCK_CLASS = 7_301;

/**
 * A lock held across every instance on this PostgreSQL for the length of `fn`: a transaction-scoped
 * advisory lock on the key's hash, so a crashed holder releases it with its connection. It holds one
 * pooled connection while `fn` runs: callers serialise per key in process first (one waiter per key
 * takes a connection). PGlite is one process (the data directory is locked), so none is needed.
 */
export function crossInstanceLock(
  database: Database,
): (<T>(key: string, fn: () => Promise<T>) => Promise<T>) | undefined {
  if (database.kind !== 'postgres') return undefined;
  return (key, fn) =>
    database.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1::int, hashtext($2))', [LOCK_CLASS, key]);
      return fn();
    });
}
