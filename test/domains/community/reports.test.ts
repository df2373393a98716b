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
    await say(t, '社群 周报', 'ou_op_1');
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
    // Someone who is not a lead still sees every community.
    await say(t, '社群 周报', 'ou_op_1');
    expect(cardText(lastReply().card)).toContain('**净增长 Net growth** 26');
  });
});
