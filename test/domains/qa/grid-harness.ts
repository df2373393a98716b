import { expect } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { provisionedTable, type TestProduct } from '../../helpers/product.js';

/** The QA Bitable tables the grid tests work in: the key they use, the table's name and its template key. */
const TABLES = [
  ['reviews', '质检记录', 'qa_reviews'],
  ['items', '评分明细', 'qa_review_items'],
  ['scorecard', '评分标准', 'qa_scorecard'],
] as const;

/** A review the grid tests work on: its id, number (QA000001), inspector and 质检记录 row. */
export interface SampledReview {
  id: number;
  no: string;
  inspector: string;
  recordId: string;
}

/**
 * What the grid tests (grid.test.ts, root-cause-grid.test.ts, grid-comment.test.ts) do on the sandboxed product:
 * post to the API, add and edit rows as a person, read cells back, wait for a DM, read a review's row in Postgres.
 */
export function gridHarness(product: () => TestProduct, token: string) {
  const tables: Record<string, { appToken: string; tableId: string }> = {};
  const sandbox = () => product().sandbox!;
  const rows = (table: string) => sandbox().state.records(tables[table]!.appToken, tables[table]!.tableId);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${product().url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  };
  const add = (who: string, table: string, fields: Record<string, unknown>) =>
    sandbox().actions.addRecord(who, tables[table]!.appToken, tables[table]!.tableId, fields);
  return {
    tables,
    sandbox,
    rows,
    /** Waits until the product provisioned the QA tables at start. */
    async provisioned(): Promise<void> {
      for (const [key, name, tableKey] of TABLES) tables[key] = await provisionedTable(product(), name, tableKey);
    },
    post,
    add,
    /**
     * Conversations of `agent` on tmall (29 November, Beijing) sampled with `seed`, each one drawn, and each review's
     * 质检记录 row written: the reviews in external-id order. `slow`: that conversation's first reply comes after 10
     * minutes and without a greeting, so the pre-checks suggest deductions.
     */
    async sampled(o: { agent: string; externalIds: string[]; seed: string; slow?: string }): Promise<SampledReview[]> {
      const at = (s: number) => new Date(Date.parse('2026-11-29T14:00:00+08:00') + s * 1000).toISOString();
      await post('/api/qa/conversations', {
        conversations: o.externalIds.map((externalId, i) => ({
          channel: 'tmall',
          externalId,
          shop: '天猫旗舰店',
          agent: o.agent,
          messages:
            externalId === o.slow
              ? [
                  { role: 'customer', at: at(i * 1000), text: '在吗，订单什么时候发货' },
                  { role: 'agent', at: at(i * 1000 + 600), text: '在查' },
                ]
              : [
                  { role: 'customer', at: at(i * 1000), text: '在吗，订单什么时候发货' },
                  { role: 'agent', at: at(i * 1000 + 20), text: '您好，今天下午发货' },
                  { role: 'agent', at: at(i * 1000 + 40), text: '感谢您的耐心，祝您生活愉快' },
                ],
        })),
      });
      await post('/api/qa/sampling', {
        from: '2026-11-29T00:00:00+08:00',
        to: '2026-11-30T00:00:00+08:00',
        seed: o.seed,
      });
      const database = product().deps.database;
      const { rows: drawn } = await database.query<{ id: number; inspector_open_id: string }>(
        `select r.id::int as id, r.inspector_open_id from qa_reviews r
           join qa_conversations c on c.id = r.conversation_id
          where r.state = 'to_score' order by c.external_id`,
      );
      expect(drawn).toHaveLength(o.externalIds.length);
      const reviews: SampledReview[] = [];
      for (const r of drawn) {
        const recordId = await waitFor(
          async () =>
            (
              await database.query<{ bitable_record_id: string | null }>(
                'select bitable_record_id from qa_reviews where id = $1',
                [r.id],
              )
            ).rows[0]?.bitable_record_id ?? undefined,
          'the review row written',
          60_000,
        );
        reviews.push({ id: r.id, no: `QA${String(r.id).padStart(6, '0')}`, inspector: r.inspector_open_id, recordId });
      }
      return reviews;
    },
    /**
     * The QA lead keeps 评分标准 in Bitable: `lead` adds rows for the criteria the grid tests use (the reviews keep
     * version 1); their record ids by code.
     */
    async scorecardRows(lead: string): Promise<Record<string, string>> {
      const criteria: Record<string, string> = {};
      for (const [code, name, weight, max, na] of [
        ['ATT-01', '问候与称呼 Greeting', 10, 2, false],
        ['ATT-02', '服务态度 Courtesy', 15, 5, false],
        ['ACC-01', '信息准确 Accuracy', 25, 5, true],
      ] as const)
        criteria[code] = (
          await add(lead, 'scorecard', { 标准项: name, 编码: code, 分值: weight, 满分档: max, 允许不适用: na })
        ).record_id;
      return criteria;
    },
    edit: (who: string, table: string, recordId: string, fields: Record<string, unknown>) =>
      sandbox().actions.editRecord(who, tables[table]!.appToken, tables[table]!.tableId, recordId, fields),
    cell(table: string, recordId: string, name: string): unknown {
      const v = rows(table).find((r) => r.record_id === recordId)?.fields[name];
      return Array.isArray(v) && v.every((s) => typeof s === 'object' && s && 'text' in s)
        ? v.map((s: { text?: string }) => s.text ?? '').join('')
        : v;
    },
    dm: (to: string, needle: string) =>
      waitFor(
        async () =>
          sandbox()
            .state.messages({ chatId: sandbox().state.p2pChatOf(to)!.chat_id, fromBot: true })
            .find((m) => m.content.includes(needle)),
        `a DM to ${to} mentioning ${needle}`,
        60_000,
      ),
    review: async (id: number) =>
      (
        await product().deps.database.query<{
          state: string;
          score: number | null;
          result: string | null;
          version: number;
          seconds_spent: number | null;
          items: number;
        }>(
          `select state, score, result, version, seconds_spent,
                  (select count(*)::int from qa_review_items i where i.review_id = r.id) as items
             from qa_reviews r where id = $1`,
          [id],
        )
      ).rows[0]!,
  };
}
