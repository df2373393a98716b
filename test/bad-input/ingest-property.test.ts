import fc from 'fast-check';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeField } from '../../src/bitable/codec.js';
import type { TemplateField } from '../../src/bitable/template-schema.js';
import { hasUnstorable } from '../../src/core/text.js';
import { waitFor } from '../helpers/app.js';
import { messageEvent, signed } from '../helpers/events.js';
import { apiPost, click, exceptionsApp, settle, type ExceptionsTestApp } from '../domains/exceptions/helpers.js';

// Whatever text arrives at a boundary, the bot answers, stores or refuses it clearly — never a
// crash, a 500, a dead event or an error-level log line.
const hostile = fc.constantFrom(
  '\u0000',
  '\uD800',
  '\uDFFF',
  '🙂',
  '<at user_id="all"></at>',
  '<at id=all></at>',
  '[登录](https://evil.example/login)',
  '![x](img_v2_x)',
  "<font color='red'>",
  '\n**负责人 Owner** ',
  '@_all',
  '@_user_1',
  '${x}',
  "'; drop table exceptions_cases; --",
  '　',
  '\u202e',
);
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  hostile,
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const text = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { maxLength: 8 }).map((p) => p.join('')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(piece, fc.constantFrom(100_000, 2_001, 12_000))
      .map(([p, n]) => (p || 'x').repeat(Math.ceil(n / Math.max(1, (p || 'x').length))).slice(0, n)),
  },
);
const RUNS = 25;

/** Every markdown source on a card, as sent to Feishu (where an <at> would mention someone). */
function markdownOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if ((o.tag === 'markdown' || o.tag === 'lark_md') && typeof o.content === 'string') out.push(o.content);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return out;
}

describe('every ingest boundary under random text (property)', () => {
  let t: ExceptionsTestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const errorLines = () => t.logs.entries().filter((e) => Number(e.level) >= 50);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await exceptionsApp();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t.close();
    nock.cleanAll();
  });

  it('chat: every message is acknowledged, processed and answered', async () => {
    const texts = fc.sample(text, RUNS);
    const events = texts.flatMap((s, i) => [
      messageEvent(`异常件 丢件 PROP${i} ${s}`, { openId: 'ou_agent_1', messageId: `om_prop_case_${i}` }),
      messageEvent(s, { openId: 'ou_agent_1', messageId: `om_prop_raw_${i}` }),
    ]);
    const timestamp = Math.floor(t.deps.clock.now().getTime() / 1000);
    for (const e of events)
      expect(
        (await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(e, { timestamp }) })).statusCode,
      ).toBe(200);
    const ids = events.map((e) => e.header.event_id);
    await waitFor(
      async () => {
        const { rows } = await t.database.query<{ n: number }>(
          `select count(*)::int as n from lark_events where event_id = any($1) and status in ('done', 'dead')`,
          [ids],
        );
        return rows[0]!.n === ids.length;
      },
      'random messages processed',
      90_000,
    );
    const { rows } = await t.database.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from lark_events where event_id = any($1) group by status',
      [ids],
    );
    expect(rows).toEqual([{ status: 'done', n: ids.length }]);
    for (const e of events) {
      const messageId = (e.event.message as { message_id: string }).message_id;
      // An empty or mention-only text in a direct chat still gets the hint card.
      expect(t.feishu.replies(messageId).length, messageId).toBeGreaterThanOrEqual(1);
    }
    const stored = await t.database.query<{ description: string; title: string; order_no: string }>(
      `select description, title, order_no from exceptions_cases where order_no like 'PROP%'`,
    );
    for (const c of stored.rows) expect(hasUnstorable(c.description + c.title + c.order_no)).toBe(false);
    await settle(t);
    expect(errorLines()).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('API: every body is stored as sent or refused with a 4xx in the one error shape', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, fc.nat(), async (title, description, n) => {
        const res = await apiPost(t, '/api/exceptions', {
          source: 'prop',
          externalId: `P-${n}-${title.slice(0, 20)}`,
          kind: 'lost',
          orderNo: 'JD-PROP',
          title,
          description,
        });
        expect([200, 201, 413, 422], `${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        if (res.statusCode === 201) {
          expect(res.json().case.description).toBe(description.trim());
          expect(hasUnstorable(title + description)).toBe(false);
        } else if (res.statusCode !== 200) {
          expect(res.json().error.code).toMatch(/^[a-z_]+$/);
        }
      }),
      { numRuns: RUNS },
    );
    expect(errorLines()).toEqual([]);
  });

  it('card forms: every submission becomes a case or an error toast the person can act on', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, async (orderNo, description) => {
        const res = await click(
          t,
          { action: 'exceptions.create' },
          { openId: 'ou_agent_1', formValue: { kind: 'damaged', order_no: orderNo, description } },
        );
        expect(['success', 'error']).toContain(res.toast?.type);
        expect(res.toast?.content).not.toContain('操作失败'); // the internal-error toast
      }),
      { numRuns: RUNS },
    );
    await settle(t);
    expect(errorLines()).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  // Runs after the boundaries above: every card they made the bot send, reply or update.
  it('never sends a card that mentions anyone the workflow did not choose', async () => {
    await settle(t);
    const cards = t.feishu.sent.map((s) => s.card);
    expect(cards.length).toBeGreaterThan(RUNS);
    // Whom the workflow can choose: the directory's people and the teams' leads and managers.
    const { rows } = await t.database.query<{ open_id: string }>(
      `select open_id from directory_people
       union select lead_open_id from directory_teams where lead_open_id is not null
       union select manager_open_id from directory_teams where manager_open_id is not null`,
    );
    const people = new Set(rows.map((r) => r.open_id));
    for (const card of cards) {
      for (const source of markdownOf(card)) {
        for (const at of source.match(/<at\b[^>]*>/gi) ?? []) {
          const id = /^<at id=([A-Za-z0-9_-]+)>$/.exec(at)?.[1];
          expect(id && people.has(id), `${at} in: ${source.slice(0, 200)}`).toBe(true);
        }
      }
    }
  });

  it('Bitable cells: every text cell decodes to storable text', () => {
    const field = { key: 'description', name: '问题描述', description: 'Text.', type: 1 } as TemplateField;
    const cell = fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constantFrom('text', 'mention', 'url'), text }), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(cell, (raw) => {
        const value = decodeField(field, raw);
        expect(typeof value).toBe('string');
        expect(hasUnstorable(value as string)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
