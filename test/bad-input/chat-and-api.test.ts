import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { messageEvent, signed } from '../helpers/events.js';
import { exceptionsApp, settle, type ExceptionsTestApp } from '../domains/exceptions/helpers.js';

const SQLISH = [
  "'; drop table lark_events; --",
  'help" or 1=1 --',
  "异常件 '); delete from exceptions_cases; --",
  '$1 $2 ${x} %s %n',
  '\u202egnp.exe',
  '<img src=x onerror=alert(1)>',
];

// Hostile chat text goes all the way through intake, queue and router; hostile API bodies get the one error shape.
describe('huge and SQL-like input in chat and in API bodies', () => {
  let t: ExceptionsTestApp;
  const cases = async () =>
    (await t.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases')).rows[0]!.n;

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('answers each hostile message once, stores its text verbatim and leaves the tables intact', async () => {
    const texts = [...SQLISH, 'x'.repeat(200_000), `help ${'帮'.repeat(50_000)}`, 'nul\u0000byte', '🙂'.repeat(10_000)];
    const events = texts.map((text, i) => messageEvent(text, { openId: 'ou_agent_1', messageId: `om_hostile_${i}` }));
    const timestamp = Math.floor(t.deps.clock.now().getTime() / 1000); // signed as of the app's clock
    for (const e of events)
      expect(
        (await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(e, { timestamp }) })).statusCode,
      ).toBe(200);
    await waitFor(
      async () => {
        const { rows } = await t.database.query<{ n: number }>(
          `select count(*)::int as n from lark_events where event_id = any($1) and status in ('done', 'dead')`,
          [events.map((e) => e.header.event_id)],
        );
        return rows[0]!.n === events.length;
      },
      'hostile messages processed',
      30_000,
    );
    await settle(t);
    const { rows } = await t.database.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from lark_events where event_id = any($1) group by status',
      [events.map((e) => e.header.event_id)],
    );
    expect(rows).toEqual([{ status: 'done', n: events.length }]);
    for (const [i, e] of events.entries()) {
      const answers = t.feishu.replies(`om_hostile_${i}`);
      expect(answers.length, texts[i]!.slice(0, 30)).toBeGreaterThanOrEqual(1);
      expect(new Set(answers.map((a) => a.uuid)).size).toBe(answers.length);
      for (const a of answers) expect(JSON.stringify(a.card).length).toBeLessThan(30 * 1024);
      const saved = await t.database.query<{ content: string }>(
        `select payload->'event'->'message'->>'content' as content from lark_events where event_id = $1`,
        [e.header.event_id],
      );
      expect(saved.rows[0]!.content).toBe(
        (e.event.message as { content: string }).content.replaceAll('\u0000', '\uFFFD'),
      );
    }
    expect((await t.database.query('select 1 from lark_events limit 1')).rows).toHaveLength(1);
  });

  const post = (payload: string | Buffer, contentType = 'application/json') =>
    t.app.inject({
      method: 'POST',
      url: '/api/exceptions',
      payload,
      headers: { 'content-type': contentType, authorization: 'Bearer tok-ops' },
    });

  it('answers malformed API bodies with a clear 4xx error in the one error shape, and creates nothing', async () => {
    const before = await cases();
    const bodies: Array<[string | Buffer, string]> = [
      ['{"source": "oms",', 'application/json'],
      ['[]', 'application/json'],
      ['null', 'application/json'],
      ['"just a string"', 'application/json'],
      ['{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}', 'application/json'],
      [`{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`, 'application/json'],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'application/json'],
      ['source=oms&kind=lost', 'application/x-www-form-urlencoded'],
      ['kind: lost', 'text/plain'],
      [
        JSON.stringify({ source: 'oms', externalId: 'X', kind: 'lost', note: 'x'.repeat(2 * 1024 * 1024) }),
        'application/json',
      ],
    ];
    for (const [payload, type] of bodies) {
      const res = await post(payload, type);
      const label = `${type} ${String(payload).slice(0, 30)}`;
      expect(res.statusCode, label).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, label).toBeLessThan(500);
      const error = res.json().error;
      expect(error.code, label).toMatch(/^[a-z_]+$/);
      expect(error.message.length, label).toBeGreaterThan(0);
    }
    expect(await cases()).toBe(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('rejects SQL-like and huge values in every free-text field with 422, or stores them verbatim', async () => {
    const fields = [
      'source',
      'externalId',
      'orderNo',
      'trackingNumber',
      'customerName',
      'description',
      'channel',
      'platform',
    ];
    for (const field of fields) {
      for (const value of [...SQLISH, 'x'.repeat(100_000)]) {
        const body = {
          source: 'oms',
          externalId: `F-${field}-${value.length}-${SQLISH.indexOf(value)}`,
          kind: 'lost',
          orderNo: 'JD-1',
          amountAtRiskFen: 100,
          [field]: value,
        };
        const res = await post(JSON.stringify(body));
        expect([200, 201, 422], `${field}=${value.slice(0, 20)}`).toContain(res.statusCode);
        if (res.statusCode !== 422 && field in (res.json().case ?? {})) expect(res.json().case[field]).toBe(value);
      }
    }
    const { rows } = await t.database.query<{ n: number }>('select count(*)::int as n from lark_events');
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
