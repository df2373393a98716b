import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDashboardData } from '../../../bench/dashboard/generate.js';
import type { SqlExecutor } from '../../../src/db/client.js';
import { qaModule } from '../../../src/domains/qa/index.js';
import {
  rollupItems,
  rollupItemsByAgent,
  rollupReviews,
  rollupSpan,
  scanItems,
  scanItemsByAgent,
  scanReviews,
  type RollupBy,
  type RollupFilter,
} from '../../../src/domains/qa/rollup-repository.js';
import { rollupCauses, scanCauses } from '../../../src/domains/qa/rollup-causes.js';
import { markRollupDirty, rebuildRollup, refreshDirtyRollup } from '../../../src/domains/qa/rollup-store.js';
import { periodOf } from '../../../src/dashboard/query.js';
import { blockNetwork, buildTestApp, type TestApp } from '../../helpers/app.js';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { feishuRecorder, sh, TestClock } from '../exceptions/helpers.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

// The QA tab's stored rollups (src/domains/qa/rollup-store.ts): what the dashboard and the chat reports read from
// them equals the from-scratch query over qa_reviews (scanReviews / scanItems, the figures' definition), and the
// rows kept while reviews are scored, appealed and decided equal a rebuild from nothing.

type Json = Record<string, unknown>;
const BYS: RollupBy[] = ['all', 'agent', 'team', 'channel', 'inspector'];

