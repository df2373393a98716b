import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../../helpers/product.js';
import { buttons } from './helpers.js';
import { gridHarness, type SampledReview } from './grid-harness.js';

const TOKEN = 'qa-grid-comment-token-0123456789';
const agent = demoOpenId('wangxiaoli');
// User text with card markdown, an @all and a link: it must reach the agent's card as text, never as markup.
const HOSTILE = '<at id=all></at> **全员** [点我](https://evil.example) 开场请先问候';

// 质检评语 is the inspector's column in 质检记录 (issue 10 §5): a grid submit takes the comment from the row and the
// agent's feedback card carries it as a card's comment does; the bot never writes over what a person typed there;
// a review scored on the card shows its comment there (written once, into the empty cell). The whole product on
// the sandbox, PGlite and PostgreSQL.
describe('质检评语 in 质检记录', () => {
  let product: TestProduct;
  const now = new Date('2026-11-30T10:00:00+08:00');
  const reviews: SampledReview[] = [];
  const { sandbox, provisioned, edit, cell, dm, review, sampled } = gridHarness(() => product, TOKEN);
  const commentOf = async (id: number) =>
    (
      await product.deps.database.query<{ comment: string | null }>('select comment from qa_reviews where id = $1', [
        id,
      ])
    ).rows[0]!.comment;
  const feedbackTo = (who: string, no: string) =>
    waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(who)!.chat_id, fromBot: true })
          .find((m) => m.msg_type === 'interactive' && m.content.includes(no) && m.content.includes('qa.ack')),
      `the feedback card of ${no}`,
      60_000,
    );

  beforeAll(async () => {
    product = await startTestProduct({ clock: { now: () => now }, cron: false, env: { API_TOKENS: TOKEN } });
    await provisioned();
    reviews.push(...(await sampled({ agent, externalIds: ['NOTE-A', 'NOTE-B'], seed: 'note' })));
    await settled(product, 'the grid ready');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  it("a grid submit takes 质检评语 from the row; the agent's feedback card carries it, escaped", async () => {
    const r = reviews[0]!;
    await edit(r.inspector, 'reviews', r.recordId, { 质检评语: HOSTILE });
    await settled(product, 'the comment taken in');
    // Typed, not yet submitted: the person's cell, nothing scored, nothing put back.
    expect(await review(r.id)).toMatchObject({ state: 'to_score' });
    expect(cell('reviews', r.recordId, '质检评语')).toBe(HOSTILE);
    await edit(r.inspector, 'reviews', r.recordId, { 提交评分: true });
    await waitFor(async () => (await review(r.id)).state !== 'to_score', 'the review scored', 60_000);
    await settled(product, 'the feedback sent');
    expect(await commentOf(r.id)).toBe(HOSTILE);

    const card = await feedbackTo(agent, r.no);
    expect(card.content).toContain('开场请先问候');
    expect(card.content).toContain('质检评语');
    // Escaped: no @all, no bold, no link reaches the agent's card.
    expect(card.content).not.toContain('<at id=all>');
    expect(card.content).not.toContain('**全员**');
    expect(card.content).not.toContain('](https://evil.example)');
    // The bot wrote nothing over the cell: it shows what the inspector typed.
    expect(cell('reviews', r.recordId, '质检评语')).toBe(HOSTILE);
    const dir = process.env.CARD_DUMP_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'qa-feedback-grid-comment.json'), JSON.stringify(JSON.parse(card.content), null, 2));
    }
  });

  it("a person's later edit of 质检评语 stays: told it is not sent again, never written over by the bot", async () => {
    const r = reviews[0]!;
    await edit(r.inspector, 'reviews', r.recordId, { 质检评语: '补充：注意语气' });
    expect((await dm(r.inspector, '只保存在多维表格中')).content).toContain(r.no);
    await settled(product, 'the edit taken');
    // The agent got the comment with the score: the review keeps it.
    expect(await commentOf(r.id)).toBe(HOSTILE);
    // A later bot write of the row: the agent acknowledges (确认时间 written) …
    const card = await feedbackTo(agent, r.no);
    const ack = buttons(JSON.parse(card.content)).find((b) => b.action === 'qa.ack')!;
    const res = await sandbox().actions.clickCard({
      operatorOpenId: agent,
      messageId: card.message_id,
      action: { tag: 'button', value: ack },
    });
    expect(res).toMatchObject({ ok: true, toast: { type: 'success' } });
    await waitFor(async () => !!cell('reviews', r.recordId, '确认时间'), '确认时间 written', 60_000);
    // … and the card path's own comment write for this review (as a card submit queues it).
    const { version } = await review(r.id);
    await product.deps.jobs.send('qa.effects', {
      reviewId: r.id,
      version,
      effects: [{ type: 'mirror', comment: true }],
    });
    await settled(product, 'the rows written again');
    expect(cell('reviews', r.recordId, '质检评语')).toBe('补充：注意语气');
  });

  it('a review scored on the card shows its comment in 质检评语 (written once, into the empty cell)', async () => {
    const r = reviews[1]!;
    expect(cell('reviews', r.recordId, '质检评语') ?? '').toBe('');
    const chat = sandbox().state.p2pChatOf(r.inspector)!.chat_id;
    const before = sandbox().state.messages({ chatId: chat, fromBot: true }).length;
    sandbox().actions.sendUserMessage({ userOpenId: r.inspector, chatId: chat, text: '质检' });
    const shown = await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: chat, fromBot: true })
          .slice(before)
          .find((m) => m.content.includes('qa.score')),
      'the scoring card',
      60_000,
    );
    const submit = buttons(JSON.parse(shown.content)).find((b) => b.action === 'qa.score' && b.accept === undefined)!;
    expect(Number(submit.reviewId)).toBe(r.id);
    const comment = '整体不错 <b>继续保持</b>';
    const res = await sandbox().actions.clickCard({
      operatorOpenId: r.inspector,
      messageId: shown.message_id,
      action: { tag: 'button', value: submit, form_value: { comment } },
    });
    expect(res).toMatchObject({ ok: true, toast: { type: 'success' } });
    await waitFor(async () => cell('reviews', r.recordId, '质检评语') === comment, 'the comment in the grid', 60_000);
    await settled(product, 'the rows written');
    expect(await commentOf(r.id)).toBe(comment);
    expect(cell('reviews', r.recordId, '质检评语')).toBe(comment);
  });
});
