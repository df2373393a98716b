import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import {
  addCommunities,
  apiPost,
  buttons,
  cardText,
  click,
  communityApp,
  say,
  serviceOf,
  weeklyRows,
  type CommunityTestApp,
} from './helpers.js';

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ start: '2026-11-30T10:00' });
  // Chat reports follow the dashboard's community tab: operators see what they operate, a manager everything.
  await createDirectory({ db: t.deps.database.db }).upsertPeople([
    { openId: 'ou_op_1', name: '运营一', teams: [], roles: ['community_operator'] },
    { openId: 'ou_op_2', name: '运营二', teams: [], roles: ['community_operator'] },
    { openId: 'ou_mgr', name: '经理', teams: [], roles: ['manager'] },
    { openId: 'ou_agent', name: '客服', teams: [], roles: ['agent'] },
  ]);
  await addCommunities(t, [
    { code: 'WC-1', name: '宝妈福利群', operator: 'ou_op_1', platform: 'wechat' },
    { code: 'DY-1', name: '抖音粉丝群 *A*', operator: 'ou_op_2', platform: 'douyin' },
  ]);
  await apiPost(t, '/api/community/metrics', {
    rows: [...weeklyRows('WC-1', '2026-11-29', 10), ...weeklyRows('DY-1', '2026-11-28', 10)],
  });
});
afterAll(async () => t?.close());

const lastReply = () => t.feishu.sent.filter((s) => s.kind === 'reply').at(-1)!;

describe('community reports in chat', () => {
  it('社群 周报: the 7 days up to yesterday, overall and by platform, with the definitions beside', async () => {
    await say(t, '社群 周报', 'ou_mgr');
    const text = cardText(lastReply().card);
    expect(text).toContain('社群周报 · Weekly community report');
    expect(text).toContain('2026-11-23 – 2026-11-29');
    // 7 days × (8 − 6) for WC-1 and 6 days × 2 for DY-1 (its 11-29 is late) = 26.
    expect(text).toContain('**净增长 Net growth** 26');
    expect(text).toContain('微信群 WeChat');
    expect(text).toContain('流失率 Churn rate');
  });

  it('社群 <名称>: one community’s 28 days, found by name or code; user text stays text', async () => {
    await say(t, '社群 抖音粉丝群', 'ou_op_2');
    const text = cardText(lastReply().card);
    expect(text).toContain('抖音粉丝群 *A* · DY-1');
    // The name sits in the plain-text title (shown as typed), never in markdown.
    expect((lastReply().card as { header: { title: { tag: string } } }).header.title.tag).toBe('plain_text');
    expect(text).toContain('最近一天 Last day** 2026-11-28');
  });

  it('the help card has 日报 / 周报 buttons that answer with the report card', async () => {
    await say(t, '帮助', 'ou_op_1');
    const help = lastReply().card;
    expect(buttons(help)).toEqual(
      expect.arrayContaining([{ action: 'community.digest' }, { action: 'community.weekly' }]),
    );
    expect(cardText(help)).toContain('社群周报 Weekly');
    const answer = await click(t, { action: 'community.weekly' }, { openId: 'ou_op_1' });
    expect(cardText(answer.card)).toContain('社群周报 · Weekly community report');
    expect(cardText((await click(t, { action: 'community.digest' }, { openId: 'ou_op_1' })).card)).toContain(
      '社群日报',
    );
  });

  it('answers an unknown community with the refusal card naming it', async () => {
    await say(t, '社群 不存在的群', 'ou_op_2');
    expect(cardText(lastReply().card)).toContain('不存在的群');
  });

  it('the daily digest says which platform’s data is late instead of reporting a drop', async () => {
    const card = await serviceOf(t).dailyDigest(t.clock.now());
    const text = cardText(card);
    expect(text).toContain('社群日报');
    expect(text).toContain('数据未到 Data late** 抖音粉丝群');
  });

  it('a team lead’s 周报 and 日报 cover their teams’ communities; another team’s community is refused', async () => {
    const directory = createDirectory({ db: t.deps.database.db });
    await directory.upsertTeams([
      { key: 'comm_south', name: '华南社群组', chatId: 'oc_south', leadOpenId: 'ou_lead_s' },
    ]);
    await directory.upsertPeople([
      { openId: 'ou_lead_s', name: '华南组长', teams: ['comm_south'], roles: ['community_operator', 'lead'] },
    ]);
    await addCommunities(t, [
      { code: 'WC-1', name: '宝妈福利群', operator: 'ou_op_1', platform: 'wechat', team: 'comm_south' },
    ]);
    await say(t, '社群 周报', 'ou_lead_s');
    const text = cardText(lastReply().card);
    expect(text).toContain('2026-11-23 – 2026-11-29 · 华南社群组');
    // WC-1 alone: 7 days × (8 − 6).
    expect(text).toContain('**净增长 Net growth** 14');
    expect(text).not.toContain('抖音粉丝群 Douyin');
    await say(t, '社群 日报', 'ou_lead_s');
    expect(cardText(lastReply().card)).toContain('华南社群组');
    await say(t, '社群 DY-1', 'ou_lead_s');
    expect(cardText(lastReply().card)).toContain('不属于你的团队');
    // A manager still sees every community.
    await say(t, '社群 周报', 'ou_mgr');
    expect(cardText(lastReply().card)).toContain('**净增长 Net growth** 26');
  });

  it('an operator’s 周报, 日报 and 社群 <名称> cover every community they operate and no other', async () => {
    await createDirectory({ db: t.deps.database.db }).upsertTeams([
      { key: 'comm_north', name: '华北社群组', chatId: 'oc_north', leadOpenId: 'ou_lead_n' },
    ]);
    // A second community of ou_op_1's, on another platform and in another team than WC-1.
    await addCommunities(t, [
      { code: 'XHS-1', name: '小红书种草群', operator: 'ou_op_1', platform: 'xiaohongshu', team: 'comm_north' },
    ]);
    await apiPost(t, '/api/community/metrics', {
      rows: weeklyRows('XHS-1', '2026-11-29', 7, () => ({ membersJoined: 5, membersLeft: 1 })),
    });
    await say(t, '社群 周报', 'ou_op_1');
    let text = cardText(lastReply().card);
    expect(text).toContain('运营一 运营的社群');
    // WC-1: 7 × (8 − 6) = 14, XHS-1: 7 × (5 − 1) = 28; DY-1 (ou_op_2's) is not in it.
    expect(text).toContain('**净增长 Net growth** 42');
    expect(text).toContain('**社群 Communities** 2');
    expect(text).toContain('小红书');
    expect(text).not.toContain('抖音');
    await say(t, '社群 周报', 'ou_op_2');
    text = cardText(lastReply().card);
    // DY-1 alone: 6 days × 2.
    expect(text).toContain('**净增长 Net growth** 12');
    expect(text).not.toContain('小红书');
    await say(t, '社群 日报', 'ou_op_1');
    expect(cardText(lastReply().card)).toContain('运营一 运营的社群');
    await say(t, '社群 小红书种草群', 'ou_op_1');
    expect(cardText(lastReply().card)).toContain('小红书种草群 · XHS-1');
    await say(t, '社群 DY-1', 'ou_op_1');
    expect(cardText(lastReply().card)).toContain('不是你运营的');
    // The help card's button answers the same way.
    const weekly = await click(t, { action: 'community.weekly' }, { openId: 'ou_op_2' });
    expect(cardText(weekly.card)).toContain('**净增长 Net growth** 12');
    // Someone the community tab has no level for sees no community figures in chat either.
    await say(t, '社群 周报', 'ou_agent');
    text = cardText(lastReply().card);
    expect(text).toContain('只给社群运营');
    expect(text).not.toContain('净增长');
  });
});

