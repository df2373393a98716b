import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupCauses, scanCauses } from '../../../src/domains/qa/rollup-causes.js';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../../helpers/product.js';
import { gridHarness } from './grid-harness.js';

const TOKEN = 'qa-grid-api-token-0123456789';
const agent = demoOpenId('wangxiaoli');
const qaLead = demoOpenId('zhengxue');

// Issue 10 §8 in the grid: 评分明细's 根因 select, the QA lead's list (qa.root_causes) the only valid values. On a
// row the inspector adds it is taken at 提交评分; on a scored row it may be set later; a name not on the list is
// put back (scored rows) or refused with a DM (rows still drafts, and their submit).
describe('root causes in 评分明细', () => {
  let product: TestProduct;
  const now = new Date('2026-11-30T10:00:00+08:00');
  const reviews: Array<{ id: number; no: string; inspector: string; recordId: string }> = [];
  const criteria: Record<string, string> = {};

  const { rows, provisioned, post, add, edit, cell, dm, review, sandbox } = gridHarness(() => product, TOKEN);

  beforeAll(async () => {
    product = await startTestProduct({ clock: { now: () => now }, cron: false, env: { API_TOKENS: TOKEN } });
    await provisioned();
    const at = (s: number) => new Date(Date.parse('2026-11-29T14:00:00+08:00') + s * 1000).toISOString();
    await post('/api/qa/conversations', {
      conversations: ['RCG-A', 'RCG-B'].map((externalId, i) => ({
        channel: 'tmall',
        externalId,
        shop: '天猫旗舰店',
        agent,
        // GRID-B: a slow first reply without a greeting, so the pre-checks suggest deductions.
        messages:
          externalId === 'RCG-B'
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
      seed: 'root-causes',
    });
    const { rows: drawn } = await product.deps.database.query<{ id: number; inspector_open_id: string }>(
      `select r.id::int as id, r.inspector_open_id from qa_reviews r
         join qa_conversations c on c.id = r.conversation_id
        where r.state = 'to_score' order by c.external_id`,
    );
    expect(drawn).toHaveLength(2);
    for (const r of drawn) {
      const recordId = await waitFor(
        async () =>
          (
            await product.deps.database.query<{ bitable_record_id: string | null }>(
              'select bitable_record_id from qa_reviews where id = $1',
              [r.id],
            )
          ).rows[0]?.bitable_record_id ?? undefined,
        'the review row written',
        60_000,
      );
      reviews.push({ id: r.id, no: `QA${String(r.id).padStart(6, '0')}`, inspector: r.inspector_open_id, recordId });
    }
    // The QA lead keeps 评分标准 in Bitable: rows for the criteria used here (the reviews keep version 1).
    for (const [code, name, weight, max, na] of [
      ['ATT-01', '问候与称呼 Greeting', 10, 2, false],
      ['ATT-02', '服务态度 Courtesy', 15, 5, false],
      ['ACC-01', '信息准确 Accuracy', 25, 5, true],
    ] as const)
      criteria[code] = (
        await add(qaLead, 'scorecard', { 标准项: name, 编码: code, 分值: weight, 满分档: max, 允许不适用: na })
      ).record_id;
    await settled(product, 'the grid ready');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const cause = async (reviewId: number, code: string) =>
    (
      await product.deps.database.query<{ root_cause: string | null }>(
        'select root_cause from qa_review_items where review_id = $1 and code = $2',
        [reviewId, code],
      )
    ).rows[0]?.root_cause;

  it('a cause typed on the inspector’s row is taken at 提交评分, and may be changed on the scored row', async () => {
    const r = reviews[0]!;
    const row = await add(r.inspector, 'items', {
      质检记录: [r.recordId],
      标准项: [criteria['ATT-02']],
      扣分: 2,
      根因: '话术',
    });
    await settled(product, 'the row taken in');
    await edit(r.inspector, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => (await review(r.id)).state !== 'to_score', 'the review scored', 60_000);
    await settled(product, 'the result written back');
    expect(await cause(r.id, 'ATT-02')).toBe('script');
    await waitFor(async () => cell('items', row.record_id, '明细编号') === `${r.no}-ATT-02`, 'numbered', 60_000);
    expect(cell('items', row.record_id, '根因')).toBe('话术');
    // Later, the inspector files it under 流程 instead: taken, no message.
    await edit(r.inspector, 'items', row.record_id, { 根因: '流程' });
    await waitFor(async () => (await cause(r.id, 'ATT-02')) === 'process', 'the cause changed', 60_000);
    // The root-cause report's stored rows follow (the follow-up job folds the review in): the day's counts, read
    // from them alone, are the marks' own.
    const db = product.deps.database;
    const day = { from: new Date('2026-11-30T00:00:00+08:00'), to: new Date('2026-12-01T00:00:00+08:00') };
    await waitFor(
      async () => {
        const stored = await rollupCauses(db, day);
        const att = stored.filter((c) => c.code === 'ATT-02');
        return att.length === 1 && att[0]!.cause === 'process' && isDeepStrictEqual(stored, await scanCauses(db, day));
      },
      'the stored root causes follow the change',
      60_000,
    );
    // The agent's feedback DM follows: the same message, updated in place (one card per review in their chat).
    const feedback = () =>
      sandbox()
        .state.messages({ chatId: sandbox().state.p2pChatOf(agent)!.chat_id, fromBot: true })
        .filter((m) => m.content.includes(`质检结果 ${r.no}`));
    await waitFor(async () => feedback()[0]?.content.includes('根因 Root cause：流程'), 'the DM updated', 60_000);
    expect(feedback()).toHaveLength(1);
    // The agent may not re-file their own deduction: put back, told why.
    await edit(agent, 'items', row.record_id, { 根因: '系统/工具' });
    await waitFor(async () => cell('items', row.record_id, '根因') === '流程', 'put back', 60_000);
    expect((await dm(agent, '可以改根因')).content).toContain(`${r.no}-ATT-02`);
    expect(await cause(r.id, 'ATT-02')).toBe('process');
  });

  it('an unknown cause on a scored row is put back with a DM; the stored cause stays', async () => {
    const r = reviews[0]!;
    const row = rows('items').find((x) => JSON.stringify(x.fields).includes(`${r.no}-ATT-02`))!;
    await edit(r.inspector, 'items', row.record_id, { 根因: '运气不好' });
    await waitFor(async () => cell('items', row.record_id, '根因') === '流程', 'the cell put back', 60_000);
    const told = await dm(r.inspector, '运气不好');
    expect(told.content).toContain('不在质检主管设定的列表中');
    expect(told.content).toContain(`${r.no}-ATT-02`);
    await settled(product, 'the refusal done');
    expect(await cause(r.id, 'ATT-02')).toBe('process');
  });

  it('an unknown cause on a row still to submit: the inspector told at once, and the submit refused', async () => {
    const r = reviews[1]!;
    await add(r.inspector, 'items', { 质检记录: [r.recordId], 标准项: [criteria['ATT-01']], 扣分: 1, 根因: '天气' });
    expect((await dm(r.inspector, '天气')).content).toContain(r.no);
    await edit(r.inspector, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => cell('reviews', r.recordId, '提交评分') === false, 'the tick put back', 60_000);
    expect((await dm(r.inspector, '提交评分')).content).toContain('天气');
    await settled(product, 'the refusal done');
    expect(await review(r.id)).toMatchObject({ state: 'to_score', score: null, version: 1 });
  });
});
