import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { DEFAULT_SCORECARD } from '../../../src/domains/qa/logic/scorecard.js';
import { declareQaSettings } from '../../../src/domains/qa/settings/index.js';
import { waitFor } from '../../helpers/app.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const text = (card: unknown) => JSON.stringify(card);
describe('scoring a conversation in the card', () => {
  let t: QaTestApp;
  const review = async (id: number) =>
    (await t.database.query<Json>('select * from qa_reviews where id = $1', [id])).rows[0]!;
  const items = async (id: number) =>
    (
      await t.database.query<Json>(
        'select code, points, na, from_suggestion, quote, note from qa_review_items where review_id = $1 order by code',
        [id],
      )
    ).rows;

  beforeAll(async () => {
    t = await qaApp();
    await apiPost(t, '/api/qa/conversations', {
      conversations: [conversation('S1'), conversation('S2', {}, true), conversation('S3')],
    });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('an agent cannot open the scoring queue', async () => {
    const asked = await say(t, '质检', 'ou_agent_1');
    expect(text(t.feishu.replies(asked).at(-1)!.card)).toContain('只有质检员');
  });

  it('质检 shows the next conversation with pre-checks and criteria; accepting all suggestions: one click', async () => {
    const asked = await say(t, '质检', 'ou_insp_1');
    const card = t.feishu.replies(asked).at(-1)!.card;
    const s = text(card);
    expect(s).toContain('我的快递到哪了'); // the transcript
    expect(s).toContain('首次响应'); // a pre-check with its quote
    expect(s).toContain('m_ATT-01'); // a criterion's select
    const accept = buttons(card).find((b) => b.accept === true)!;
    expect(accept).toMatchObject({ action: 'qa.score', version: 1 });
    const id = Number(accept.reviewId);
    expect((await review(id)).opened_at).not.toBeNull();

    t.clock.current = new Date(t.clock.current.getTime() + 95_000);
    const res = await click(t, accept, {
      openId: 'ou_insp_1',
      formValue: { 'n_PRO-01': '首次响应超过 6 分钟', comment: '注意响应速度' },
    });
    expect(res.toast).toMatchObject({ type: 'success' });
    expect(text(res.card)).toContain('已评分');
    await settle(t);
    const r = await review(id);
    // PRO-01 -5 of 5 (weight 15), ATT-01 -1 of 2 (weight 10 → 5): 100 − 15 − 5 = 80 → pass. Scored, then the feedback
    // went out.
    expect(r).toMatchObject({
      state: 'feedback_sent',
      score: 80,
      result: 'pass',
      seconds_spent: 95,
      scorecard_version: 1,
      version: 3,
    });
    const marks = await items(id);
    expect(marks.find((m) => m.code === 'PRO-01')).toMatchObject({
      points: 5,
      from_suggestion: true,
      quote: '我的快递到哪了',
      note: '首次响应超过 6 分钟',
    });
    expect(marks.find((m) => m.code === 'ATT-02')).toMatchObject({ points: 0, quote: null });
    await settle(t);
    expect(t.mirrored).toContain(id);

    // A double click or Feishu's retry: nothing changes twice.
    const again = await click(t, accept, { openId: 'ou_insp_1' });
    expect(again.toast).toMatchObject({ type: 'info' });
    expect((await review(id)).version).toBe(3);
    expect(await items(id)).toHaveLength(marks.length);
  });

  it('marks from the form: N/A rescales; bad marks are refused naming the criterion, nothing stored', async () => {
    const next = await click(t, { action: 'qa.next' }, { openId: 'ou_insp_1' });
    const submit = buttons(next.card).find((b) => b.action === 'qa.score' && b.accept === undefined)!;
    const id = Number(submit.reviewId);
    const refused = await click(t, submit, { openId: 'ou_insp_1', formValue: { 'm_ATT-01': 'na' } });
    expect(refused.toast).toMatchObject({ type: 'error', content: expect.stringContaining('不适用') });
    expect((await review(id)).state).toBe('to_score');
    const other = await click(t, submit, { openId: 'ou_insp_2', formValue: {} });
    expect(other.toast).toMatchObject({ type: 'error', content: expect.stringContaining('其他质检员') });
    const ok = await click(t, submit, { openId: 'ou_insp_1', formValue: { 'm_ACC-01': 'na', 'm_PRO-02': '5' } });
    expect(ok.toast).toMatchObject({ type: 'success' });
    // ACC-01 (25) N/A; PRO-02 −15 of the remaining 75 → 80.
    expect(await review(id)).toMatchObject({ score: 80, result: 'pass' });
  });

  it('a scorecard published mid-review: the open review keeps its version, the next one gets the new', async () => {
    const asked = await say(t, '质检', 'ou_insp_2');
    const accept = buttons(t.feishu.replies(asked).at(-1)!.card).find((b) => b.accept === true)!;
    const store = new SettingsStore({ database: t.database, log: t.log });
    const settings = declareQaSettings(settingsHost(store, 'qa'));
    const criteria = DEFAULT_SCORECARD.criteria.map((c) =>
      c.code === 'PRO-01'
        ? { ...c, weight: 30 }
        : c.code === 'COM-02'
          ? { ...c, weight: 5 }
          : c.code === 'ATT-02'
            ? { ...c, weight: 5 }
            : c,
    );
    await store.save(settings.scorecard.key, { criteria }, 'test');
    await waitFor(
      async () =>
        (await apiPost(t, '/api/qa/scorecard/publish', { by: 'ou_qa_lead' })).json().version === 2 || undefined,
      'version 2 published',
    );
    await click(t, accept, { openId: 'ou_insp_2' });
    const r = await review(Number(accept.reviewId));
    expect(r).toMatchObject({ scorecard_version: 1, score: 80 });
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation('S4')] });
    const again = await say(t, '质检', 'ou_insp_2');
    const next = buttons(t.feishu.replies(again).at(-1)!.card).find((b) => b.accept === true)!;
    expect((await review(Number(next.reviewId))).scorecard_version).toBe(2);
  });

  it('nothing left: a friendly card', async () => {
    await say(t, '质检', 'ou_qa_lead');
    const asked = await say(t, '质检', 'ou_insp_1');
    expect(text(t.feishu.replies(asked).at(-1)!.card)).toContain('没有待质检');
  });

  it('the help card has a 下一条质检 button: an inspector gets a conversation to score, an agent the refusal', async () => {
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation('S9')] });
    const asked = await say(t, '帮助', 'ou_insp_1');
    const help = t.feishu.replies(asked).at(-1)!.card;
    expect(buttons(help)).toContainEqual({ action: 'qa.next' });
    expect(text(help)).toContain('下一条质检 Next review');
    const opened = await click(t, { action: 'qa.next' }, { openId: 'ou_insp_1' });
    expect(text(opened.card)).toContain('m_ATT-01'); // a criterion's select: the scoring card
    const refused = await click(t, { action: 'qa.next' }, { openId: 'ou_agent_1' });
    expect(text(refused)).toContain('只有质检员');
  });
});
