import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { heldAnswer, LLM, LLM_ENV, openedPrescoresDone, prescoreOf as prescoreOfIn } from './llm-harness.js';
import { apiPost, buttons, click, conversation, qaApp, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const text = (card: unknown) => JSON.stringify(card);

// The help card's 下一条质检 from an empty queue makes a review on the spot and shows its card at once: the AI
// (LLM_* set, endpoint through nock) is asked on the queue, never in the callback, and the card is updated in place.
describe('the AI pre-score of a review opened from an empty queue', () => {
  let t: QaTestApp;
  let help = 0;
  const rows = async <T = Json>(sql: string, params: unknown[] = []) => (await t.database.query<T>(sql, params)).rows;

  /** A new conversation nobody reviewed, then 梁晨's click on the help card's 下一条质检 (message `om_help_n`). */
  async function openFromHelpCard(externalId: string) {
    const res = await apiPost(t, '/api/qa/conversations', { conversations: [conversation(externalId)] });
    expect(res.json()).toMatchObject({ created: 1 });
    const messageId = `om_help_${++help}`;
    const answer = await click(t, { action: 'qa.next' }, { openId: 'ou_insp_2', messageId });
    const card = answer.card as Json;
    const submit = buttons(card).find((b) => b.action === 'qa.score' && b.accept === undefined)!;
    const [r] = await rows<{ id: string }>(
      `select r.id from qa_reviews r join qa_conversations c on c.id = r.conversation_id where c.external_id = $1`,
      [externalId],
    );
    expect(Number(submit.reviewId)).toBe(Number(r!.id));
    return { id: Number(r!.id), messageId, card, accept: buttons(card).find((b) => b.accept === true)! };
  }
  const prescoreOf = (id: number) => prescoreOfIn(t, id);
  const jobsDone = () => openedPrescoresDone(t);

  beforeAll(async () => {
    t = await qaApp({ env: LLM_ENV });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('gets its pre-score after the card is shown: the card updated in place, escaped; accept takes it', async () => {
    // The endpoint answers only after the callback has returned: the click never waits for the model.
    const { scope, release } = heldAnswer({
      criteria: [{ code: 'ATT-02', points: 3, seq: 4, evidence: '已催', reason: '敷衍 <at id=all></at> **全员**' }],
    });
    const shown = await openFromHelpCard('OPEN-AI');
    expect(text(shown.card)).toContain('预检建议扣分');
    expect(text(shown.card)).not.toContain('AI 预评分建议');
    release();
    await waitFor(async () => t.feishu.patches(shown.messageId).length > 0, 'the card updated in place');
    expect(scope.isDone()).toBe(true);
    expect(await prescoreOf(shown.id)).toMatchObject({ status: 'ok', offered: true });

    const patched = t.feishu.patches(shown.messageId).at(-1)!.card;
    const s = text(patched);
    expect(s).toContain('AI 预评分建议');
    expect(s).toContain('预检建议扣分');
    expect(s).not.toContain('<at id=all>');
    expect(s).not.toContain('**全员**');
    const dir = process.env.CARD_DUMP_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'qa-score-ai-opened.json'), JSON.stringify(patched, null, 2));
    }

    // The card shown before the update: its accept names the old version, so it takes nothing unseen.
    const old = await click(t, shown.accept, { openId: 'ou_insp_2', messageId: shown.messageId });
    expect(old.toast).toMatchObject({ type: 'info' });
    expect(String((old.toast as Json).content)).toContain('卡片已更新');
    expect(await rows('select 1 from qa_review_items where review_id = $1', [shown.id])).toHaveLength(0);

    const accept = buttons(patched).find((b) => b.accept === true)!;
    expect((await click(t, accept, { openId: 'ou_insp_2', messageId: shown.messageId })).toast).toMatchObject({
      type: 'success',
    });
    await settle(t);
    const items = await rows<Json>('select code, points, from_suggestion from qa_review_items where review_id = $1', [
      shown.id,
    ]);
    expect(items.find((i) => i.code === 'ATT-02')).toMatchObject({ points: 3, from_suggestion: true });
  });

  it('endpoint down: recorded, the card left as shown, the review scored without it', async () => {
    nock(LLM).post('/v1/chat/completions').reply(503, 'upstream unavailable');
    const shown = await openFromHelpCard('OPEN-DOWN');
    await jobsDone();
    expect(await prescoreOf(shown.id)).toMatchObject({ status: 'failed', reason: 'http_5xx', offered: false });
    expect(t.feishu.patches(shown.messageId)).toHaveLength(0);
    expect((await click(t, shown.accept, { openId: 'ou_insp_2' })).toast).toMatchObject({ type: 'success' });
  });

  it('garbage answer: recorded, not retried, the card left as shown, the review scored without it', async () => {
    nock(LLM)
      .post('/v1/chat/completions')
      .reply(200, { choices: [{ message: { role: 'assistant', content: '这段对话整体不错，我给 90 分。' } }] });
    const shown = await openFromHelpCard('OPEN-PROSE');
    await jobsDone();
    expect(await prescoreOf(shown.id)).toMatchObject({ status: 'failed', reason: 'bad_json', attempts: 1 });
    expect(t.feishu.patches(shown.messageId)).toHaveLength(0);
    expect((await click(t, shown.accept, { openId: 'ou_insp_2' })).toast).toMatchObject({ type: 'success' });
  });
});
