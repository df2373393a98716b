import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupCauses, scanCauses } from '../../../src/domains/qa/rollup-causes.js';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../../helpers/product.js';
import { gridHarness, type SampledReview } from './grid-harness.js';

const TOKEN = 'qa-grid-api-token-0123456789';
const agent = demoOpenId('wangxiaoli');
const qaLead = demoOpenId('zhengxue');

// Issue 10 §8 in the grid: 评分明细's 根因 select, the QA lead's list (qa.root_causes) the only valid values. On a
// row the inspector adds it is taken at 提交评分; on a scored row it may be set later; a name not on the list is
// put back (scored rows) or refused with a DM (rows still drafts, and their submit).
describe('root causes in 评分明细', () => {
  let product: TestProduct;
  const now = new Date('2026-11-30T10:00:00+08:00');
  const reviews: SampledReview[] = [];
  const criteria: Record<string, string> = {};

  const { rows, provisioned, add, edit, cell, dm, review, sandbox, sampled, scorecardRows } = gridHarness(
    () => product,
    TOKEN,
  );

  beforeAll(async () => {
    product = await startTestProduct({ clock: { now: () => now }, cron: false, env: { API_TOKENS: TOKEN } });
    await provisioned();
    reviews.push(...(await sampled({ agent, externalIds: ['RCG-A', 'RCG-B'], seed: 'root-causes', slow: 'RCG-B' })));
    Object.assign(criteria, await scorecardRows(qaLead));
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
