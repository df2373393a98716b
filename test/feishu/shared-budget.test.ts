import nock from 'nock';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { crossInstanceLock, InstanceRegistry } from '../../src/core/instances.js';
import type { Database } from '../../src/db/client.js';
import { createFeishu } from '../../src/feishu/index.js';
import { blockNetwork, FEISHU_URL, secrets } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';

describe("Feishu's per-app message budget, shared by the instances on one database", () => {
  let database: Database;
  const log = pino({ level: 'silent' });
  beforeAll(async () => {
    blockNetwork();
    database = await createTestDatabase();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => database.close());

  it('counts the live instances: a new one is seen by the next beat, a stopped one is gone at once', async () => {
    const a = new InstanceRegistry({ database, log, id: 'a' });
    const b = new InstanceRegistry({ database, log, id: 'b' });
    await a.start();
    expect(a.live()).toBe(1);
    await b.start();
    expect(b.live()).toBe(2);
    await a.beat();
    expect(a.live()).toBe(2);
    expect(a.share()).toBe(0.5);
    await b.stop();
    await a.beat();
    expect(a.live()).toBe(1);
    await a.stop();
  });

  it('an instance silent longer than the stale window stops counting (a crashed one)', async () => {
    const a = new InstanceRegistry({ database, log, id: 'alive', staleMs: 60_000 });
    await database.query(`insert into core_instances (id, seen_at) values ('crashed', now() - interval '2 minutes')`);
    await a.start();
    expect(a.live()).toBe(1);
    await a.stop();
    await database.query(`delete from core_instances`);
  });

  it('two instances sending at once pace themselves to 50 messages per second together', async () => {
    const arrived: number[] = [];
    nock(FEISHU_URL)
      .persist()
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-shared-budget', expire: 7200 });
    nock(FEISHU_URL)
      .persist()
      .post('/open-apis/im/v1/messages')
      .query(true)
      .reply(200, () => {
        arrived.push(Date.now());
        return { code: 0, msg: 'success', data: { message_id: `om_${arrived.length}`, chat_id: 'oc_1' } };
      });
    const instances = ['one', 'two'].map((id) => new InstanceRegistry({ database, log, id }));
    for (const i of instances) await i.start();
    for (const i of instances) await i.beat();
    expect(instances.map((i) => i.live())).toEqual([2, 2]);
    const bots = instances.map((i) =>
      createFeishu({
        appId: secrets.appId,
        appSecret: secrets.appSecret,
        baseUrl: FEISHU_URL,
        log,
        messagesPerSecond: 50,
        budgetShare: () => i.share(),
      }),
    );
    // One message each first, so the token is fetched and the client warm before the clock starts.
    await Promise.all(
      bots.map((bot, b) => bot.messages.send({ to: { openId: `ou_warm_${b}` }, text: 'hi', key: `budget:warm:${b}` })),
    );
    arrived.length = 0;
    // 75 messages each to different people (no per-user limit binds): alone, each would send 50 in its first second.
    const start = Date.now();
    await Promise.all(
      bots.flatMap((bot, b) =>
        Array.from({ length: 75 }, (_, n) =>
          bot.messages.send({ to: { openId: `ou_${b}_${n}` }, text: 'hi', key: `budget:${b}:${n}` }),
        ),
      ),
    );
    expect(arrived).toHaveLength(150);
    // Each instance lets at most 25 messages leave in any one-second window, all after `start`, and a message
    // arrives after it left: so by any arrival time t at most 50 × (1 + whole seconds since `start`) messages
    // can have arrived. A busy machine only delays arrivals, so this never fails for load; were each instance
    // spending the whole budget, 100 would arrive in the first second. (A first-to-last span is not used: under
    // load the first arrivals are the ones delayed, which shortens it.)
    const over = [...arrived]
      .sort((a, b) => a - b)
      .map((t, k) => ({ k: k + 1, allowed: 50 * (1 + Math.floor((t - start) / 1000)), at: t - start }))
      .filter((a) => a.k > a.allowed);
    expect(over).toEqual([]);
    for (const i of instances) await i.stop();
  });
});

describe('one Bitable writer per table across the instances on one PostgreSQL', () => {
  let database: Database;
  beforeAll(async () => {
    blockNetwork();
    database = await createTestDatabase();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => database.close());

  it('needs no shared lock on PGlite (one process owns the data directory)', () => {
    expect(crossInstanceLock(database) === undefined).toBe(database.kind === 'pglite');
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    'two instances writing one table at once never have two writes in flight',
    async () => {
      const log = pino({ level: 'silent' });
      nock(FEISHU_URL)
        .persist()
        .post('/open-apis/auth/v3/tenant_access_token/internal')
        .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-shared-lock', expire: 7200 });
      let inFlight = 0;
      let most = 0;
      let n = 0;
      nock(FEISHU_URL)
        .persist()
        .post('/open-apis/bitable/v1/apps/bascnApp/tables/tblCases/records/batch_create')
        .query(true)
        .reply(async (_uri, body) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 50));
          inFlight--;
          const records = (body as { records: { fields: Record<string, unknown> }[] }).records;
          return [
            200,
            {
              code: 0,
              msg: 'success',
              data: { records: records.map((r) => ({ record_id: `rec${++n}`, fields: r.fields })) },
            },
          ];
        });
      const bots = [0, 1].map(() =>
        createFeishu({
          appId: secrets.appId,
          appSecret: secrets.appSecret,
          baseUrl: FEISHU_URL,
          log,
          bitable: { tableLock: crossInstanceLock(database)!, writesPerSecond: 1000 },
        }),
      );
      const table = { appToken: 'bascnApp', tableId: 'tblCases' };
      await Promise.all(
        bots.flatMap((bot, b) =>
          Array.from({ length: 5 }, (_, i) =>
            bot.bitable.batchCreate(table, [{ fields: { 名称: `${b}-${i}` } }], { key: `lock:${b}:${i}` }),
          ),
        ),
      );
      expect(n).toBe(10);
      expect(most).toBe(1);
    },
  );
});
