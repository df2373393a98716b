import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { sample, sameShape, startTestSandbox, type TestSandbox } from './helpers.js';

const FIELDS = [
  { field_name: '单号', type: 1 },
  { field_name: '状态', type: 3 },
  { field_name: '金额', type: 2 },
  { field_name: '标签', type: 4 },
  { field_name: '负责人', type: 11 },
  { field_name: '截止', type: 5 },
  { field_name: '已处理', type: 7 },
  { field_name: '链接', type: 15 },
];

async function setup(t: TestSandbox) {
  const app = await t.call('POST', '/open-apis/bitable/v1/apps', { body: { name: '台账' } });
  const appToken = (app.body.data!.app as { app_token: string }).app_token;
  const table = await t.call('POST', `/open-apis/bitable/v1/apps/${appToken}/tables`, {
    body: { table: { name: '异常件', fields: FIELDS } },
  });
  const tableId = table.body.data!.table_id as string;
  return { appToken, tableId, base: `/open-apis/bitable/v1/apps/${appToken}/tables/${tableId}` };
}

const row = (i: number) => ({
  fields: {
    单号: `EX-${String(i).padStart(3, '0')}`,
    状态: i % 2 ? '待处理' : '已完成',
    金额: i * 10,
    标签: i % 3 ? ['破损'] : ['丢件', '加急'],
    已处理: i % 2 === 0,
  },
});