describe('a lead’s own communities', () => {
  it('a lead’s 周报 and 社群 <名称> also cover the communities they operate outside their teams, no one else’s', async () => {
    // ou_lead_s leads 华南 (WC-1) and runs LEAD-1 in 华北 and LEAD-2 in no team themselves.
    await addCommunities(t, [
      { code: 'LEAD-1', name: '组长自营群', operator: 'ou_lead_s', platform: 'wecom', team: 'comm_north' },
      { code: 'LEAD-2', name: '组长无团队群', operator: 'ou_lead_s', platform: 'wecom', team: null },
    ]);
    await apiPost(t, '/api/community/metrics', {
      rows: [
        ...weeklyRows('LEAD-1', '2026-11-29', 7, () => ({ membersJoined: 3, membersLeft: 0 })),
        ...weeklyRows('LEAD-2', '2026-11-29', 7, () => ({ membersJoined: 1, membersLeft: 0 })),
      ],
    });
    await say(t, '社群 周报', 'ou_lead_s');
    let text = cardText(lastReply().card);
    expect(text).toContain('华南社群组 · 及本人运营的社群 and own');
    // WC-1 7 × (8 − 6) = 14, LEAD-1 7 × 3 = 21, LEAD-2 7 × 1 = 7; XHS-1 (华北, ou_op_1's) is not in it.
    expect(text).toContain('**净增长 Net growth** 42');
    expect(text).toContain('**社群 Communities** 3');
    expect(text).not.toContain('小红书');
    await say(t, '社群 组长自营群', 'ou_lead_s');
    expect(cardText(lastReply().card)).toContain('组长自营群 · LEAD-1');
    await say(t, '社群 LEAD-2', 'ou_lead_s');
    expect(cardText(lastReply().card)).toContain('组长无团队群 · LEAD-2');
    await say(t, '社群 XHS-1', 'ou_lead_s');
    expect(cardText(lastReply().card)).toContain('不属于你的团队');
    // The other roles as before: an operator sees only theirs, a manager everything.
    await say(t, '社群 周报', 'ou_op_1');
    text = cardText(lastReply().card);
    expect(text).toContain('**净增长 Net growth** 42');
    expect(text).toContain('**社群 Communities** 2');
    await say(t, '社群 LEAD-1', 'ou_op_1');
    expect(cardText(lastReply().card)).toContain('不是你运营的');
    await say(t, '社群 周报', 'ou_mgr');
    // 26 (WC-1, DY-1) + 28 (XHS-1) + 21 + 7.
    expect(cardText(lastReply().card)).toContain('**净增长 Net growth** 82');
  });
});
