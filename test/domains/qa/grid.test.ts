import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../../helpers/product.js';
import { gridHarness, type SampledReview } from './grid-harness.js';

const TOKEN = 'qa-grid-api-token-0123456789';
const agent = demoOpenId('wangxiaoli');
const qaLead = demoOpenId('zhengxue');

// Scoring in the Bitable review view (issue 10 point 5) through the kit's seam, the whole product on the
// sandbox: the inspector adds 评分明细 rows and ticks 提交评分 on 质检记录; the bot scores through the card's
// scoreReview and writes its fields back. Someone else's tick, a second submit, N/A where the scorecard does
// not allow it: put back, the editor told why by DM, the review scored once.
describe('scoring a review from 质检记录 / 评分明细', () => {
  let product: TestProduct;
  const now = new Date('2026-11-30T10:00:00+08:00');
  const reviews: SampledReview[] = [];
  const criteria: Record<string, string> = {};
  let scoredVersion = 0;

  const { tables, sandbox, rows, provisioned, add, edit, cell, dm, review, sampled, scorecardRows } = gridHarness(
    () => product,
    TOKEN,
  );

  beforeAll(async () => {
    product = await startTestProduct({ clock: { now: () => now }, cron: false, env: { API_TOKENS: TOKEN } });
    await provisioned();
    reviews.push(
      ...(await sampled({
        agent,
        externalIds: ['GRID-A', 'GRID-B', 'GRID-C', 'GRID-D'],
        seed: 'grid',
        slow: 'GRID-B',
      })),
    );
    Object.assign(criteria, await scorecardRows(qaLead));
    await settled(product, 'the grid ready');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  it('fills 质检截止 of a waiting review: sampled + qa.policy reviewDueDays (3 days by default)', async () => {
    const { rows: sampled } = await product.deps.database.query<{ id: number; created_at: Date }>(
      'select id::int as id, created_at from qa_reviews where id = any($1::bigint[])',
      [reviews.map((r) => r.id)],
    );
    for (const r of reviews) {
      const at = sampled.find((x) => x.id === r.id)!.created_at;
      await waitFor(
        async () => cell('reviews', r.recordId, '质检截止') === new Date(at).getTime() + 3 * 86_400_000,
        `质检截止 of ${r.no}`,
        60_000,
      );
    }
  });

  it('scores a review from the rows the inspector adds and the 提交评分 tick, and writes the result back', async () => {
    const r = reviews[0]!;
    const deduction = await add(r.inspector, 'items', {
      质检记录: [r.recordId],
      标准项: [criteria['ATT-02']],
      扣分: 2,
      说明: '语气生硬 <b>不耐烦</b>',
    });
    await add(r.inspector, 'items', { 质检记录: [r.recordId], 标准项: [criteria['ACC-01']], 不适用: true });
    await settled(product, 'the rows taken in');
    expect((await review(r.id)).state).toBe('to_score');
    // The inspector's first row starts the review's clock (the card path starts it when the card is shown).
    const opened = await product.deps.database.query<{ opened_at: Date | null }>(
      'select opened_at from qa_reviews where id = $1',
      [r.id],
    );
    expect(opened.rows[0]!.opened_at).not.toBeNull();
    await edit(r.inspector, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => (await review(r.id)).state !== 'to_score', 'the review scored', 60_000);
    await settled(product, 'the result written back');
    const scored = await review(r.id);
    // ATT-02: 2 of 5 off a weight of 15 = 6; ACC-01 (25) N/A: 75 − 6 of 75 left, rescaled to 100 → 92.0.
    expect(scored).toMatchObject({ score: 92, result: 'pass', items: 9 });
    scoredVersion = scored.version;
    expect(scored.seconds_spent).not.toBeNull();
    expect(scored.seconds_spent).toBeGreaterThanOrEqual(0);
    const { rows: items } = await product.deps.database.query<{ code: string; points: number; na: boolean }>(
      `select code, points, na from qa_review_items where review_id = $1 and (points > 0 or na) order by code`,
      [r.id],
    );
    expect(items).toEqual([
      { code: 'ACC-01', points: 0, na: true },
      { code: 'ATT-02', points: 2, na: false },
    ]);
    expect(cell('reviews', r.recordId, '得分')).toBe(92);
    expect(cell('reviews', r.recordId, '提交评分')).toBe(true);
    expect(cell('reviews', r.recordId, '质检用时(秒)')).toBe(scored.seconds_spent);
    // The person's row is numbered in place (no second row for ATT-02); what they typed in 说明 stays.
    await waitFor(async () => cell('items', deduction.record_id, '明细编号') === `${r.no}-ATT-02`, 'numbered', 60_000);
    expect(cell('items', deduction.record_id, '说明')).toBe('语气生硬 <b>不耐烦</b>');
    expect(rows('items').filter((x) => JSON.stringify(x.fields).includes(`${r.no}-ATT-02`))).toHaveLength(1);
  });

  it('a second submit of a scored review scores nothing again: tick put back, the inspector told', async () => {
    const r = reviews[0]!;
    await edit(r.inspector, 'reviews', r.recordId, { 提交评分: false });
    await waitFor(async () => cell('reviews', r.recordId, '提交评分') === true, 'the tick put back', 60_000);
    expect((await dm(r.inspector, '已评分')).content).toContain(r.no);
    await settled(product, 'the refusal done');
    // Scored once: no new version, no second set of items.
    expect(await review(r.id)).toMatchObject({ score: 92, version: scoredVersion, items: 9 });
    // A deducted row of a scored review is the workflow's: its points are put back too.
    const row = rows('items').find((x) => JSON.stringify(x.fields).includes(`${r.no}-ATT-02`))!;
    await edit(r.inspector, 'items', row.record_id, { 扣分: 0 });
    await waitFor(async () => cell('items', row.record_id, '扣分') === 2, 'the points put back', 60_000);
    expect((await review(r.id)).score).toBe(92);
  });

  it('refuses a tick by someone who is not the inspector of the review: unticked, a DM, nothing scored', async () => {
    const r = reviews[1]!;
    await edit(agent, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => cell('reviews', r.recordId, '提交评分') === false, 'the tick put back', 60_000);
    expect((await dm(agent, '分配给了其他质检员')).content).toContain(r.no);
    await settled(product, 'the refusal done');
    expect(await review(r.id)).toMatchObject({ state: 'to_score', score: null, version: 1 });
  });

  it('a double submit (inspector and QA lead tick at once) scores once, never twice', async () => {
    const r = reviews[3]!;
    await add(r.inspector, 'items', { 质检记录: [r.recordId], 标准项: [criteria['ATT-01']], 扣分: 1 });
    await settled(product, 'the row taken in');
    await Promise.all([
      edit(r.inspector, 'reviews', r.recordId, { 提交评分: true }),
      edit(qaLead, 'reviews', r.recordId, { 提交评分: true }),
    ]);
    await waitFor(async () => (await review(r.id)).state !== 'to_score', 'the review scored', 60_000);
    await settled(product, 'both submits handled');
    // ATT-01: 1 of 2 off a weight of 10 → 95, once.
    expect(await review(r.id)).toMatchObject({ score: 95, items: 9 });
    const told = [r.inspector, qaLead].flatMap((who) =>
      sandbox()
        .state.messages({ chatId: sandbox().state.p2pChatOf(who)!.chat_id, fromBot: true })
        .filter((m) => m.content.includes(`${r.no} 已评分`)),
    );
    // The second tick either arrives after the score (the row already says 提交评分: nothing to say) or races
    // it (scoreReview's version check refuses it: one DM). Never a second score.
    expect(told.length).toBeLessThanOrEqual(1);
    expect(cell('reviews', r.recordId, '提交评分')).toBe(true);
    const { rows: scoredAt } = await product.deps.database.query<{ n: number }>(
      `select count(*)::int as n from qa_review_items where review_id = $1 and points > 0`,
      [r.id],
    );
    expect(scoredAt[0]!.n).toBe(1);
  });

  it("an agent's row blocks the submit until removed; the QA lead then scores with 采纳预检建议 (accept all)", async () => {
    const r = reviews[1]!; // GRID-B, the one the agent's tick was refused on
    const suggested = (
      await product.deps.database.query<{ n: number }>(
        `select jsonb_array_length(suggestions)::int as n from qa_reviews where id = $1`,
        [r.id],
      )
    ).rows[0]!.n;
    expect(suggested).toBeGreaterThan(0);
    // The agent slips a row of their own into the review: told at once, and the submit will not take it.
    const slipped = await add(agent, 'items', { 质检记录: [r.recordId], 标准项: [criteria['ATT-02']], 扣分: 0 });
    await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(agent)!.chat_id, fromBot: true })
          .filter((m) => m.content.includes('分配给了其他质检员')).length >= 2,
      'the row refused',
      60_000,
    );
    await edit(qaLead, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => cell('reviews', r.recordId, '提交评分') === false, 'the tick put back', 60_000);
    expect((await dm(qaLead, '无权评分的人修改')).content).toContain(r.no);
    await settled(product, 'the refusal done');
    expect((await review(r.id)).state).toBe('to_score');
    await sandbox().actions.deleteRecord(agent, tables.items!.appToken, tables.items!.tableId, slipped.record_id);
    await settled(product, 'the row removed');
    await edit(qaLead, 'reviews', r.recordId, { 采纳预检建议: true, 提交评分: true });
    await waitFor(async () => (await review(r.id)).state !== 'to_score', 'the review scored', 60_000);
    await settled(product, 'the result written back');
    const scored = await review(r.id);
    expect(scored.score).toBeLessThan(100);
    expect(cell('reviews', r.recordId, '得分')).toBe(scored.score);
    // The person's own tick stays as they left it.
    expect(cell('reviews', r.recordId, '采纳预检建议')).toBe(true);
    const { rows: taken } = await product.deps.database.query<{ n: number }>(
      'select count(*)::int as n from qa_review_items where review_id = $1 and from_suggestion',
      [r.id],
    );
    expect(taken[0]!.n).toBeGreaterThan(0);
  });

  it('refuses N/A where not allowed (row and submit), and a criterion not on the review scorecard', async () => {
    const r = reviews[2]!;
    await add(r.inspector, 'items', { 质检记录: [r.recordId], 标准项: [criteria['ATT-01']], 不适用: true });
    expect((await dm(r.inspector, '不允许选「不适用」')).content).toContain(r.no);
    await edit(r.inspector, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => cell('reviews', r.recordId, '提交评分') === false, 'the tick put back', 60_000);
    // One DM for the row, one for the refused submit (it names 提交评分).
    await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(r.inspector)!.chat_id, fromBot: true })
          .filter((m) => m.content.includes('不允许选「不适用」')).length >= 2,
      'the submit refused',
      60_000,
    );
    expect((await dm(r.inspector, '提交评分')).content).toContain('不允许选「不适用」');
    await settled(product, 'the refusal done');
    // A criterion the QA lead added to 评分标准 after the review was drawn is not on its scorecard version.
    const added = await add(qaLead, 'scorecard', { 标准项: '新标准', 编码: 'NEW-01', 分值: 5, 满分档: 1 });
    await settled(product, 'the new criterion in the draft');
    await add(r.inspector, 'items', { 质检记录: [r.recordId], 标准项: [added.record_id], 扣分: 1 });
    expect((await dm(r.inspector, 'NEW-01')).content).toContain('不在本次评分标准中');
    expect(await review(r.id)).toMatchObject({ state: 'to_score', score: null, version: 1 });
  });
});
