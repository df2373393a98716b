import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

const text = (card: unknown) => JSON.stringify(card);

// Issue 10 §8: a deduction carries a root cause from the QA lead's list (qa.root_causes); the inspector picks it in
// the scoring card, the agent sees it beside the deduction, reports count it per team / channel / criterion.
describe('root causes of deductions', () => {
  let t: QaTestApp;
  const items = async (reviewId: number) =>
    (
      await t.database.query<{ code: string; points: number; root_cause: string | null }>(
        'select code, points, root_cause from qa_review_items where review_id = $1 and points > 0 order by code',
        [reviewId],
      )
    ).rows;
  const scoringCard = async (who: string) => {
    const asked = await say(t, '质检', who);
    const card = t.feishu.replies(asked).at(-1)!.card;
    const accept = buttons(card).find((b) => b.accept === true)!;
    return { card, accept, id: Number(accept.reviewId) };
  };

  beforeAll(async () => {
    t = await qaApp();
    await apiPost(t, '/api/qa/conversations', {
      conversations: [
        conversation('RC1'),
        conversation('RC2'),
        conversation('RC3', { channel: 'jd', agent: 'ou_agent_2' }),
      ],
    });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('card → stored cause → the agent’s feedback card shows it → 质检报告 and the dashboard count it', async () => {
    const { card, accept, id } = await scoringCard('ou_insp_1');
    // A select per suggested deduction, its options the QA lead's list.
    const s = text(card);
    expect(s).toContain('r_PRO-01');
    expect(s).toContain('根因 Root cause');
    expect(s).toContain('系统/工具');
    const res = await click(t, accept, {
      openId: 'ou_insp_1',
      formValue: { 'r_PRO-01': 'script', 'n_PRO-01': '回复太慢' },
    });
    expect(res.toast).toMatchObject({ type: 'success' });
    expect(text(res.card)).toContain('根因 Root cause：话术');
    await settle(t);
    const marks = await items(id);
    expect(marks.find((m) => m.code === 'PRO-01')).toMatchObject({ root_cause: 'script' });
    // Deductions the inspector gave no cause keep none.
    expect(marks.filter((m) => m.code !== 'PRO-01').every((m) => m.root_cause === null)).toBe(true);

    const dm = t.feishu.to('ou_agent_1').at(-1)!;
    expect(text(dm.card)).toContain('根因 Root cause：话术');

    // A second conversation of 小王's: 流程; 小李's (京东): no cause given.
    const second = await scoringCard('ou_insp_1');
    await click(t, second.accept, { openId: 'ou_insp_1', formValue: { 'r_PRO-01': 'process' } });
    const third = await scoringCard('ou_insp_2');
    await click(t, third.accept, { openId: 'ou_insp_2', formValue: {} });
    await settle(t);

    const cookie = await signInAs(t, 'ou_qa_lead');
    const summary = await dashboardGet(t, '/api/dashboard/qa/root-causes?days=30', cookie);
    expect(summary.statusCode, summary.body).toBe(200);
    const rc = summary.json();
    const deductions = (
      await t.database.query<{ n: number }>('select count(*)::int as n from qa_review_items where points > 0')
    ).rows[0]!.n;
    expect(rc).toMatchObject({ deductions, tagged: 2 });
    expect(rc.byCause).toContainEqual({ key: 'script', name: '话术', count: 1, share: 1 / deductions });
    expect(rc.byCause).toContainEqual({ key: 'process', name: '流程', count: 1, share: 1 / deductions });
    const tmall = rc.byChannel.find((g: { key: string }) => g.key === 'tmall');
    expect(tmall.causes.map((c: { key: string }) => c.key)).toEqual(expect.arrayContaining(['script', 'process']));
    const jd = rc.byChannel.find((g: { key: string }) => g.key === 'jd');
    expect(jd.causes).toEqual([expect.objectContaining({ key: '', count: jd.deductions, share: 1 })]);
    expect(rc.byTeam.find((g: { key: string }) => g.key === 'cs_tmall').causes).toContainEqual(
      expect.objectContaining({ key: 'script', count: 1 }),
    );
    expect(rc.byItem.find((g: { code: string }) => g.code === 'PRO-01')).toMatchObject({
      version: 1,
      name: expect.any(String),
    });

    // A team lead's view is their teams' only: 京东组's lead sees no cause given.
    const leadCookie = await signInAs(t, 'ou_lead_jd');
    const lead = await dashboardGet(t, '/api/dashboard/qa/root-causes?days=30', leadCookie);
    expect(lead.json()).toMatchObject({ level: 'team', tagged: 0 });
    // The same reach as the summary: another team's agent is refused, no session is 401.
    const other = await dashboardGet(t, '/api/dashboard/qa/root-causes?agent=ou_agent_1', leadCookie);
    expect(other.statusCode).toBe(403);
    expect((await dashboardGet(t, '/api/dashboard/qa/root-causes', null)).statusCode).toBe(401);

    const asked = await say(t, '质检报告', 'ou_qa_lead');
    const report = text(t.feishu.replies(asked).at(-1)!.card);
    expect(report).toContain('扣分根因 Root causes');
    expect(report).toContain('话术 1');
    expect(report).toContain('流程 1');
  });

  it('an unknown cause from the card is refused naming the criterion; nothing is scored', async () => {
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation('RC4')] });
    const { accept, id } = await scoringCard('ou_insp_1');
    const refused = await click(t, accept, { openId: 'ou_insp_1', formValue: { 'r_PRO-01': 'bogus' } });
    expect(refused.toast).toMatchObject({ type: 'error', content: expect.stringContaining('未知的根因') });
    expect(await items(id)).toEqual([]);
    // A cause on a criterion left at 0 explains nothing: dropped, the scoring goes on.
    const ok = await click(t, accept, { openId: 'ou_insp_1', formValue: { 'r_ATT-02': 'attitude' } });
    expect(ok.toast).toMatchObject({ type: 'success' });
    expect((await items(id)).some((m) => m.root_cause === 'attitude')).toBe(false);
  });
});
