import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { apiPost, conversation, qaApp, say, settle, sh, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;

describe('the sampling plan, scheduled and through the API', () => {
  let t: QaTestApp;
  const reviews = async () =>
    (
      await t.database.query<Json>(
        `select r.id, r.inspector_open_id, r.sample_reason, r.inclusion_probability, r.state, c.external_id,
  c.agent_open_id
           from qa_reviews r join qa_conversations c on c.id = r.conversation_id order by r.id`,
      )
    ).rows;

  beforeAll(async () => {
    t = await qaApp();
    // 小王 (Tmall): 8 conversations, two with a bad rating, one tagged 退款; 小李 (JD): 3.
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: [
        ...Array.from({ length: 8 }, (_, i) =>
          conversation(`W${i}`, { csat: i < 2 ? 1 : 5, tags: i === 2 ? ['退款'] : [] }, true),
        ),
        ...Array.from({ length: 3 }, (_, i) => conversation(`L${i}`, { channel: 'jd', agent: 'ou_agent_2' }, true)),
      ],
    });
    expect(res.json()).toMatchObject({ created: 11 });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it("each morning samples yesterday: 5 per agent (all 3 of 小李's), spread over inspectors, risk named", async () => {
    const at = sh('2026-11-21T07:30'); // the conversations are from 11-20, 10:00 Shanghai
    t.clock.current = at;
    expect(await t.deps.jobs.tick('qa.sampling', at)).toBe(true);
    await waitFor(async () => {
      t.deps.jobs.notify('schedule.qa.sampling');
      const { rows } = await t.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'schedule.qa.sampling' and state <> 'completed'`,
      );
      return rows[0]?.n === 0;
    }, 'sampling run');
    await settle(t);
    const rows = await reviews();
    expect(rows.filter((r) => r.agent_open_id === 'ou_agent_1')).toHaveLength(5);
    expect(rows.filter((r) => r.agent_open_id === 'ou_agent_2')).toHaveLength(3);
    expect(rows.every((r) => r.state === 'to_score')).toBe(true);
    // Three inspectors (徐静, 梁晨 and the QA lead): 8 reviews as 3 / 3 / 2.
    const per = new Map<string, number>();
    for (const r of rows) per.set(String(r.inspector_open_id), (per.get(String(r.inspector_open_id)) ?? 0) + 1);
    expect([...per.keys()].sort()).toEqual(['ou_insp_1', 'ou_insp_2', 'ou_qa_lead']);
    expect([...per.values()].sort()).toEqual([2, 3, 3]);
    for (const r of rows) {
      expect(Number(r.inclusion_probability)).toBeGreaterThan(0);
      expect(Number(r.inclusion_probability)).toBeLessThanOrEqual(1);
    }
    // 小李 had 3 for a quota of 5: all picked for sure.
    expect(rows.filter((r) => r.agent_open_id === 'ou_agent_2').map((r) => r.inclusion_probability)).toEqual([1, 1, 1]);
    const reasonOf = (id: string) => rows.find((r) => r.external_id === id)?.sample_reason;
    for (const id of ['W0', 'W1']) if (reasonOf(id)) expect(reasonOf(id)).toBe('bad_rating');
    if (reasonOf('W2')) expect(reasonOf('W2')).toBe('complaint');

    // The inspector's 质检 opens the review assigned to them.
    const mine = rows.filter((r) => r.inspector_open_id === 'ou_insp_2').map((r) => Number(r.id));
    const asked = await say(t, '质检', 'ou_insp_2');
    const card = JSON.stringify(t.feishu.replies(asked).at(-1)!.card);
    expect(card).toContain(`QA${String(Math.min(...mine)).padStart(6, '0')}`);
  });

  it('the API draws the same period again without reviewing anything twice, and refuses a bad period', async () => {
    const before = (await reviews()).length;
    const again = await apiPost(t, '/api/qa/sampling', {
      from: '2026-11-19T16:00:00Z',
      to: '2026-11-20T16:00:00Z',
      seed: '2026-11-19',
    });
    expect(again.statusCode).toBe(200);
    // 小王's 3 unreviewed are all that is left: his quota of 5 takes them.
    expect(again.json()).toMatchObject({ candidates: 3, picked: 3, created: 3 });
    expect(await reviews()).toHaveLength(before + 3);
    const third = await apiPost(t, '/api/qa/sampling', { from: '2026-11-19T16:00:00Z', to: '2026-11-20T16:00:00Z' });
    expect(third.json()).toMatchObject({ candidates: 0, created: 0 });

    const backwards = await apiPost(t, '/api/qa/sampling', {
      from: '2026-11-21T00:00:00Z',
      to: '2026-11-20T00:00:00Z',
    });
    expect(backwards.statusCode).toBe(422);
    expect(
      (await apiPost(t, '/api/qa/sampling', { from: '2026-11-19T00:00:00Z', to: '2026-11-20T00:00:00Z' }, null))
        .statusCode,
    ).toBe(401);
  });
});
