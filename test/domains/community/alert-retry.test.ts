import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunityService } from '../../../src/domains/community/service/index.js';
import {
  addCommunities,
  apiPost,
  cardText,
  communityApp,
  serviceOf,
  weeklyRows,
  type CommunityTestApp,
} from './helpers.js';

// Issue 17 §12: a message a job sends must not be lost when the send fails. The alerts are stored once per
// community, metric and day, so the retried check finds nothing new: it must still send the card it owes.
describe('community alert cards when Feishu refuses the first send', () => {
  let t: CommunityTestApp;
  beforeAll(async () => {
    t = await communityApp({ start: '2026-11-30T09:30' });
    await addCommunities(t, [{ code: 'WC-9', name: '宝妈群 9', operator: 'ou_op_9' }]);
    const rows = weeklyRows('WC-9', '2026-11-29', 42, (iso) =>
      iso === '2026-11-29' ? { activeMembers: 50, messages: 120 } : {},
    );
    expect((await apiPost(t, '/api/community/metrics', { rows })).statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  it('sends the card on the retried check, once, and a later run sends nothing', async () => {
    const base = serviceOf(t);
    const real = t.deps.feishu.messages;
    const refusing = Object.assign(Object.create(real) as typeof real, {
      send: async () => {
        throw new Error('Feishu refused the send (test)');
      },
    });
    const failing = createCommunityService({ ...base.deps, feishu: { ...t.deps.feishu, messages: refusing } });

    await expect(failing.checkAlerts(t.clock.now())).rejects.toThrow(/refused/);
    const stored = await t.database.query<{ n: number; carded: number }>(
      'select count(*)::int as n, count(card_message_id)::int as carded from community_alerts',
    );
    expect(stored.rows[0]!.n).toBeGreaterThan(0);
    expect(stored.rows[0]!.carded).toBe(0);
    expect(t.feishu.to('ou_op_9')).toHaveLength(0);

    // What the schedule's retry does: the same check again, with Feishu answering.
    const retried = await base.checkAlerts(t.clock.now());
    expect(retried).toMatchObject({ created: 0, cards: 1 });
    const cards = t.feishu.to('ou_op_9');
    expect(cards).toHaveLength(1);
    expect(cardText(cards[0]!.card)).toContain('宝妈群 9');
    const after = await t.database.query<{ n: number; carded: number }>(
      'select count(*)::int as n, count(card_message_id)::int as carded from community_alerts',
    );
    expect(after.rows[0]!.carded).toBe(after.rows[0]!.n);

    expect(await base.checkAlerts(t.clock.now())).toMatchObject({ created: 0, cards: 0 });
    expect(t.feishu.to('ou_op_9')).toHaveLength(1);
  });
});
