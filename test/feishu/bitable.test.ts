import { readFileSync } from 'node:fs';
import nock from 'nock';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeishuClient } from '../../src/feishu/client.js';
import {
  BitableBatchError,
  BitableProtocolError,
  createBitable,
  type BitableOptions,
  type SearchQuery,
} from '../../src/feishu/bitable.js';
import type { FeishuApiError } from '../../src/feishu/errors.js';

const FEISHU_URL = 'https://open.feishu.test';
const TABLE = { appToken: 'bascnApp', tableId: 'tblCases' };
const RECORDS = '/open-apis/bitable/v1/apps/bascnApp/tables/tblCases/records';
const sample = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/feishu-samples/${name}`, import.meta.url), 'utf8'));

type Reply = [number, unknown, Record<string, string>?];
const ok = (data: unknown): Reply => [200, { code: 0, msg: 'success', data }];
const fail = (code: number, msg: string, status = 200, headers: Record<string, string> = {}): Reply => [
  status,
  { code, msg },
  headers,
];

function setup(options: BitableOptions = {}) {
  nock(FEISHU_URL)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .reply(200, { code: 0, tenant_access_token: 't-test', expire: 7200 });
  const delays: number[] = [];
  const client = new FeishuClient({
    appId: 'cli_a1b2c3d4e5f60718',
    appSecret: 'secret',
    baseUrl: FEISHU_URL,
    log: pino({ level: 'silent' }),
    sleep: async (ms) => void delays.push(ms),
  });
  return { delays, bitable: createBitable(client, { searchPerSecond: 1000, writesPerSecond: 1000, ...options }) };
}

type Slice = { fields: Record<string, unknown> }[];
/** What call n (1-based) answers instead of a normal success: a reply, or apply it and then lose the answer. */
type Script = (call: number, slice: Slice) => Reply | 'apply-then-500' | undefined;

/**
 * A stand-in for records/batch_create that remembers client_tokens as Feishu does, so a retried
 * call returns the first answer.
 */
function fakeBatchCreate(script: Script = () => undefined) {
  const created: Record<string, unknown>[] = [];
  const tokens: string[] = [];
  const answered = new Map<string, Reply>();
  let calls = 0;
  nock(FEISHU_URL)
    .post(`${RECORDS}/batch_create`)
    .query(true)
    .times(Infinity)
    .reply((uri, body) => {
      calls++;
      const token = new URL(uri, FEISHU_URL).searchParams.get('client_token') ?? '';
      tokens.push(token);
      const previous = answered.get(token);
      if (previous) return previous;
      const records = (body as { records: Slice }).records;
      const scripted = script(calls, records);
      if (scripted && scripted !== 'apply-then-500') return scripted;
      const reply = ok({
        records: records.map((r) => ({ record_id: `rec${created.push(r.fields)}`, fields: r.fields })),
      });
      answered.set(token, reply);
      return scripted === 'apply-then-500' ? [500, 'upstream timeout'] : reply;
    });
  return { created, tokens, calls: () => calls };
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ 订单号: `TB${i}` }));

describe('Bitable record access', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  describe('search', () => {
    it('pages at 500 until has_more is false, sending the same query each time', async () => {
      const { bitable } = setup();
      const request = sample('bitable.records.search.request.json') as Record<string, unknown>;
      const query: SearchQuery = {
        viewId: request.view_id as string,
        fieldNames: request.field_names as string[],
        sort: request.sort as SearchQuery['sort'],
        filter: request.filter as SearchQuery['filter'],
        automaticFields: false,
      };
      const bodies: unknown[] = [];
      const pages = [
        {
          items: Array.from({ length: 500 }, (_, i) => ({ record_id: `recA${i}`, fields: {} })),
          has_more: true,
          page_token: 'p2',
          total: 1137,
        },
        {
          items: Array.from({ length: 500 }, (_, i) => ({ record_id: `recB${i}`, fields: {} })),
          has_more: true,
          page_token: 'p3',
          total: 1137,
        },
        {
          items: Array.from({ length: 137 }, (_, i) => ({ record_id: `recC${i}`, fields: {} })),
          has_more: false,
          total: 1137,
        },
      ];
      const scope = nock(FEISHU_URL);
      for (const [i, token] of [undefined, 'p2', 'p3'].entries()) {
        scope
          .post(`${RECORDS}/search`)
          .query({ page_size: '500', user_id_type: 'open_id', ...(token ? { page_token: token } : {}) })
          .reply((_uri, body) => (bodies.push(body), ok(pages[i])));
      }
      const records = await bitable.searchAll(TABLE, query);
      expect(records).toHaveLength(1137);
      expect(records.at(-1)?.record_id).toBe('recC136');
      expect(bodies).toEqual([request, request, request]);
      scope.done();
    });

    it("returns the official example's records as Feishu sent them", async () => {
      const { bitable } = setup();
      const response = sample('bitable.records.search.response.json') as { data: { items: unknown[] } };
      nock(FEISHU_URL).post(`${RECORDS}/search`).query(true).reply(200, response);
      expect(await bitable.searchAll(TABLE)).toEqual(response.data.items);
    });

    it('rejects a failing page instead of ending early like the SDK iterator', async () => {
      const { bitable } = setup();
      nock(FEISHU_URL)
        .post(`${RECORDS}/search`)
        .query((q) => !q.page_token)
        .reply(() => ok({ items: [{ record_id: 'rec1', fields: {} }], has_more: true, page_token: 'p2' }))
        .post(`${RECORDS}/search`)
        .query((q) => q.page_token === 'p2')
        .reply(() => fail(1254018, 'InvalidFilter'));
      const seen: string[] = [];
      const run = async () => {
        for await (const page of bitable.searchPages(TABLE)) seen.push(...page.map((r) => r.record_id));
      };
      await expect(run()).rejects.toMatchObject({ name: 'FeishuApiError', code: 1254018 });
      expect(seen).toEqual(['rec1']);
    });

    it('refuses to loop when has_more comes without a page_token', async () => {
      const { bitable } = setup();
      nock(FEISHU_URL)
        .post(`${RECORDS}/search`)
        .query(true)
        .reply(() => ok({ items: [], has_more: true }));
      await expect(bitable.searchAll(TABLE)).rejects.toBeInstanceOf(BitableProtocolError);
    });
  });

  describe('batch writes', () => {
    it('splits 2,500 new records into 1,000 + 1,000 + 500, each call with its own client_token', async () => {
      const { bitable } = setup();
      const server = fakeBatchCreate();
      const written = await bitable.batchCreate(TABLE, rows(2500), { key: 'sync-42:create' });
      expect(server.calls()).toBe(3);
      expect(new Set(server.tokens).size).toBe(3);
      expect(written.map((r) => r.fields['订单号'])).toEqual(rows(2500).map((r) => r['订单号']));
    });

    it('retries a write conflict (1254291) mid-batch with the same client_token: nothing twice', async () => {
      const { bitable } = setup();
      const server = fakeBatchCreate((call) => (call === 2 ? fail(1254291, 'Write conflict') : undefined));
      await bitable.batchCreate(TABLE, rows(2500), { key: 'sync-42:create' });
      expect(server.calls()).toBe(4);
      expect(server.tokens[1]).toBe(server.tokens[2]);
      expect(server.created).toHaveLength(2500);
    });

    it('waits out a 429 mid-batch as x-ogw-ratelimit-reset says, and a lost answer creates nothing twice', async () => {
      const { bitable, delays } = setup();
      const server = fakeBatchCreate((call) =>
        call === 2
          ? fail(99991400, 'request trigger frequency limit', 429, { 'x-ogw-ratelimit-reset': '3' })
          : call === 3
            ? 'apply-then-500'
            : undefined,
      );
      await bitable.batchCreate(TABLE, rows(2500), { key: 'sync-42:create' });
      expect(delays[0]).toBeGreaterThanOrEqual(3000);
      expect(server.tokens.slice(1, 4)).toEqual([server.tokens[1], server.tokens[1], server.tokens[1]]);
      expect(server.created).toHaveLength(2500);
    });

    it('a re-run of the same job (same key) creates nothing new', async () => {
      const { bitable } = setup();
      const server = fakeBatchCreate();
      const first = await bitable.batchCreate(TABLE, rows(1200), { key: 'job-7:create' });
      const again = await bitable.batchCreate(TABLE, rows(1200), { key: 'job-7:create' });
      expect(again).toEqual(first);
      expect(server.created).toHaveLength(1200);
    });

    it('writes the good records and says which record failed and why', async () => {
      const { bitable } = setup();
      const input: Record<string, unknown>[] = rows(2500);
      input[1234] = { 订单号: 'TB1234', 涉及金额: 'lots' };
      const server = fakeBatchCreate((_call, slice) =>
        slice.some((r) => r.fields['涉及金额'] === 'lots') ? fail(1254061, 'NumberFieldConvFail') : undefined,
      );
      const error = await bitable.batchCreate(TABLE, input, { key: 'k' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BitableBatchError);
      const batch = error as BitableBatchError;
      expect(batch.failures.map((f) => [f.index, (f.error as FeishuApiError).code])).toEqual([[1234, 1254061]]);
      expect(batch.skipped).toEqual([]);
      expect(server.created).toHaveLength(2499);
      expect(batch.message).toContain(
        '2499 written, 1 failed, 0 skipped — #1234: Feishu bitable.records.batch_create failed: code 1254061 ' +
          'NumberFieldConvFail',
      );
    });

    it('stops at a permission error and reports the rest as not attempted', async () => {
      const { bitable } = setup();
      const server = fakeBatchCreate((call) => (call === 2 ? fail(1254302, 'Permission denied') : undefined));
      const batch = (await bitable
        .batchCreate(TABLE, rows(2500), { key: 'k' })
        .catch((e: unknown) => e)) as BitableBatchError;
      expect(batch.failures).toHaveLength(1000);
      expect(batch.failures[0]).toMatchObject({ index: 1000, error: { code: 1254302 } });
      expect(batch.skipped).toHaveLength(500);
      expect(server.created).toHaveLength(1000);
    });

    it('updates in calls of 1,000', async () => {
      const { bitable } = setup();
      const sizes: number[] = [];
      nock(FEISHU_URL)
        .post(`${RECORDS}/batch_update`)
        .query({ user_id_type: 'open_id' })
        .times(2)
        .reply((_uri, body) => {
          const records = (body as { records: { record_id: string; fields: unknown }[] }).records;
          sizes.push(records.length);
          return ok({ records });
        });
      const input = Array.from({ length: 1001 }, (_, i) => ({ record_id: `rec${i}`, fields: { 状态: '处理中' } }));
      expect(await bitable.batchUpdate(TABLE, input)).toEqual(input);
      expect(sizes).toEqual([1000, 1]);
    });

    it('deletes in calls of 500 and counts an already-deleted record as done', async () => {
      const { bitable } = setup();
      const gone = new Set(['rec7']);
      const sizes: number[] = [];
      nock(FEISHU_URL)
        .post(`${RECORDS}/batch_delete`)
        .query(true)
        .times(Infinity)
        .reply((_uri, body) => {
          const ids = (body as { records: string[] }).records;
          sizes.push(ids.length);
          if (ids.some((id) => gone.has(id))) return fail(1254043, 'RecordIdNotFound');
          return ok({ records: ids.map((record_id) => ({ record_id, deleted: true })) });
        });
      const ids = Array.from({ length: 1200 }, (_, i) => `rec${i}`);
      const result = await bitable.batchDelete(TABLE, ids);
      // 500 fails on rec7 and is halved down to rec7 alone; then the next 500 and the last 200.
      expect(sizes.filter((s) => s >= 200)).toEqual([500, 250, 250, 500, 200]);
      expect(Math.max(...sizes)).toBe(500);
      expect(result.filter((r) => r.deleted)).toHaveLength(1199);
      expect(result[7]).toEqual({ record_id: 'rec7', deleted: false });
    });

    it('lets one writer at a time into a table, and different tables in parallel', async () => {
      const { bitable } = setup();
      let active = 0;
      let most = 0;
      nock(FEISHU_URL)
        .post(/\/records\/batch_create/)
        .query(true)
        .times(Infinity)
        .reply(async (_uri, body) => {
          most = Math.max(most, ++active);
          await new Promise((r) => setTimeout(r, 20));
          active--;
          return ok({
            records: (body as { records: unknown[] }).records.map((_, i) => ({ record_id: `rec${i}`, fields: {} })),
          });
        });
      await Promise.all([
        bitable.batchCreate(TABLE, rows(3), { key: 'a' }),
        bitable.batchCreate(TABLE, rows(3), { key: 'b' }),
      ]);
      expect(most).toBe(1);
      most = 0;
      const other = { ...TABLE, tableId: 'tblOther' };
      await Promise.all([
        bitable.batchCreate(TABLE, rows(3), { key: 'c' }),
        bitable.batchCreate(other, rows(3), { key: 'd' }),
      ]);
      expect(most).toBe(2);
    });

    it('makes no call for an empty batch', async () => {
      const { bitable } = setup();
      expect(await bitable.batchCreate(TABLE, [], { key: 'k' })).toEqual([]);
      expect(await bitable.batchDelete(TABLE, [])).toEqual([]);
    });
  });
});
