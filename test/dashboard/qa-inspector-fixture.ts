import { expect } from 'vitest';
import { apiPost, click, conversation, qaApp, settle, type QaTestApp } from '../domains/qa/helpers.js';

export const LEAD = 'ou_qa_lead'; // 郑雪, the QA lead: the reference of every round
export const A = 'ou_insp_1'; // 徐静
export const B = 'ou_insp_2'; // 梁晨

// Deductions per conversation and rater (calibration.test.ts's round): ACC-01 5 per point, ATT-02 3 per point.
const W48: Record<string, Record<string, Record<string, string>>> = {
  C1: { [LEAD]: {}, [A]: {}, [B]: { 'm_ACC-01': '4' } }, // 100 P · 100 P · 80 P
  C2: { [LEAD]: { 'm_ACC-01': '3' }, [A]: { 'm_ACC-01': '5' }, [B]: { 'm_ACC-01': '3' } }, // 85 P · 75 F · 85 P
  // 69 F · 75 F · 94 P
  C3: { [LEAD]: { 'm_ACC-01': '5', 'm_ATT-02': '2' }, [A]: { 'm_ACC-01': '5' }, [B]: { 'm_ATT-02': '2' } },
};

/** Scores every waiting review of `round` by the marks `marks[externalId][inspector]`, on the card. */
async function scoreRound(t: QaTestApp, round: string, marks: Record<string, Record<string, Record<string, string>>>) {
  const { rows } = await t.database.query<{ id: number; version: number; inspector: string; ext: string }>(
    `select r.id::int as id, r.version, r.inspector_open_id as inspector, c.external_id as ext
       from qa_reviews r join qa_conversations c on c.id = r.conversation_id
       join qa_calibration_rounds k on k.id = r.calibration_round_id
      where k.name = $1 and r.state = 'to_score' order by r.id`,
    [round],
  );
  for (const r of rows) {
    const formValue = marks[r.ext]?.[r.inspector];
    if (!formValue) continue;
    const res = await click(
      t,
      { action: 'qa.score', reviewId: r.id, version: Number(r.version) },
      { openId: r.inspector, formValue },
    );
    expect(res.toast?.type).toBe('success');
  }
  await settle(t);
}

/** A review sampled for `inspector` at `at` (Shanghai time), waiting to be scored. */
async function waiting(t: QaTestApp, externalId: string, inspector: string, at: string) {
  await t.database.query(
    `insert into qa_reviews (conversation_id, scorecard_version, agent_open_id, inspector_open_id, sample_reason,
                             created_at, updated_at)
     select c.id, (select max(version) from qa_scorecard_versions), c.agent_open_id, $2, 'random', $3, $3
       from qa_conversations c where c.external_id = $1`,
    [externalId, inspector, new Date(`${at}+08:00`).toISOString()],
  );
}

/**
 * Now is 2026-11-23 10:00 (Shanghai); a review is overdue after 3 days, i.e. sampled before 11-20 10:00.
 *
 * Rounds: 'Sept' (2026-09-01; A and the lead; nobody scored), 'W48' (11-22; A, B, the lead; all scored, as in
 * calibration.test.ts), 'R2' (11-22; C4: A 100 and the lead 95 scored, B not yet).
 *
 * Waiting reviews:
 *   A:    Q1 tmall 11-20 09:59:59 (overdue by a second) · Q2 tmall 11-20 10:00 (due within a day) ·
 *         Q3 jd (京东客服组) 11-21 09:00 (due within a day) · Q4 tmall 11-23 08:00 · C5 Sept round (overdue)
 *   B:    Q6 tmall 11-22 10:00 · C4 R2 round (11-22 12:00)
 *   lead: C5 Sept round (overdue)
 */
export async function inspectorFixture(): Promise<QaTestApp> {
  const t = await qaApp({ start: '2026-09-01T10:00' });
  const res = await apiPost(t, '/api/qa/conversations', {
    conversations: [
      ...['C1', 'C2', 'C3', 'C4', 'C5', 'Q1', 'Q2', 'Q4', 'Q6'].map((id) => conversation(id, {}, true)),
      conversation('Q3', { channel: 'jd', agent: 'ou_agent_2' }, true),
    ],
  });
  expect(res.json()).toMatchObject({ created: 10 });
  const round = (name: string, ids: string[], inspectors: string[]) =>
    apiPost(t, '/api/qa/calibration', {
      name,
      conversations: ids.map((externalId) => ({ channel: 'tmall', externalId })),
      inspectors,
      lead: LEAD,
      by: LEAD,
    });
  expect((await round('Sept', ['C5'], [A])).statusCode).toBe(201);
  t.clock.set('2026-11-22T12:00');
  expect((await round('W48', ['C1', 'C2', 'C3'], [A, B])).statusCode).toBe(201);
  expect((await round('R2 <b>&</b>', ['C4'], [A, B])).statusCode).toBe(201);
  await scoreRound(t, 'W48', W48);
  await scoreRound(t, 'R2 <b>&</b>', { C4: { [A]: {}, [LEAD]: { 'm_ACC-01': '1' } } });
  await waiting(t, 'Q1', A, '2026-11-20T09:59:59');
  await waiting(t, 'Q2', A, '2026-11-20T10:00:00');
  await waiting(t, 'Q3', A, '2026-11-21T09:00:00');
  await waiting(t, 'Q4', A, '2026-11-23T08:00:00');
  await waiting(t, 'Q6', B, '2026-11-22T10:00:00');
  t.clock.set('2026-11-23T10:00');
  return t;
}
