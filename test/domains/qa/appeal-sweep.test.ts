import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEISHU_URL } from '../../helpers/app.js';
import { waitFor } from '../../helpers/app.js';
import { feishuRecorder } from '../exceptions/helpers.js';
import { apiPost, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const DAY = 86_400_000;
const HOUR = 3_600_000;

function button(card: unknown, action: string, extra: Json = {}): Json {
  const out: Json[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Json;
      if (o.tag === 'button') for (const b of (o.behaviors as Json[]) ?? []) out.push(b.value as Json);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out.find((b) => b.action === action && Object.entries(extra).every(([k, v]) => b[k] === v))!;
}

describe('the appeal deadline sweep (scheduled hourly)', () => {
  let t: QaTestApp;
  const appealOf = async (reviewId: number) =>
    (await t.database.query<Json>('select * from qa_appeals where review_id = $1', [reviewId])).rows[0]!;
  const decisionCards = (openId: string, no: string) =>
    t.feishu.to(openId).filter((s) => JSON.stringify(s.card).includes(`申诉 ${no}`));

  /** The scheduled run at `at` through the real queue (slot claimed, job run), then its follow-ups. */
  async function tick(at: Date) {
    t.clock.current = at;
    expect(await t.deps.jobs.tick('qa.appeal-deadlines', at)).toBe(true);
    await waitFor(async () => {
      t.deps.jobs.notify('schedule.qa.appeal-deadlines');
      const { rows } = await t.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'schedule.qa.appeal-deadlines'
           and state in ('created', 'retry', 'active')`,
      );
      return rows[0]?.n === 0;
    }, 'appeal sweep');
    await settle(t);
  }

  /** Scores the next conversation, the agent appeals it; returns the review id and appeal number. */
  async function appealed(): Promise<{ id: number; no: string; submittedAt: Date }> {
    await settle(t);
    const asked = await say(t, '质检', 'ou_insp_1');
    const accept = button(t.feishu.replies(asked).at(-1)!.card, 'qa.score', { accept: true });
    await click(t, accept, { openId: 'ou_insp_1', formValue: {} });
    await settle(t);
    const feedback = t.feishu.to('ou_agent_1').at(-1)!.card;
    const form = await click(t, button(feedback, 'qa.appeal-form'), { openId: 'ou_agent_1' });
    const sent = await click(t, button(form.card, 'qa.appeal'), {
      openId: 'ou_agent_1',
      formValue: { reason: '客户先发了图片' },
    });
    expect(sent.toast).toMatchObject({ type: 'success' });
    await settle(t);
    const id = Number(accept.reviewId);
    const a = await appealOf(id);
    return { id, no: `SS${String(a.id).padStart(6, '0')}`, submittedAt: new Date(String(a.submitted_at)) };
  }

  beforeAll(async () => {
    t = await qaApp();
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: ['S1', 'S2', 'S3', 'S4'].map((id) => conversation(id)),
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('nothing before the deadline; past it the team-lead step passes to the QA lead once, with the card', async () => {
    const { id, no, submittedAt } = await appealed();
    expect(decisionCards('ou_lead_tm', no)).toHaveLength(1);

    await tick(new Date(submittedAt.getTime() + 6 * DAY));
    expect(await appealOf(id)).toMatchObject({ state: 'open', step: 'team_lead', version: 1 });
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(0);

    await tick(new Date(submittedAt.getTime() + 7 * DAY + HOUR));
    const moved = await appealOf(id);
    expect(moved).toMatchObject({ state: 'open', step: 'qa_lead', version: 2 });
    expect(new Date(String(moved.step_due_at)).getTime()).toBe(submittedAt.getTime() + 14 * DAY + HOUR);
    const qaCards = decisionCards('ou_qa_lead', no);
    expect(qaCards).toHaveLength(1);
    expect(JSON.stringify(qaCards[0]!.card)).toContain('质检主管');
    // The escalation is in the audit trail, and the team lead is told why it left them.
    const { rows } = await t.database.query<Json>(
      'select step, decision, by_open_id from qa_appeal_decisions where appeal_id = $1',
      [moved.id],
    );
    expect(rows).toEqual([{ step: 'team_lead', decision: 'expired', by_open_id: 'system' }]);

    // The next hour's run changes nothing and sends nothing again.
    await tick(new Date(submittedAt.getTime() + 7 * DAY + 2 * HOUR));
    expect(await appealOf(id)).toMatchObject({ step: 'qa_lead', version: 2 });
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(1);

    // The team lead's old card is refused as outdated; the QA lead decides.
    const late = await click(t, button(decisionCards('ou_lead_tm', no)[0]!.card, 'qa.decide', { decision: 'uphold' }), {
      openId: 'ou_lead_tm',
      formValue: { reason: '维持' },
    });
    expect(late.toast).toMatchObject({ type: 'info' });
    const decided = await click(t, button(qaCards[0]!.card, 'qa.decide', { decision: 'uphold' }), {
      openId: 'ou_qa_lead',
      formValue: { reason: '扣分合理' },
    });
    expect(decided.toast).toMatchObject({ type: 'success' });
    expect(await appealOf(id)).toMatchObject({ state: 'upheld' });
  });

  it('an overdue QA-lead step is reminded once a day until decided, then never again', async () => {
    const { id, no, submittedAt } = await appealed();
    await tick(new Date(submittedAt.getTime() + 7 * DAY + HOUR)); // → QA lead, due 7 days later
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(1);
    const due = new Date(String((await appealOf(id)).step_due_at)).getTime();

    await tick(new Date(due - HOUR));
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(1);
    await tick(new Date(due + HOUR));
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(2);
    expect((await appealOf(id)).last_reminder_at).not.toBeNull();
    await tick(new Date(due + 5 * HOUR));
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(2);
    await tick(new Date(due + DAY + HOUR));
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(3);

    const card = decisionCards('ou_qa_lead', no).at(-1)!.card;
    await click(t, button(card, 'qa.decide', { decision: 'overturn' }), {
      openId: 'ou_qa_lead',
      formValue: { reason: '改判' },
    });
    expect(await appealOf(id)).toMatchObject({ state: 'overturned' });
    await tick(new Date(due + 3 * DAY));
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(3);
  });

  it('a reminder Feishu refuses once is still delivered when the follow-up is retried', async () => {
    const { id, no, submittedAt } = await appealed();
    await tick(new Date(submittedAt.getTime() + 7 * DAY + HOUR));
    const due = new Date(String((await appealOf(id)).step_due_at)).getTime();
    expect(decisionCards('ou_qa_lead', no)).toHaveLength(1);

    // Feishu answers the next message send with an error, then works again.
    const before = t.feishu.sent.slice();
    nock.cleanAll();
    nock(FEISHU_URL)
      .post(/\/open-apis\/im\/v1\/messages(\?.*)?$/)
      .reply(200, { code: 230001, msg: 'param is invalid' });
    t.feishu = feishuRecorder();
    t.feishu.sent.push(...before);

    await tick(new Date(due + HOUR));
    await waitFor(async () => decisionCards('ou_qa_lead', no).length === 2, 'the retried reminder');
    expect((await appealOf(id)).last_reminder_at).not.toBeNull();
  });
});
