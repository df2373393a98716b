import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { messageEvent, signed } from '../../helpers/events.js';
import { apiPost, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const text = (card: unknown) => JSON.stringify(card);

function acceptButton(card: unknown): Json {
  let found: Json | undefined;
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Json;
      if (o.tag === 'button')
        for (const b of (o.behaviors as Json[]) ?? []) if ((b.value as Json)?.accept === true) found = b.value as Json;
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found!;
}

describe('QA results: rollups, 我的质检, 质检报告 and the dashboard tab', () => {
  let t: QaTestApp;
  const summary = async (openId: string | null, query = 'days=30') => {
    const cookie = openId ? await signInAs(t, openId) : null;
    return dashboardGet(t, `/api/dashboard/qa/summary?${query}`, cookie);
  };
  /** A message in a group chat (the bot @mentioned), processed. */
  async function sayInGroup(words: string, openId: string): Promise<void> {
    const event = messageEvent(words, { openId, chatType: 'group' });
    await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      ...signed(event, { timestamp: Math.floor(t.deps.clock.now().getTime() / 1000) }),
    });
    await waitFor(async () => {
      const { rows } = await t.database.query<{ status: string }>(
        'select status from lark_events where event_id = $1',
        [event.header.event_id],
      );
      return rows[0]?.status === 'done';
    }, 'group message');
  }

  beforeAll(async () => {
    t = await qaApp();
    // 小王 (天猫组): two conversations with a slow first reply (80 with every suggestion); 小李 (京东组): one clean (100).
    await apiPost(t, '/api/qa/conversations', {
      conversations: [
        conversation('R1'),
        conversation('R2'),
        conversation('R3', { channel: 'jd', agent: 'ou_agent_2' }, true),
      ],
    });
    for (let i = 0; i < 3; i++) {
      await settle(t);
      const asked = await say(t, '质检', 'ou_insp_1');
      await click(t, acceptButton(t.feishu.replies(asked).at(-1)!.card), { openId: 'ou_insp_1', formValue: {} });
    }
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('the QA lead and a manager see every team; averages per agent, team, channel and criterion', async () => {
    for (const who of ['ou_qa_lead', 'ou_mgr']) {
      const res = await summary(who);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json();
      expect(r.level).toBe('all');
      expect(r.totals).toMatchObject({
        reviews: 3,
        avgScore: expect.closeTo(86.67, 1),
        passRate: 1, // 80 is the pass mark
      });
      const by = (list: Json[]) => Object.fromEntries(list.map((x) => [x.name, x.avgScore]));
      expect(by(r.byAgent)).toEqual({ 小王: 80, 小李: 100 });
      expect(by(r.byTeam)).toEqual({ 天猫客服组: 80, 京东客服组: 100 });
      expect(by(r.byChannel)).toEqual({ 天猫: 80, 京东: 100 });
      expect(r.byInspector).toEqual([expect.objectContaining({ name: '徐静', reviews: 3 })]);
      const first = r.byItem.find((i: Json) => i.code === 'PRO-01');
      expect(first).toMatchObject({ version: 1, reviews: 3, deductionRate: expect.closeTo(2 / 3, 3) });
      // Training needs: 小王 was deducted on PRO-01 in both reviews (≥ 2, the default repeat); 小李 never.
      expect(r.training.repeat).toBe(2);
      const pro = r.training.groups.find((g: Json) => g.code === 'PRO-01');
      expect(pro).toMatchObject({ version: 1, agents: [{ key: 'ou_agent_1', name: '小王', deducted: 2, reviews: 2 }] });
      for (const g of r.training.groups) expect(g.agents.map((a: Json) => a.name)).not.toContain('小李');
    }
    const jd = (await summary('ou_qa_lead', 'days=30&channel=jd')).json();
    expect(jd.totals).toMatchObject({ reviews: 1, avgScore: 100 });
  });

  it('a lead sees their team only (others refused); an agent their own; an inspector what they scored', async () => {
    const lead = (await summary('ou_lead_tm')).json();
    expect(lead.level).toBe('team');
    expect(lead.byAgent.map((a: Json) => a.name)).toEqual(['小王']);
    expect((await summary('ou_lead_tm', 'days=30&team=cs_jd')).statusCode).toBe(403);
    expect((await summary('ou_lead_tm', 'days=30&agent=ou_agent_2')).statusCode).toBe(403);

    const agent = (await summary('ou_agent_2')).json();
    expect(agent.level).toBe('own');
    expect(agent.totals).toMatchObject({ reviews: 1, avgScore: 100 });
    expect(agent.byAgent.map((a: Json) => a.name)).toEqual(['小李']);
    expect((await summary('ou_agent_2', 'days=30&agent=ou_agent_1')).statusCode).toBe(403);
    expect((await summary('ou_agent_2', 'days=30&team=cs_jd')).statusCode).toBe(403);

    expect((await summary('ou_insp_1')).json().totals).toMatchObject({ reviews: 3 });
    expect((await summary('ou_insp_2')).json().totals).toBeNull();

    expect((await summary(null)).statusCode).toBe(401);
    expect((await summary('ou_qa_lead', 'days=abc')).statusCode).toBe(400);
  });

  it('我的质检 shows the agent their own results; asked in a group it goes by DM, the group sees no score', async () => {
    const asked = await say(t, '我的质检', 'ou_agent_1');
    const card = text(t.feishu.replies(asked).at(-1)!.card);
    expect(card).toContain('我的质检');
    expect(card).toContain('80.0');
    expect(card).toMatch(/QA0000\d\d/);
    expect(card).not.toContain('100.0'); // 小李's result is not theirs

    const before = t.feishu.to('ou_agent_2').length;
    await sayInGroup('我的质检', 'ou_agent_2');
    await waitFor(async () => t.feishu.to('ou_agent_2').length > before, 'the DM');
    expect(text(t.feishu.to('ou_agent_2').at(-1)!.card)).toContain('100.0');
    const inGroup = t.feishu.sent.filter((s) => s.kind === 'reply' && text(s.card).includes('私信'));
    expect(inGroup.length).toBeGreaterThan(0);
    for (const s of t.feishu.sent.filter((x) => x.kind !== 'send' || x.to.startsWith('oc_')))
      if (text(s.card).includes('私信')) expect(text(s.card)).not.toContain('100.0');
  });

  it('质检报告: the QA lead any team or agent, a team lead their own team only, an agent nothing', async () => {
    const all = text(t.feishu.replies(await say(t, '质检报告', 'ou_qa_lead')).at(-1)!.card);
    expect(all).toContain('全部 All teams');
    expect(all).toContain('Training: repeated deductions');
    expect(all).toContain('小王×2');
    expect(all).toContain('天猫客服组');
    expect(all).toContain('京东客服组');
    expect(all).toContain('小王');

    const mine = text(t.feishu.replies(await say(t, '质检报告', 'ou_lead_tm')).at(-1)!.card);
    expect(mine).toContain('80.0');
    expect(mine).not.toContain('京东');
    const other = text(t.feishu.replies(await say(t, '质检报告 京东客服组', 'ou_lead_tm')).at(-1)!.card);
    expect(other).toContain('无权');
    const agent = text(t.feishu.replies(await say(t, '质检报告 小王', 'ou_qa_lead')).at(-1)!.card);
    expect(agent).toContain('小王');
    expect(agent).toContain('80.0');
    const refused = text(t.feishu.replies(await say(t, '质检报告', 'ou_agent_1')).at(-1)!.card);
    expect(refused).toContain('仅限组长和质检主管');
    const unknown = text(t.feishu.replies(await say(t, '质检报告 不存在', 'ou_qa_lead')).at(-1)!.card);
    expect(unknown).toContain('找不到');
  });
});
