import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { acquireOwnerLock, type OwnerLock } from './owner-lock.js';
import { schema } from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface SqlResult<T = Record<string, unknown>> {
  rows: T[];
}

/** The few raw-SQL operations the core needs; the same on both drivers. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<T>>;
  /** Several statements, no parameters. */
  exec(text: string): Promise<void>;
}

export interface Tx extends SqlExecutor {
  db: Db;
}

export interface Database extends SqlExecutor {
  kind: 'pglite' | 'postgres';
  db: Db;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * A heavy read (a year's report): on PostgreSQL its statements run one at a time on a connection of their own
   * (the `heavyReads` pool), in one read-only snapshot, without parallel workers, so they use at most one
   * server core and never a connection a card click needs. On PGlite (one connection) it is a plain read.
   * `tx` is the same connection for raw SQL (the rollups' statements).
   */
  heavyRead<T>(fn: (db: Db, tx: Tx) => Promise<T>): Promise<T>;
  /**
   * A small read of a dashboard call (a few thousand stored rollup rows) on a connection of the pool, read-only and
   * without parallel workers: several run side by side for one call, and on a small server the planner's parallel
   * plans for them cost more to start than they save (a QA year's summary: 40-60 ms with them, 23-25 ms without,
   * bench/RESULTS.md). On PGlite a plain read.
   */
  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Only for the embedded driver: the instance pg-boss and tests share. */
  pglite?: PGlite;
  url?: string;
}

export interface DatabaseOptions {
  url?: string | undefined;
  /** Folder for the embedded database; 'memory://' keeps it in memory (tests). */
  dataDir?: string;
  poolSize?: number;
  /** Connections kept apart for heavy reads (PostgreSQL only; default 1). */
  heavyReads?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10, options.heavyReads ?? 1);
  return openPglite(options.dataDir ?? 'memory://');
}

async function openPostgres(url: string, max: number, heavyMax: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  // Heavy reads wait for their own connections, however long the line: their callers gate them (src/db/gate.ts).
  const heavy = new pg.Pool({ connectionString: url, max: heavyMax, connectionTimeoutMillis: 0 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  heavy.on('error', () => undefined);
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  // One drizzle instance per pooled client, made at its first transaction: building one walks the whole schema
  // (every table's relations), which per transaction cost each card click CPU (docs/card-callbacks.md).
  const perClient = new WeakMap<pg.PoolClient, Db>();
  const dbOf = (client: pg.PoolClient) => {
    let d = perClient.get(client);
    if (!d) perClient.set(client, (d = drizzlePg(client, { schema }) as unknown as Db));
    return d;
  };
  const query = async <T>(text: string, params?: unknown[]) =>
    (await pool.query(text, params)) as unknown as SqlResult<T>;
  /** `fn` in a transaction on a connection of `from`, opened by the statements `begin`. */
  const inTransaction = async <T>(from: pg.Pool, begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const client = await from.connect();
    try {
      await client.query(begin);
      const result = await fn({
        db: dbOf(client),
        query: async <R>(text: string, params?: unknown[]) =>
          (await client.query(text, params)) as unknown as SqlResult<R>,
        exec: async (text) => {
          await client.query(text);
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
  };
  return {
    kind: 'postgres',
    db,
    url,
    query,
    exec: async (text) => {
      await pool.query(text);
    },
    transaction: (fn) => inTransaction(pool, 'begin', fn),
    // One snapshot for all the read's statements; a parallel plan would put more server processes (cores) on one
    // report than the card clicks beside it can spare (bench/RESULTS.md, issue 16).
    heavyRead: (fn) =>
      inTransaction(
        heavy,
        'begin isolation level repeatable read read only; set local max_parallel_workers_per_gather = 0',
        (tx) => fn(tx.db, tx),
      ),
    read: (fn) => inTransaction(pool, 'begin read only; set local max_parallel_workers_per_gather = 0', fn),
    ping: async () => {
      await pool.query('select 1');
    },
    close: async () => {
      await Promise.all([pool.end(), heavy.end()]);
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  let location = dataDir;
  let lock: OwnerLock | undefined;
  if (!dataDir.startsWith('memory://')) {
    location = resolve(dataDir, 'pglite');
    mkdirSync(location, { recursive: true });
    // One owner process: a second one on this folder stops here with one clear line.
    lock = acquireOwnerLock(resolve(dataDir));
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(location);
  } catch (err) {
    lock?.release();
    throw err;
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  let closed = false;
  return {
    kind: 'pglite',
    db,
    pglite,
    query: async <T>(text: string, params?: unknown[]) => (await pglite.query(text, params)) as unknown as SqlResult<T>,
    exec: async (text) => {
      await pglite.exec(text);
    },
    transaction(fn) {
      // PGlite is one connection: its transaction() holds it, so other callers wait instead of
      // interleaving their statements into ours.
      return pglite.transaction(async (t) => {
        const tx: Tx = {
          db: drizzlePglite(t as unknown as PGlite, { schema }) as unknown as Db,
          query: async <T>(text: string, params?: unknown[]) =>
            (await t.query(text, params)) as unknown as SqlResult<T>,
          exec: async (text) => {
            await t.exec(text);
          },
        };
        return fn(tx);
      });
    },
    // One connection: the statements queue behind each other anyway; a transaction would hold clicks out.
    heavyRead: (fn) =>
      fn(db, {
        db,
        query: async <T>(text: string, params?: unknown[]) =>
          (await pglite.query(text, params)) as unknown as SqlResult<T>,
        exec: async (text) => {
          await pglite.exec(text);
        },
      }),
    read: (fn) =>
      fn({
        query: async <T>(text: string, params?: unknown[]) =>
          (await pglite.query(text, params)) as unknown as SqlResult<T>,
        exec: async (text) => {
          await pglite.exec(text);
        },
      }),
    ping: async () => {
      if (closed) throw new Error('database is closed');
      await pglite.query('select 1');
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