describe('sandbox Bitable', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  it('creates a base with a default table, a table with fields, views and lists them', async () => {
    t = await startTestSandbox();
    const app = await t.call('POST', '/open-apis/bitable/v1/apps', { body: { name: '台账', folder_token: '' } });
    expect(app.body).toMatchObject({
      code: 0,
      msg: 'success',
      data: { app: { name: '台账', time_zone: 'Asia/Shanghai' } },
    });
    const appData = app.body.data!.app as { app_token: string; default_table_id: string };
    expect(appData.default_table_id).toMatch(/^tbl/);
    const created = await t.call('POST', `/open-apis/bitable/v1/apps/${appData.app_token}/tables`, {
      body: { table: { name: '异常件', default_view_name: '全部', fields: FIELDS } },
    });
    expect(created.body.data).toMatchObject({
      table_id: expect.stringMatching(/^tbl/),
      default_view_id: expect.stringMatching(/^vew/),
    });
    expect(created.body.data!.field_id_list).toHaveLength(FIELDS.length);
    const tables = await t.call('GET', `/open-apis/bitable/v1/apps/${appData.app_token}/tables`);
    expect(tables.body.data).toMatchObject({
      has_more: false,
      total: 2,
      items: [{ name: '数据表' }, { name: '异常件', revision: expect.any(Number) }],
    });
    const base = `/open-apis/bitable/v1/apps/${appData.app_token}/tables/${created.body.data!.table_id as string}`;
    const fields = await t.call('GET', `${base}/fields`);
    expect(fields.body.data!.items).toHaveLength(FIELDS.length);
    expect((fields.body.data!.items as unknown[])[0]).toMatchObject({
      field_name: '单号',
      type: 1,
      is_primary: true,
      field_id: expect.stringMatching(/^fld/),
    });
    const field = await t.call('POST', `${base}/fields`, { body: { field_name: '备注', type: 1 } });
    const fieldId = (field.body.data!.field as { field_id: string }).field_id;
    const renamed = await t.call('PUT', `${base}/fields/${fieldId}`, { body: { field_name: '说明', type: 1 } });
    expect(renamed.body.data!.field).toMatchObject({ field_name: '说明' });
    expect((await t.call('POST', `${base}/fields`, { body: { field_name: '说明', type: 1 } })).body.code).toBe(1254014);
    const view = await t.call('POST', `${base}/views`, { body: { view_name: '看板', view_type: 'kanban' } });
    expect(view.body.data!.view).toMatchObject({ view_name: '看板', view_type: 'kanban' });
    expect((await t.call('GET', `${base}/views`)).body.data!.items).toHaveLength(2);
    const batch = await t.call('POST', `/open-apis/bitable/v1/apps/${appData.app_token}/tables/batch_create`, {
      body: { tables: [{ name: 'A' }, { name: 'B' }] },
    });
    expect(batch.body.data!.table_ids).toHaveLength(2);
    expect(
      (
        await t.call(
          'DELETE',
          `/open-apis/bitable/v1/apps/${appData.app_token}/tables/${(batch.body.data!.table_ids as string[])[0]!}`,
        )
      ).body.code,
    ).toBe(0);
    expect((await t.call('GET', '/open-apis/bitable/v1/apps/bascnMissing/tables')).body).toMatchObject({
      code: 1254040,
    });
  });

  it('writes in write format, echoes it, reads back in read format', async () => {
    t = await startTestSandbox();
    const { base } = await setup(t);
    const owner = demoOpenId('xiejun');
    const created = await t.call('POST', `${base}/records/batch_create`, {
      body: {
        records: [
          {
            fields: {
              单号: 'EX-1',
              状态: '待处理',
              金额: 12.5,
              标签: ['破损'],
              负责人: [{ id: owner }],
              截止: 1674206443000,
              已处理: true,
              链接: { text: '订单', link: 'https://example.com/o/1' },
            },
          },
        ],
      },
    });
    expect(created.body).toMatchObject({ code: 0, msg: 'success' });
    const official = sample<{ data: { records: Array<{ fields: object }> } }>(
      'bitable.records.batch_create.response.json',
    );
    // field names are the sample's own data; the envelope and record shape must match
    official.data.records.forEach((r) => (r.fields = {}));
    expect(sameShape(created.body, official)).toEqual([]);
    const record = (created.body.data!.records as Array<{ record_id: string; fields: Record<string, unknown> }>)[0]!;
    expect(record.fields).toMatchObject({ 单号: 'EX-1', 负责人: [{ id: owner }] });
    const got = await t.call('GET', `${base}/records/${record.record_id}`);
    const fields = (got.body.data!.record as { fields: Record<string, unknown> }).fields;
    // read shapes of records.search.response.json
    const expected = sample<{ data: { items: Array<{ fields: Record<string, unknown> }> } }>(
      'bitable.records.search.response.json',
    ).data.items[0]!.fields;
    expect(sameShape(fields.单号, expected['多行文本'])).toEqual([]);
    expect(sameShape(fields.负责人, expected['人员'])).toEqual([]);
    expect(fields).toMatchObject({
      单号: [{ type: 'text', text: 'EX-1' }],
      状态: '待处理',
      金额: 12.5,
      标签: ['破损'],
      截止: 1674206443000,
      已处理: true,
      负责人: [{ id: owner, name: '谢军', en_name: 'Xie Jun' }],
      链接: { text: '订单', link: 'https://example.com/o/1' },
    });
    const bad = await t.call('POST', `${base}/records`, { body: { fields: { 金额: 'many' } } });
    expect(bad).toMatchObject({ status: 200, body: { code: 1254061 } });
    expect((await t.call('POST', `${base}/records`, { body: { fields: { 不存在: 'x' } } })).body.code).toBe(1254045);
    expect(
      (await t.call('POST', `${base}/records`, { body: { fields: { 负责人: [{ id: 'ou_nobody' }] } } })).body.code,
    ).toBe(1254066);
    const updated = await t.call('PUT', `${base}/records/${record.record_id}`, {
      body: { fields: { 状态: '已完成' } },
    });
    expect((updated.body.data!.record as { fields: Record<string, unknown> }).fields).toMatchObject({
      状态: '已完成',
      单号: 'EX-1',
    });
  });

  it('searches with nested filters, sorts, selects fields and pages with page_token and total', async () => {
    t = await startTestSandbox();
    const { base } = await setup(t);
    await t.call('POST', `${base}/records/batch_create`, {
      body: { records: Array.from({ length: 30 }, (_, i) => row(i + 1)) },
    });
    const search = (body: object, query = '') => t.call('POST', `${base}/records/search${query}`, { body });
    const all = await search({});
    expect(all.body.data).toMatchObject({ total: 30, has_more: true });
    expect(all.body.data!.items).toHaveLength(20);
    const rest = await search({}, `?page_token=${all.body.data!.page_token as string}`);
    expect(rest.body.data).toMatchObject({ has_more: false, total: 30 });
    expect(rest.body.data!.items).toHaveLength(10);
    const filtered = await search({
      field_names: ['单号', '金额'],
      sort: [{ field_name: '金额', desc: true }],
      filter: {
        conjunction: 'and',
        children: [
          { conjunction: 'or', conditions: [{ field_name: '状态', operator: 'is', value: ['待处理'] }] },
          {
            conjunction: 'and',
            conditions: [
              { field_name: '金额', operator: 'isGreater', value: ['200'] },
              { field_name: '标签', operator: 'contains', value: ['加急'] },
            ],
          },
        ],
      },
    });
    const items = filtered.body.data!.items as Array<{ fields: Record<string, unknown> }>;
    expect(items.map((i) => i.fields.金额)).toEqual([270, 210]);
    expect(Object.keys(items[0]!.fields).sort()).toEqual(['单号', '金额']);
    const empty = await search({
      filter: {
        conjunction: 'and',
        conditions: [
          { field_name: '已处理', operator: 'is', value: ['true'] },
          { field_name: '单号', operator: 'contains', value: ['EX-00'] },
        ],
      },
    });
    expect(empty.body.data!.total).toBe(4);
    expect(
      (
        await search({
          filter: { conjunction: 'and', conditions: [{ field_name: '负责人', operator: 'isEmpty', value: [] }] },
        })
      ).body.data!.total,
    ).toBe(30);
    expect(
      (
        await search({
          filter: { conjunction: 'and', conditions: [{ field_name: '没有', operator: 'is', value: ['x'] }] },
        })
      ).body.code,
    ).toBe(1254018);
    expect((await search({}, '?page_size=501')).body.code).toBe(1254011);
    expect((await search({ field_names: ['没有'] })).body.code).toBe(1254024);
    const list = await t.call('GET', `${base}/records?page_size=5`);
    expect(list.body.data).toMatchObject({ total: 30, has_more: true });
    expect((list.body.data!.items as unknown[])[0]).toMatchObject({
      id: expect.stringMatching(/^rec/),
      record_id: expect.stringMatching(/^rec/),
    });
  });

  it('dedupes batch writes by client_token and enforces batch limits', async () => {
    t = await startTestSandbox();
    const { base, appToken, tableId } = await setup(t);
    const once = await t.call(
      'POST',
      `${base}/records/batch_create?client_token=6c3a9b0e-1d1e-4d6e-8f3a-000000000001`,
      { body: { records: [row(1), row(2)] } },
    );
    const twice = await t.call(
      'POST',
      `${base}/records/batch_create?client_token=6c3a9b0e-1d1e-4d6e-8f3a-000000000001`,
      { body: { records: [row(1), row(2)] } },
    );
    expect(twice.body).toEqual(once.body);
    expect(t.sandbox.state.records(appToken, tableId)).toHaveLength(2);
    expect(t.sandbox.state.clientTokens()).toEqual(['6c3a9b0e-1d1e-4d6e-8f3a-000000000001']);
    const ids = (once.body.data!.records as Array<{ record_id: string }>).map((r) => r.record_id);
    const update = { records: ids.map((record_id) => ({ record_id, fields: { 状态: '已完成' } })) };
    const u1 = await t.call('POST', `${base}/records/batch_update?client_token=tok-u`, { body: update });
    expect(u1.body.code).toBe(0);
    expect((await t.call('POST', `${base}/records/batch_update?client_token=tok-u`, { body: update })).body).toEqual(
      u1.body,
    );
    const tooMany = await t.call('POST', `${base}/records/batch_create`, {
      body: { records: Array.from({ length: 1001 }, (_, i) => row(i)) },
    });
    expect(tooMany.body.code).toBe(1254104);
    const thousand = await t.call('POST', `${base}/records/batch_create`, {
      body: { records: Array.from({ length: 1000 }, (_, i) => row(i)) },
    });
    expect(thousand.body.code).toBe(0);
    expect(
      (
        await t.call('POST', `${base}/records/batch_delete`, {
          body: { records: Array.from({ length: 501 }, () => ids[0]) },
        })
      ).body.code,
    ).toBe(1254104);
    const deleted = await t.call('POST', `${base}/records/batch_delete`, { body: { records: ids } });
    expect(deleted.body.data!.records).toEqual(ids.map((record_id) => ({ deleted: true, record_id })));
    const got = await t.call('POST', `${base}/records/batch_get`, { body: { record_ids: [ids[0]] } });
    expect(got.body.data).toMatchObject({ records: [], absent_record_ids: [ids[0]] });
  });

  it('answers 1254291 Write conflict to a write while another write to the same table is in flight', async () => {
    t = await startTestSandbox({ bitableWriteMs: 150 });
    const { base } = await setup(t);
    const [a, b] = await Promise.all([
      t.call('POST', `${base}/records/batch_create`, { body: { records: [row(1)] } }),
      new Promise((r) => setTimeout(r, 30)).then(() =>
        t.call('POST', `${base}/records/batch_create`, { body: { records: [row(2)] } }),
      ),
    ]);
    expect(a.body.code).toBe(0);
    expect(b.body).toMatchObject({ code: 1254291, msg: 'Write conflict' });
    expect((await t.call('POST', `${base}/records/batch_create`, { body: { records: [row(3)] } })).body.code).toBe(0);
  });

  it('limits search and list to 20 per second with 429 + 1254290 + ratelimit headers', async () => {
    const clock = Date.parse('2026-01-01T00:00:00Z');
    t = await startTestSandbox({ now: () => new Date(clock) });
    const { base } = await setup(t);
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await t.call('POST', `${base}/records/search`, { body: {} }));
    expect(results.slice(0, 20).every((r) => r.body.code === 0)).toBe(true);
    expect(results[20]!.status).toBe(429);
    expect(results[20]!.body).toMatchObject({ code: 1254290, msg: 'TooManyRequest' });
    expect(results[20]!.headers.get('x-ogw-ratelimit-limit')).toBe('20');
    expect(results[20]!.headers.get('x-ogw-ratelimit-reset')).toBe('1');
  });
});
