import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  apiPost,
  cardText,
  click,
  exceptionsApp,
  latestCase,
  say,
  settle,
  type ExceptionsTestApp,
} from '../domains/exceptions/helpers.js';

// Text PostgreSQL cannot store (NUL, lone surrogates) and text over a field's limit, at each way in.
describe('NUL, lone surrogates and over-long text at the edges of the exceptions workflow', () => {
  let t: ExceptionsTestApp;
  const cases = async () =>
    (await t.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases')).rows[0]!.n;
  const statusOf = async (messageId: string) =>
    (
      await t.database.query<{ status: string }>(
        `select status from lark_events where payload->'event'->'message'->>'message_id' = $1`,
        [messageId],
      )
    ).rows[0]?.status;
  const errorLines = () => t.logs.entries().filter((e) => Number(e.level) >= 50);

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('opens a case from a chat message with a NUL in it, and answers the next "帮助"', async () => {
    const id = await say(t, '异常件 丢件 NULORDER2 desc\u0000nul', 'ou_agent_1');
    expect(await statusOf(id)).toBe('done');
    expect(t.feishu.replies(id)).toHaveLength(1);
    expect(cardText(t.feishu.replies(id)[0]!.card)).toContain('已创建');
    const c = await latestCase(t);
    expect(c.orderNo).toBe('NULORDER2');
    expect(c.description).toBe('desc\uFFFDnul');

    const help = await say(t, '帮助', 'ou_agent_1');
    expect(await statusOf(help)).toBe('done');
    expect(cardText(t.feishu.replies(help)[0]!.card)).toContain('异常件');
    expect(errorLines()).toEqual([]);
  });

  it('stores a lone surrogate from chat as U+FFFD', async () => {
    const id = await say(t, '异常件 丢件 SURR1 half\uD83Dpair', 'ou_agent_1');
    expect(await statusOf(id)).toBe('done');
    expect((await latestCase(t)).description).toBe('half\uFFFDpair');
  });

  it('refuses a chat description over its limit with a reply naming the limit, and opens nothing', async () => {
    const before = await cases();
    const id = await say(t, `异常件 丢件 LONG1 ${'长'.repeat(2001)}`, 'ou_agent_1');
    expect(await statusOf(id)).toBe('done');
    const reply = cardText(t.feishu.replies(id)[0]!.card);
    expect(reply).toContain('最多 2000 字');
    expect(reply).toContain('2001');
    expect(await cases()).toBe(before);
  });

  it('answers NUL in an API body or query with 422 naming the field, and stores nothing', async () => {
    const before = await cases();
    const body = { source: 'oms', externalId: 'NUL-1', kind: 'lost', orderNo: 'JD-NUL' };
    for (const [field, value] of [
      ['title', 'a\u0000b'],
      ['externalId', 'id\u0000'],
      ['description', 'x\uDC00y'],
      ['orderNo', '\uD800'],
    ] as const) {
      const res = await apiPost(t, '/api/exceptions', { ...body, [field]: value });
      expect(res.statusCode, field).toBe(422);
      expect(res.json().error.details).toEqual([{ path: `/${field}`, message: expect.stringContaining('NUL') }]);
    }
    const query = await apiGet(t, '/api/exceptions?state=a%00b');
    expect(query.statusCode).toBe(422);
    expect(query.json().error.details[0].path).toBe('/state');
    expect((await apiGet(t, '/api/exceptions?state=no_such_state')).statusCode).toBe(422);
    expect((await apiGet(t, '/api/exceptions/%00')).statusCode).toBe(422);
    expect(await cases()).toBe(before);
    expect(errorLines()).toEqual([]);
  });

  it('stores card form text with NUL cleaned, and refuses an over-long description with a toast', async () => {
    const created = await click(
      t,
      { action: 'exceptions.create' },
      { openId: 'ou_agent_1', formValue: { kind: 'damaged', order_no: 'JD\u0000FORM', description: '压坏\u0000了' } },
    );
    expect(created.toast?.type).toBe('success');
    const c = await latestCase(t);
    expect(c.orderNo).toBe('JD\uFFFDFORM');
    expect(c.description).toBe('压坏\uFFFD了');
    const before = await cases();
    const long = await click(
      t,
      { action: 'exceptions.create' },
      { openId: 'ou_agent_1', formValue: { kind: 'damaged', order_no: 'JD-LONG', description: 'x'.repeat(2500) } },
    );
    expect(long.toast?.type).toBe('error');
    expect(long.toast?.content).toContain('最多 2000 字');
    expect(await cases()).toBe(before);
    await settle(t);
    expect(errorLines()).toEqual([]);
  });
});