/** Equal row for row: keys and counts exactly, sums up to the order floating-point additions were made in. */
function expectSame(actual: object[], expected: object[], label: string): void {
  expect(
    actual.map((r) => Object.keys(r).join()),
    label,
  ).toEqual(expected.map((r) => Object.keys(r).join()));
  expect(actual.length, label).toBe(expected.length);
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (typeof a === 'number' && typeof b === 'number') {
      if (Number.isInteger(a) && Number.isInteger(b) && Math.abs(a) < 1e6) expect(a, path).toBe(b);
      else expect(Math.abs(a - b), `${path}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    } else if (a && b && typeof a === 'object' && typeof b === 'object')
      for (const k of Object.keys(b)) walk((a as Json)[k], (b as Json)[k], `${path}.${k}`);
    else expect(a, path).toEqual(b);
  };
  actual.forEach((r, i) => walk(r, expected[i], `${label}[${i}]`));
}

async function expectRollupsAnswerLikeScans(db: SqlExecutor, filters: RollupFilter[]): Promise<number> {
  let compared = 0;
  for (const f of filters) {
    const span = await rollupSpan(db, f);
    const label = JSON.stringify(f);
    for (const by of BYS) {
      expectSame(await rollupReviews(db, f, by, span), await scanReviews(db, f, by), `${label} by ${by}`);
      compared++;
    }
    expectSame(await rollupItems(db, f, span), await scanItems(db, f), `${label} items`);
    expectSame(await rollupItemsByAgent(db, f, span), await scanItemsByAgent(db, f), `${label} items by agent`);
    expect(await rollupCauses(db, f, span), `${label} root causes`).toEqual(await scanCauses(db, f));
    compared += 3;
  }
  return compared;
}

/** Every rollup row, in one order. */
async function rollupRows(db: SqlExecutor): Promise<{ reviews: Json[]; items: Json[]; causes: Json[] }> {
  const order = 'grain, day, version, team, channel, agent, inspector';
  const reviews = await db.query<Json>(`select * from qa_rollup_reviews order by ${order}`);
  const items = await db.query<Json>(`select * from qa_rollup_items order by ${order}, code`);
  const causes = await db.query<Json>(
    'select * from qa_rollup_causes order by grain, day, version, team, channel, code, cause',
  );
  const plain = (rows: Json[]): Json[] => rows.map((r) => ({ ...r, day: String(r.day) }));
  return {
    reviews: plain(reviews.rows).map((r) => ({ ...r, seconds_sum: Number(r.seconds_sum) })),
    items: plain(items.rows),
    causes: plain(causes.rows),
  };
}

describe('QA stored rollups against the from-scratch query, on the bench data', () => {
  let t: TestApp;
  const clock = new TestClock(sh('2026-11-30T10:00'));
  beforeAll(async () => {
    blockNetwork();
    feishuRecorder();
    t = await buildTestApp({ modules: [qaModule()], workers: false, clock, env: { LOG_LEVEL: 'warn' } });
    // A year of 1,500 reviews (three marks each, some appeals, 2 % unscored), rollups rebuilt by the generator.
    await generateDashboardData(t.database, {
      reviews: 1500,
      contracts: 0,
      communityDays: 0,
      now: clock.now(),
      batch: 500,
    });
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    nock.cleanAll();
  });

  it('the generator filled the rollups; a dashboard period is whole days, read from them alone', async () => {
    const n = await t.database.query<{ n: number }>('select count(*)::int as n from qa_rollup_reviews');
    expect(n.rows[0]!.n).toBeGreaterThan(1000);
    const p = periodOf({ days: 30 }, clock.now(), 'Asia/Shanghai');
    const span = await rollupSpan(t.database, { from: p.since, to: p.until });
    expect(span).toMatchObject({ day1: p.from, day2: expect.any(String), since1: p.since, since2: p.until });
    // The last 30 days up to 30 November (Beijing) are November: its month row alone.
    expect(span).toMatchObject({ day1: '2026-11-01', day2: '2026-12-01', month1: '2026-11-01', month2: '2026-12-01' });
    const week = periodOf({ days: 7 }, clock.now(), 'Asia/Shanghai');
    expect(await rollupSpan(t.database, { from: week.since, to: week.until })).toMatchObject({
      day1: '2026-11-24',
      month1: '2026-12-01',
      month2: '2026-12-01',
      day2: '2026-12-01',
    });
    const year = periodOf({ days: 365 }, clock.now(), 'Asia/Shanghai');
    expect(await rollupSpan(t.database, { from: year.since, to: year.until })).toMatchObject({
      day1: '2025-12-01',
      month1: '2025-12-01',
      month2: '2026-12-01',
      day2: '2026-12-01',
    });
    const q = periodOf({ days: 90 }, clock.now(), 'Asia/Shanghai');
    expect(await rollupSpan(t.database, { from: q.since, to: q.until })).toMatchObject({
      day1: '2026-09-02',
      month1: '2026-10-01',
      month2: '2026-12-01',
      day2: '2026-12-01',
    });
    const months = await t.database.query<{ n: number }>(
      'select count(distinct day)::int as n from qa_rollup_reviews where grain >= 16',
    );
    expect(months.rows[0]!.n).toBeGreaterThanOrEqual(12);
    // Deductions by root cause: day rows, and month rows for every month of the year.
    const causes = await t.database.query<{ grain: number; days: number; causes: number }>(
      `select grain, count(distinct day)::int as days, count(distinct cause)::int as causes
         from qa_rollup_causes group by 1 order by 1`,
    );
    expect(causes.rows).toEqual([
      { grain: 3, days: expect.any(Number), causes: 5 },
      { grain: 19, days: expect.any(Number), causes: 5 },
    ]);
    expect(causes.rows[0]!.days).toBeGreaterThan(300);
    expect(causes.rows[1]!.days).toBeGreaterThanOrEqual(12);
  });

  it('answers what the from-scratch query answers, for every grouping, filter and period', async () => {
    const now = clock.now();
    const day = (days: number) => periodOf({ days }, now, 'Asia/Shanghai');
    const periods = [
      { from: day(30).since, to: day(30).until },
      { from: day(365).since, to: day(365).until },
      { from: day(1).since, to: day(1).until },
      // The chat reports' last 30 days up to this moment, and periods cut mid-day at both ends.
      { from: new Date(now.getTime() - 30 * 86_400_000), to: new Date(now.getTime() + 1000) },
      { from: new Date(now.getTime() - 200.3 * 86_400_000), to: new Date(now.getTime() - 12.7 * 86_400_000) },
      { from: new Date(now.getTime() - 5.5 * 3_600_000), to: new Date(now.getTime() - 3_600_000) },
      // Whole calendar months (Beijing midnights), a month and a bit on either side, a calendar year, days inside
      // one month, and a period from a month's first day to mid-month.
      { from: sh('2026-10-01T00:00'), to: sh('2026-11-01T00:00') },
      { from: sh('2026-06-17T00:00'), to: sh('2026-08-03T00:00') },
      { from: sh('2025-12-01T00:00'), to: sh('2026-12-01T00:00') },
      { from: sh('2026-03-04T00:00'), to: sh('2026-03-28T00:00') },
      { from: sh('2026-02-01T00:00'), to: sh('2026-04-19T13:30') },
    ];
    const narrow: Array<Omit<RollupFilter, 'from' | 'to'>> = [
      {},
      { team: 'cs_north' },
      { teams: ['cs_north', 'cs_south'] },
      { channel: 'tmall' },
      { team: 'cs_north', channel: 'tmall' },
      { agent: 'ou_bench_agent_7' },
      { agent: 'ou_bench_agent_7', channel: 'jd' },
      { inspector: 'ou_bench_inspector_3' },
      { inspector: 'ou_bench_inspector_3', teams: ['cs_east'] },
      { agent: 'ou_bench_agent_8', inspector: 'ou_bench_inspector_1' },
      { version: 1 },
      { version: 2 },
      { team: 'no_such_team' },
    ];
    const full = [0, 1, 6, 7];
    const filters = periods.flatMap((p, i) =>
      (full.includes(i) ? narrow : narrow.slice(0, 6)).map((n) => ({ ...p, ...n })),
    );
    expect(await expectRollupsAnswerLikeScans(t.database, filters)).toBe(752);
  });

  it('after a rebuild in another time zone (TZ_BUSINESS changed) day and month rows cut days there', async () => {
    const year = { from: sh('2025-12-01T00:00'), to: sh('2026-12-01T00:00') };
    const before = await rollupReviews(t.database, year, 'agent');
    await rebuildRollup(t.database, 'America/New_York');
    try {
      // A Beijing-midnight period is now mid-day in New York: its edges come from the reviews.
      const span = await rollupSpan(t.database, year);
      expect(span).toMatchObject({
        day1: '2025-12-01',
        month1: '2025-12-01',
        month2: '2026-11-01',
        day2: '2026-11-30',
      });
      expectSame(await rollupReviews(t.database, year, 'agent'), before, 'year by agent, New York days');
      const ny = { from: new Date('2026-03-01T05:00:00Z'), to: new Date('2026-06-01T04:00:00Z') };
      expect(await rollupSpan(t.database, ny)).toMatchObject({ month1: '2026-03-01', month2: '2026-06-01' });
      const narrow = [{}, { team: 'cs_north' }, { agent: 'ou_bench_agent_7' }, { inspector: 'ou_bench_inspector_3' }];
      const filters = [ny, year].flatMap((p) => narrow.map((n) => ({ ...p, ...n })));
      expect(await expectRollupsAnswerLikeScans(t.database, filters)).toBe(64);
    } finally {
      await rebuildRollup(t.database, 'Asia/Shanghai');
    }
  });
});

describe('QA stored rollups kept while reviews are scored, appealed and decided', () => {
  let t: QaTestApp;
  beforeAll(async () => {
    // 23:00 Beijing time on 29 November: the hours below cross midnight and the month's end.
    t = await qaApp({ start: '2026-11-29T23:00' });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  /** The newest card sent to `openId` with a button `action` matching `extra`. */
  const latestButton = (openId: string, action: string, extra: Json) => {
    for (const m of [...t.feishu.to(openId)].reverse()) {
      const b = buttons(m.card).find((v) => v.action === action && Object.entries(extra).every(([k, x]) => v[k] === x));
      if (b) return b;
    }
    return undefined;
  };

  it('after a random sequence of scorings, appeals, overturns and adjustments the rows equal a rebuild', async () => {
    let seed = 20261130;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    // Root causes from a sequence of their own, so the walk's other steps stay what they were.
    let causeSeed = 7;
    const causeRandom = () => (causeSeed = (causeSeed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const CAUSES = ['script', 'process', 'knowledge', 'attitude', 'system'] as const;
    const someCause = () => CAUSES[Math.floor(causeRandom() * CAUSES.length)]!;
    let recaused = 0;
    /** A cause changed later on a scored deduction, as 评分明细's 根因 edit does it (grid-root-cause.ts). */
    const recause = async () => {
      const { rows } = await t.database.query<{ id: string; review_id: string }>(
        'select id, review_id from qa_review_items where points > 0 order by id',
      );
      if (rows.length === 0) return;
      const mark = rows[Math.floor(causeRandom() * rows.length)]!;
      const cause = causeRandom() < 0.2 ? null : someCause();
      await t.database.transaction(async (tx) => {
        await tx.query('update qa_review_items set root_cause = $2 where id = $1', [mark.id, cause]);
        await markRollupDirty(tx, [Number(mark.review_id)]);
      });
      await refreshDirtyRollup(t.database);
      recaused++;
    };
    const agents = [
      { agent: 'ou_agent_1', channel: 'tmall', lead: 'ou_lead_tm' },
      { agent: 'ou_agent_2', channel: 'jd', lead: 'ou_lead_jd' },
    ];
    const made = Array.from({ length: 14 }, (_, i) => {
      const a = agents[i % 2]!;
      return { id: `RND${i}`, ...a, clean: random() < 0.3 };
    });
    await apiPost(t, '/api/qa/conversations', {
      conversations: made.map((c) => conversation(c.id, { channel: c.channel, agent: c.agent }, c.clean)),
    });
    const open: Array<{ appealId: number; lead: string }> = [];
    let scored = 0;
    let appealed = 0;
    let decided = 0;
    const decide = async () => {
      const a = open[Math.floor(random() * open.length)]!;
      const row = (await t.database.query<Json>('select step, state from qa_appeals where id = $1', [a.appealId]))
        .rows[0]!;
      const who = row.step === 'team_lead' ? a.lead : 'ou_qa_lead';
      const decision = row.step === 'team_lead' ? pick(['uphold', 'overturn']) : pick(['uphold', 'overturn', 'adjust']);
      const b = latestButton(who, 'qa.decide', { appealId: a.appealId, decision });
      expect(b, `decision card of appeal ${a.appealId} for ${who}`).toBeDefined();
      const form: Json = { reason: '随机裁定 random decision' };
      if (decision === 'adjust') form['a_PRO-01'] = pick(['0', '5']);
      const r = await click(t, b!, { openId: who, formValue: form });
      expect(r.toast, JSON.stringify(r.toast)).toMatchObject({ type: 'success' });
      await settle(t);
      const after = (await t.database.query<Json>('select state from qa_appeals where id = $1', [a.appealId])).rows[0]!;
      if (after.state !== 'open') open.splice(open.indexOf(a), 1);
      decided++;
    };

    for (let step = 0; step < 40 && (scored < made.length || open.length > 0); step++) {
      t.clock.current = new Date(t.clock.now().getTime() + Math.floor(random() * 5 * 3_600_000));
      if (open.length > 0 && (scored >= made.length || random() < 0.4)) {
        await decide();
        continue;
      }
      await settle(t);
      const inspector = pick(['ou_insp_1', 'ou_insp_2', 'ou_qa_lead']);
      const asked = await say(t, '质检', inspector);
      const card = t.feishu.replies(asked).at(-1)!.card;
      const accept = buttons(card).find((b) => b.action === 'qa.score' && b.accept === true);
      if (!accept) continue;
      const form: Json = {};
      if (random() < 0.5) form['m_ATT-02'] = pick(['0', '5']);
      if (random() < 0.5) form['m_ACC-01'] = pick(['0', '5', 'na']);
      if (random() < 0.3) form['m_PRO-02'] = pick(['0', 'na']);
      for (const code of ['PRO-01', 'ATT-02', 'ACC-01']) if (causeRandom() < 0.6) form[`r_${code}`] = someCause();
      const r = await click(t, accept, { openId: inspector, formValue: form });
      expect(r.toast ?? { type: 'success' }, JSON.stringify(r.toast)).toMatchObject({ type: 'success' });
      scored++;
      await settle(t);
      if (causeRandom() < 0.4) await recause();
      const review = (
        await t.database.query<Json>(
          `select r.id, r.agent_open_id, i.points from qa_reviews r
             left join qa_review_items i on i.review_id = r.id and i.code = 'PRO-01' where r.id = $1`,
          [Number(accept.reviewId)],
        )
      ).rows[0]!;
      if (Number(review.points) > 0 && random() < 0.6) {
        const agent = String(review.agent_open_id);
        const formButton = latestButton(agent, 'qa.appeal-form', { reviewId: accept.reviewId });
        const opened = await click(t, formButton!, { openId: agent });
        const submit = buttons(opened.card).find((b) => b.action === 'qa.appeal')!;
        const sent = await click(t, submit, { openId: agent, formValue: { 'p_PRO-01': '0', reason: '系统延迟' } });
        expect(sent.toast).toMatchObject({ type: 'success' });
        await settle(t);
        const a = (
          await t.database.query<{ id: string }>('select id from qa_appeals where review_id = $1', [review.id])
        ).rows[0]!;
        open.push({ appealId: Number(a.id), lead: agents.find((x) => x.agent === agent)!.lead });
        appealed++;
      }
    }
    expect(scored).toBe(made.length);
    expect(appealed).toBeGreaterThan(2);
    expect(decided).toBeGreaterThan(2);
    const outcomes = await t.database.query<{ state: string }>('select distinct state from qa_appeals');
    const states = outcomes.rows.map((r) => r.state);
    expect(states).toContain('upheld');
    expect(states.filter((s) => s === 'overturned' || s === 'adjusted').length).toBeGreaterThan(0);
    const days = await t.database.query<{ n: number }>('select count(distinct day)::int as n from qa_rollup_reviews');
    expect(days.rows[0]!.n).toBeGreaterThan(1);
    const months = await t.database.query<{ day: string }>(
      `select distinct day::text as day from qa_rollup_reviews where grain >= 16 order by 1`,
    );
    expect(months.rows.map((r) => r.day)).toEqual(['2026-11-01', '2026-12-01']);

    // Kept as it went = rebuilt from nothing; and what the tab reads equals the from-scratch query.
    const kept = await rollupRows(t.database);
    expect(kept.reviews.length).toBeGreaterThan(0);
    await rebuildRollup(t.database);
    const rebuilt = await rollupRows(t.database);
    expectSame(kept.reviews, rebuilt.reviews, 'qa_rollup_reviews');
    expectSame(kept.items, rebuilt.items, 'qa_rollup_items');
    expect(recaused).toBeGreaterThan(2);
    expect(kept.causes.length).toBeGreaterThan(0);
    expect(kept.causes, 'qa_rollup_causes').toEqual(rebuilt.causes);
    const tagged = await t.database.query<{ n: number }>(
      'select count(distinct root_cause)::int as n from qa_review_items where points > 0',
    );
    expect(tagged.rows[0]!.n).toBeGreaterThan(2);
    const now = t.clock.now();
    const period = { from: new Date(now.getTime() - 30 * 86_400_000), to: new Date(now.getTime() + 1000) };
    const whole = periodOf({ days: 30 }, now, 'Asia/Shanghai');
    await expectRollupsAnswerLikeScans(t.database, [
      period,
      { from: whole.since, to: whole.until },
      { from: whole.since, to: whole.until, agent: 'ou_agent_1' },
      { from: whole.since, to: whole.until, team: 'cs_jd' },
      { from: whole.since, to: whole.until, inspector: 'ou_insp_2' },
      // Whole months: November and December from their month rows.
      { from: sh('2026-11-01T00:00'), to: sh('2027-01-01T00:00') },
      { from: sh('2026-11-01T00:00'), to: sh('2027-01-01T00:00'), agent: 'ou_agent_2' },
      { from: sh('2026-11-01T00:00'), to: sh('2026-12-01T00:00'), team: 'cs_jd', channel: 'jd' },
    ]);

    // The root-cause panel and 质检报告 give what they gave when they counted the marks themselves: the same answers
    // with the rollups kept, and with none kept (no zone: every read counts the marks).
    const seen = async () => {
      const out: unknown[] = [];
      for (const who of ['ou_qa_lead', 'ou_lead_jd', 'ou_agent_1']) {
        const cookie = await signInAs(t, who);
        for (const q of ['days=30', 'days=365', 'days=7&channel=tmall']) {
          const r = await dashboardGet(t, `/api/dashboard/qa/root-causes?${q}`, cookie);
          expect(r.statusCode, r.body).toBe(200);
          const { generatedAt: _, ...body } = r.json() as Json;
          out.push(body);
        }
      }
      const asked = await say(t, '质检报告', 'ou_qa_lead');
      out.push(t.feishu.replies(asked).at(-1)!.card);
      return out;
    };
    const fromRollups = await seen();
    expect(JSON.stringify(fromRollups)).toContain('扣分根因 Root causes');
    await t.database.query('delete from qa_rollup_state');
    try {
      expect(await seen()).toEqual(fromRollups);
    } finally {
      await rebuildRollup(t.database);
    }
  });
});
