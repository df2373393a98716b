import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { heldAnswer, LLM, LLM_ENV, openedPrescoresDone, prescoreOf as prescoreOfIn } from './llm-harness.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const text = (card: unknown) => JSON.stringify(card);

// The chat command 质检 answers with the scoring card as a reply; the core gives the reply's message id, so the AI
// pre-score (LLM_* set, endpoint through nock) is queued at once and its answer updates that same message in place
// (Feishu through nock: the PATCH on the reply's message id), exactly as for the help card's 下一条质检.
describe('the AI pre-score of a review opened with the chat command 质检', () => {
  let t: QaTestApp;
  const rows = async <T = Json>(sql: string, params: unknown[] = []) => (await t.database.query<T>(sql, params)).rows;

  /** A new conversation nobody reviewed, then 梁晨 sends 质检: the reply carrying its scoring card. */
  async function openFromChat(externalId: string) {
    const res = await apiPost(t, '/api/qa/conversations', { conversations: [conversation(externalId)] });
    expect(res.json()).toMatchObject({ created: 1 });
    const asked = await say(t, '质检', 'ou_insp_2');
    const [reply] = t.feishu.replies(asked);
    expect(reply).toBeDefined();
    const [r] = await rows<{ id: string; card_message_id: string | null }>(
      `select r.id, r.card_message_id from qa_reviews r join qa_conversations c on c.id = r.conversation_id
        where c.external_id = $1`,
      [externalId],
    );
    const submit = buttons(reply!.card).find((b) => b.action === 'qa.score' && b.accept === undefined)!;
    expect(Number(submit.reviewId)).toBe(Number(r!.id));
    // The reply's own id (Feishu's data.message_id) is the message the review's card lives in.
    expect(r!.card_message_id).toBe(reply!.messageId);
    return {
      id: Number(r!.id),
      messageId: reply!.messageId,
      card: reply!.card,
      accept: buttons(reply!.card).find((b) => b.accept === true)!,
    };
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

  it('queues the pre-score once the reply is sent; the answer updates that same message, escaped', async () => {
    const { scope, release } = heldAnswer({
      criteria: [{ code: 'ATT-02', points: 3, seq: 4, evidence: '已催', reason: '敷衍 <at id=all></at> **全员**' }],
    });
    const shown = await openFromChat('CHAT-AI');
    expect(text(shown.card)).toContain('预检建议扣分');
    expect(text(shown.card)).not.toContain('AI 预评分建议');
    // Queued on the chat path (not left to the minute's run): the job is there before the model answers.
    const [queued] = await rows<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'qa.ai-prescore-opened' and data->>'reviewId' = $1`,
      [String(shown.id)],
    );
    expect(queued!.n).toBe(1);
    release();
    await waitFor(async () => t.feishu.patches(shown.messageId).length > 0, 'the reply updated in place');
    expect(scope.isDone()).toBe(true);
    expect(await prescoreOf(shown.id)).toMatchObject({ status: 'ok', offered: true });
    // Only the reply was patched: no other message got the card.
    expect(t.feishu.sent.filter((s) => s.kind === 'patch').map((s) => s.to)).toEqual([shown.messageId]);

    const patched = t.feishu.patches(shown.messageId).at(-1)!.card;
    const s = text(patched);
    expect(s).toContain('AI 预评分建议');
    expect(s).not.toContain('<at id=all>');
    expect(s).not.toContain('**全员**');
    const dir = process.env.CARD_DUMP_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'qa-score-ai-chat.json'), JSON.stringify(patched, null, 2));
    }

    // The reply as first shown names the old version: its accept takes nothing it did not show.
    const old = await click(t, shown.accept, { openId: 'ou_insp_2', messageId: shown.messageId });
    expect(String((old.toast as Json).content)).toContain('卡片已更新');
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

  it('LLM 500: the failure recorded, the reply left as shown, the review scored from it', async () => {
    nock(LLM).post('/v1/chat/completions').reply(500, 'internal error');
    const shown = await openFromChat('CHAT-DOWN');
    await jobsDone();
    expect(await prescoreOf(shown.id)).toMatchObject({ status: 'failed', reason: 'http_5xx', offered: false });
    expect(t.feishu.patches(shown.messageId)).toHaveLength(0);
    expect((await click(t, shown.accept, { openId: 'ou_insp_2', messageId: shown.messageId })).toast).toMatchObject({
      type: 'success',
    });
    const [r] = await rows<{ state: string }>('select state from qa_reviews where id = $1', [shown.id]);
    expect(r!.state).toBe('scored');
  });
});
