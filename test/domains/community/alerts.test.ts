import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCommunities,
  apiPost,
  buttons,
  cardText,
  click,
  communityApp,
  serviceOf,
  sh,
  weeklyRows,
  type CommunityTestApp,
} from './helpers.js';

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ start: '2026-11-30T09:30' });
  await addCommunities(t, [
    { code: 'WC-1', name: '宝妈群 <b>1</b>', operator: 'ou_op_1' },
    { code: 'WC-2', name: '宝妈群 2', operator: 'ou_op_1' },
    { code: 'DY-1', name: '抖音粉丝群', operator: 'ou_op_2', platform: 'douyin' },
    { code: 'LATE', name: '迟到群', operator: 'ou_op_2' },
  ]);
  // 42 days up to yesterday (11-29): WC-1 and WC-2 drop on the last day; DY-1 is normal; LATE has no row for 11-29.
  const drop = (iso: string) => (iso === '2026-11-29' ? { activeMembers: 50, messages: 120 } : {});
  const rows = [
    ...weeklyRows('WC-1', '2026-11-29', 42, drop),
    ...weeklyRows('WC-2', '2026-11-29', 42, drop),
    ...weeklyRows('DY-1', '2026-11-29', 42),
    ...weeklyRows('LATE', '2026-11-28', 41),
  ];
  for (let i = 0; i < rows.length; i += 5000)
    expect((await apiPost(t, '/api/community/metrics', { rows: rows.slice(i, i + 5000) })).statusCode).toBe(200);
});
afterAll(async () => t?.close());

describe('community alerts', () => {
  it('sends each operator one card for the day with every alert, its number and its baseline', async () => {
    const report = await serviceOf(t).checkAlerts(t.clock.now());
    expect(report).toMatchObject({ day: '2026-11-29', checked: 3, late: 1, created: 4, cards: 1 });
    const cards = t.feishu.to('ou_op_1');
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]!.card);
    expect(text).toContain('宝妈群 <b>1</b>'); // shown as typed, never as markup
    expect(JSON.stringify(cards[0]!.card)).not.toContain('<b>');
    expect(text).toContain('活跃成员 Active members：**50**');
    expect(text).toMatch(/消息数 Messages：\*\*120\*\*（基线 baseline 6\d\d）/);
    expect(t.feishu.to('ou_op_2')).toHaveLength(0); // DY-1 normal, LATE's feed is late: nothing judged
  });

  it('adds nothing when the check runs again the same day (one alert per community, metric and day)', async () => {
    const again = await serviceOf(t).checkAlerts(t.clock.now());
    expect(again).toMatchObject({ created: 0, cards: 0 });
    expect(t.feishu.to('ou_op_1')).toHaveLength(1);
  });

  it('确认 acknowledges once; a double click or an old card changes nothing and says so', async () => {
    const card = t.feishu.to('ou_op_1')[0]!.card;
    const ack = buttons(card).find((b) => b.action === 'community.ack')!;
    const first = await click(t, ack, { openId: 'ou_op_1' });
    expect(first.toast).toMatchObject({ type: 'success', content: '已确认 · Acknowledged' });
    expect(cardText(first.card)).toContain('已确认 · Acknowledged');
    expect(buttons(first.card).filter((b) => b.alertId === ack.alertId)).toEqual([]);
    const again = await click(t, ack, { openId: 'ou_op_1' });
    expect(again.toast?.type).toBe('info');
    const { rows } = await t.database.query<{ state: string; version: number; decided_by: string }>(
      'select state, version, decided_by from community_alerts where id = $1',
      [ack.alertId],
    );
    expect(rows[0]).toEqual({ state: 'acknowledged', version: 2, decided_by: 'ou_op_1' });
  });

  it('静默 7 天 mutes that community’s metric: the next days raise nothing for it', async () => {
    const card = t.feishu.to('ou_op_1')[0]!.card;
    const acked = buttons(card).find((b) => b.action === 'community.ack')!.alertId;
    // The old card still shows the acknowledged alert's buttons: muting it now changes nothing.
    expect(
      (
        await click(
          t,
          buttons(card).find((b) => b.action === 'community.mute' && b.alertId === acked)!,
          { openId: 'ou_op_1' },
        )
      ).toast?.type,
    ).toBe('info');
    const mute = buttons(card).find((b) => b.action === 'community.mute' && b.days === 7 && b.alertId !== acked)!;
    const res = await click(t, mute, { openId: 'ou_op_1' });
    expect(res.toast).toMatchObject({ type: 'success' });
    expect(cardText(res.card)).toContain('已静默 · Muted（至 until 2026-12-06）');
    expect((await click(t, mute, { openId: 'ou_op_1' })).toast?.type).toBe('info');
    const { rows } = await t.database.query<{ metric: string; until: string }>(
      `select metric, to_char(until, 'YYYY-MM-DD') as until from community_mutes`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.until).toBe('2026-12-06');
    // The same drop again on 11-30: the muted metric stays quiet, the others alert anew.
    const again = weeklyRows('WC-1', '2026-11-30', 1, () => ({ activeMembers: 50, messages: 120 })).concat(
      weeklyRows('WC-2', '2026-11-30', 1, () => ({ activeMembers: 50, messages: 120 })),
    );
    await apiPost(t, '/api/community/metrics', { rows: again });
    t.clock.current = sh('2026-12-01T09:30');
    const next = await serviceOf(t).checkAlerts(t.clock.now());
    expect(next.muted).toBe(1);
    expect(next.created).toBe(3);
  });
});
