import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const text = (card: unknown) => JSON.stringify(card);
const button = (card: unknown, action: string, extra: Json = {}) =>
  buttons(card).find((b) => b.action === action && Object.entries(extra).every(([k, v]) => b[k] === v))!;

describe('feedback to the agent, acknowledgement and appeals', () => {
  let t: QaTestApp;
  const review = async (id: number) =>
    (await t.database.query<Json>('select * from qa_reviews where id = $1', [id])).rows[0]!;
  const appealOf = async (reviewId: number) =>
    (await t.database.query<Json>('select * from qa_appeals where review_id = $1', [reviewId])).rows[0]!;

  /** Scores the next conversation (accept all suggestions) and returns the agent's feedback card. */
  async function scoredFeedback(inspector = 'ou_insp_1', note = '首次响应太慢') {
    await settle(t);
    const asked = await say(t, '质检', inspector);
    const accept = button(t.feishu.replies(asked).at(-1)!.card, 'qa.score', { accept: true });
    await click(t, accept, { openId: inspector, formValue: { 'n_PRO-01': note, comment: '<at id=all></at> 注意' } });
    await settle(t);
    const dm = t.feishu.to('ou_agent_1').at(-1)!;
    return { id: Number(accept.reviewId), card: dm.card, messageId: dm.messageId };
  }

  beforeAll(async () => {
    t = await qaApp();
    await apiPost(t, '/api/qa/conversations', {
      conversations: ['F1', 'F2', 'F3', 'F4', 'F5'].map((id) => conversation(id)),
    });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('the agent gets a DM (never a group): score, each deduction with note and quote, advice; 确认 once', async () => {
    const { id, card } = await scoredFeedback();
    expect(t.feishu.sent.filter((s) => s.to.startsWith('oc_'))).toEqual([]);
    const s = text(card);
    expect(s).toContain('80');
    expect(s).toContain('首次响应太慢');
    expect(s).toContain('我的快递到哪了'); // the quoted message
    expect(s).toContain('改进建议');
    expect(s).not.toContain('<at id=all>'); // the comment is escaped
    expect(await review(id)).toMatchObject({ state: 'feedback_sent', version: 3 });

    const ack = button(card, 'qa.ack');
    const stranger = await click(t, ack, { openId: 'ou_agent_2' });
    expect(stranger.toast).toMatchObject({ type: 'error', content: expect.stringContaining('本人') });
    const done = await click(t, ack, { openId: 'ou_agent_1' });
    expect(done.toast).toMatchObject({ type: 'success' });
    expect(buttons(done.card)).toEqual([]);
    const again = await click(t, ack, { openId: 'ou_agent_1' });
    expect(again.toast).toMatchObject({ type: 'info' });
    expect(await review(id)).toMatchObject({ state: 'acknowledged', version: 4 });
    expect(button(card, 'qa.appeal-form')).toBeDefined();
    expect((await click(t, button(card, 'qa.appeal-form'), { openId: 'ou_agent_1' })).toast).toMatchObject({
      type: 'info',
    });
  });

  it("appeal → team lead → QA lead: only the step's role decides, with reason; one of two wins; rescored", async () => {
    const { id, card } = await scoredFeedback();
    const form = await click(t, button(card, 'qa.appeal-form'), { openId: 'ou_agent_1' });
    expect(text(form.card)).toContain('p_PRO-01');
    const submit = button(form.card, 'qa.appeal');
    expect((await click(t, submit, { openId: 'ou_agent_2', formValue: { reason: '不是我' } })).toast).toMatchObject({
      type: 'error',
    });
    expect((await click(t, submit, { openId: 'ou_agent_1', formValue: { 'p_PRO-01': '1' } })).toast).toMatchObject({
      type: 'error',
      content: expect.stringContaining('理由'),
    });
    expect(
      (
        await click(t, submit, {
          openId: 'ou_agent_1',
          formValue: { 'p_PRO-01': '1', reason: '客户先发了图片，系统延迟' },
        })
      ).toast,
    ).toMatchObject({ type: 'success' });
    expect(
      (await click(t, submit, { openId: 'ou_agent_1', formValue: { 'p_PRO-01': '1', reason: '再来' } })).toast,
    ).toMatchObject({ type: 'info' });
    await settle(t);
    const appeal = await appealOf(id);
    expect(appeal).toMatchObject({ state: 'open', step: 'team_lead', original_score: 80 });
    expect(await review(id)).toMatchObject({ state: 'appealed' });

    // The team lead of the agent's team (天猫) gets the decision card; the QA lead cannot decide this step.
    const leadCard = t.feishu.to('ou_lead_tm').at(-1)!.card;
    const overturn = button(leadCard, 'qa.decide', { decision: 'overturn' });
    expect((await click(t, overturn, { openId: 'ou_qa_lead', formValue: { reason: '同意' } })).toast).toMatchObject({
      type: 'error',
      content: expect.stringContaining('组长'),
    });
    expect((await click(t, overturn, { openId: 'ou_lead_tm', formValue: {} })).toast).toMatchObject({
      type: 'error',
      content: expect.stringContaining('理由'),
    });
    expect(
      (await click(t, overturn, { openId: 'ou_lead_tm', formValue: { reason: '系统日志显示延迟' } })).toast,
    ).toMatchObject({ type: 'success' });
    await settle(t);
    expect(await appealOf(id)).toMatchObject({ state: 'open', step: 'qa_lead' });

    // Two QA leads click at once: one decision stands.
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_qa_lead_2', name: '副主管', teams: ['qa'], roles: ['qa_inspector', 'lead'] },
    ]);
    const qaCard = t.feishu.to('ou_qa_lead').at(-1)!.card;
    expect(text(qaCard)).toContain('系统日志显示延迟'); // the earlier step is shown
    const [a, b] = await Promise.all([
      click(t, button(qaCard, 'qa.decide', { decision: 'overturn' }), {
        openId: 'ou_qa_lead',
        formValue: { reason: '改判' },
      }),
      click(t, button(qaCard, 'qa.decide', { decision: 'uphold' }), {
        openId: 'ou_qa_lead_2',
        formValue: { reason: '维持' },
      }),
    ]);
    expect([a.toast?.type, b.toast?.type].sort()).toEqual(['info', 'success']);
    const { rows } = await t.database.query<Json>(
      'select step, decision, by_open_id, reason from qa_appeal_decisions where appeal_id = $1 order by id',
      [appeal.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ step: 'team_lead', decision: 'overturn', by_open_id: 'ou_lead_tm' });
    const final = await appealOf(id);
    const r = await review(id);
    if (rows[1]!.decision === 'overturn') {
      // PRO-01 −1 instead of −5 (weight 15): 100 − 3 − 5 = 92.
      expect(final).toMatchObject({ state: 'overturned', revised_score: 92 });
      expect(r).toMatchObject({ state: 'closed', score: 92 });
    } else {
      expect(final).toMatchObject({ state: 'upheld', revised_score: 80 });
      expect(r).toMatchObject({ state: 'closed', score: 80 });
    }
    await settle(t);
    expect(t.feishu.patches(String(r.feedback_message_id)).length).toBeGreaterThan(0);
  });

  it("the team lead's 维持 ends it; an appeal after the window is refused", async () => {
    const { id, card } = await scoredFeedback();
    const form = await click(t, button(card, 'qa.appeal-form'), { openId: 'ou_agent_1' });
    await click(t, button(form.card, 'qa.appeal'), { openId: 'ou_agent_1', formValue: { reason: '理由' } });
    await settle(t);
    const uphold = button(t.feishu.to('ou_lead_tm').at(-1)!.card, 'qa.decide', { decision: 'uphold' });
    await click(t, uphold, { openId: 'ou_lead_tm', formValue: { reason: '扣分合理' } });
    expect(await appealOf(id)).toMatchObject({ state: 'upheld', revised_score: 80 });

    const late = await scoredFeedback();
    t.clock.current = new Date(t.clock.current.getTime() + 8 * 86_400_000);
    const refused = await click(t, button(late.card, 'qa.appeal-form'), { openId: 'ou_agent_1' });
    expect(refused.toast).toMatchObject({ type: 'error', content: expect.stringContaining('申诉期已过') });
  });
});
