import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/db.js';

// A year's report beside card clicks (issue 16): its statements must not take the connections clicks need, nor
// spread over every server core. No timing here: the bench measures the latencies (bench/RESULTS.md).
describe('heavy reads (a year report) beside the interactive pool', () => {
  let database: Database & { url?: string };
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.exec('create table heavy_probe (n int); insert into heavy_probe values (1), (2), (3);');
  });
  afterAll(async () => {
    await database.close();
  });

  it('answers the read, on both drivers', async () => {
    const rows = await database.heavyRead(async (db) => db.execute(sql`select sum(n)::int as total from heavy_probe`));
    expect((rows as unknown as { rows: Array<{ total: number }> }).rows[0]!.total).toBe(6);
  });

  it.runIf(Boolean(testDatabaseUrl))(
    'reads one snapshot, read-only, without parallel workers (PostgreSQL)',
    async () => {
      const settings = await database.heavyRead(async (db) => {
        const show = async (name: string) =>
          ((await db.execute(sql.raw(`show ${name}`))) as unknown as { rows: Array<Record<string, string>> }).rows[0]![
            name
          ];
        return {
          readOnly: await show('transaction_read_only'),
          isolation: await show('transaction_isolation'),
          parallel: await show('max_parallel_workers_per_gather'),
        };
      });
      expect(settings).toEqual({ readOnly: 'on', isolation: 'repeatable read', parallel: '0' });
      const refused = await database
        .heavyRead(async (db) => db.execute(sql`insert into heavy_probe values (4)`))
        .then(
          () => 'written',
          (err: Error) => `${err.message} ${String(err.cause)}`,
        );
      expect(refused).toMatch(/read-only transaction/);
    },
  );

  it.runIf(Boolean(testDatabaseUrl))(
    'waits on its own connection: the pool still answers while a heavy read is held (PostgreSQL)',
    async () => {
      // A pool of one: if the heavy read took a pool connection, the plain query below could not run.
      const small = await openDatabase({ url: database.url!, poolSize: 1 });
      const locker = new pg.Client({ connectionString: database.url! });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table heavy_probe in access exclusive mode');
        let heavyDone = false;
        const heavy = small
          .heavyRead(async (db) => db.execute(sql`select count(*) from heavy_probe`))
          .then(() => (heavyDone = true));
        // The heavy read is queued at the lock once it shows in pg_stat_activity as waiting for it.
        await waitUntil(async () => {
          // Not on `locker`: inside its transaction pg_stat_activity is one cached snapshot.
          const { rows } = await database.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
              where wait_event_type = 'Lock' and query like '%heavy_probe%'`,
          );
          return rows[0]!.n > 0;
        });
        const { rows } = await small.query<{ one: number }>('select 1 as one');
        expect(rows[0]!.one).toBe(1);
        expect(heavyDone).toBe(false);
        await locker.query('commit');
        await heavy;
        expect(heavyDone).toBe(true);
      } finally {
        await locker.end();
        await small.close();
      }
    },
  );

  it('a small read of the pool answers, on both drivers, and leaves the pool as it was', async () => {
    const { rows } = await database.read((r) =>
      r.query<{ total: number }>('select sum(n)::int as total from heavy_probe'),
    );
    expect(rows[0]!.total).toBe(6);
    const refused = await database
      .read((r) => r.query('select nope from heavy_probe'))
      .then(
        () => 'answered',
        (err: Error) => err.message,
      );
    expect(refused).toMatch(/nope/);
    // The pool still answers after the failed read (its connection was rolled back and released).
    expect((await database.query<{ one: number }>('select 1 as one')).rows[0]!.one).toBe(1);
  });

  it.runIf(Boolean(testDatabaseUrl))(
    'a small read is read-only and without parallel workers; its pool connection keeps the defaults (PostgreSQL)',
    async () => {
      // A pool of one, so the plain query after the read is on the connection the read used.
      const small = await openDatabase({ url: database.url!, poolSize: 1 });
      try {
        const show = async (r: { query: Database['query'] }, name: string) =>
          (await r.query<Record<string, string>>(`show ${name}`)).rows[0]![name];
        const inside = await small.read(async (r) => ({
          readOnly: await show(r, 'transaction_read_only'),
          parallel: await show(r, 'max_parallel_workers_per_gather'),
        }));
        expect(inside).toEqual({ readOnly: 'on', parallel: '0' });
        const written = await small
          .read((r) => r.query('insert into heavy_probe values (5)'))
          .then(
            () => 'written',
            (err: Error) => err.message,
          );
        expect(written).toMatch(/read-only transaction/);
        expect(await show(small, 'max_parallel_workers_per_gather')).not.toBe('0');
        expect((await small.query<{ n: number }>('select count(*)::int as n from heavy_probe')).rows[0]!.n).toBe(3);
      } finally {
        await small.close();
      }
    },
  );
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}
