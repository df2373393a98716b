import { expect } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { provisionedTable, type TestProduct } from '../../helpers/product.js';

/** The QA Bitable tables the grid tests work in: the key they use, the table's name and its template key. */
const TABLES = [
  ['reviews', '质检记录', 'qa_reviews'],
  ['items', '评分明细', 'qa_review_items'],
  ['scorecard', '评分标准', 'qa_scorecard'],
] as const;

/**
 * What the grid tests (grid.test.ts, root-cause-grid.test.ts) do on the sandboxed product: post to the API,
 * add and edit rows as a person, read cells back, wait for a DM, read a review's row in Postgres.
 */
export function gridHarness(product: () => TestProduct, token: string) {
  const tables: Record<string, { appToken: string; tableId: string }> = {};
  const sandbox = () => product().sandbox!;
  const rows = (table: string) => sandbox().state.records(tables[table]!.appToken, tables[table]!.tableId);
  return {
    tables,
    sandbox,
    rows,
    /** Waits until the product provisioned the QA tables at start. */
    async provisioned(): Promise<void> {
      for (const [key, name, tableKey] of TABLES) tables[key] = await provisionedTable(product(), name, tableKey);
    },
    async post(path: string, body: unknown) {
      const res = await fetch(`${product().url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json();
    },
    add: (who: string, table: string, fields: Record<string, unknown>) =>
      sandbox().actions.addRecord(who, tables[table]!.appToken, tables[table]!.tableId, fields),
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
