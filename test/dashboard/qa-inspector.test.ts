import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, settingsHost } from '../../src/core/settings.js';
import { createDirectory } from '../../src/domains/directory/service.js';
import { declareQaSettings } from '../../src/domains/qa/settings/index.js';
import { waitFor } from '../helpers/app.js';
import { dashboardGet, signInAs } from '../helpers/dashboard.js';
import type { QaTestApp } from '../domains/qa/helpers.js';
import { A, B, inspectorFixture, LEAD } from './qa-inspector-fixture.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers read by key
const at = (iso: string) => new Date(`${iso}+08:00`).toISOString();

describe('an inspector sees their queue and calibration on the QA tab (fixtures: qa-inspector-fixture.ts)', () => {
  let t: QaTestApp;
  const cookies = new Map<string, string>();
  const as = async (openId: string) =>
    cookies.get(openId) ?? cookies.set(openId, await signInAs(t, openId)).get(openId)!;
  const get = async (openId: string | null, path: string) =>
    dashboardGet(t, `/api/dashboard/qa/${path}`, openId ? await as(openId) : null);
  const ok = async (openId: string, path: string): Promise<Json> => {
    const res = await get(openId, path);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await inspectorFixture();
  });
  afterAll(async () => {
    await t?.close();
    nock.cleanAll();
  });

  it('counts an inspector’s waiting reviews: overdue after 3 days to the second, due in a day, oldest', async () => {
    const q = await ok(A, 'queue');
    expect(q).toMatchObject({ level: 'own', inspector: A, dueDays: 3, asOf: at('2026-11-23T10:00') });
    // Q1 (a second past 3 days) and the September round's C5 are overdue; Q2 (exactly 3 days) and Q3 are due
    // within a day; Q4 is fresh. The W48 and R2 reviews are scored: not waiting.
    expect(q.totals).toEqual({ waiting: 5, dueSoon: 2, overdue: 2, calibration: 1, oldestAt: at('2026-09-01T10:00') });
    expect(q.byChannel).toEqual([
      {
        key: 'tmall',
        name: '天猫',
        waiting: 4,
        dueSoon: 1,
        overdue: 2,
        calibration: 1,
        oldestAt: at('2026-09-01T10:00'),
      },
      { key: 'jd', name: '京东', waiting: 1, dueSoon: 1, overdue: 0, calibration: 0, oldestAt: at('2026-11-21T09:00') },
    ]);
    expect(q.byInspector).toEqual([{ key: A, name: '徐静', ...q.totals }]);
    // Naming themselves changes nothing; a channel narrows it.
    expect((await ok(A, `queue?inspector=${A}`)).totals).toEqual(q.totals);
    expect((await ok(A, 'queue?channel=jd')).totals).toMatchObject({ waiting: 1, overdue: 0, dueSoon: 1 });
    // A second later Q2 is overdue too.
    t.clock.current = new Date(t.clock.current.getTime() + 1000);
    expect((await ok(A, 'queue')).totals).toMatchObject({ waiting: 5, overdue: 3, dueSoon: 1 });
    t.clock.set('2026-11-23T10:00');
  });

  it('lists an inspector’s rounds with their status, their score against the lead and their alignment', async () => {
    const c = await ok(A, 'calibration?days=30');
    expect(c).toMatchObject({ level: 'own', inspector: A, byInspector: [] });
    // The September round is outside the last 30 days; R2 is newest first.
    expect(c.rounds.map((r: Json) => [r.name, r.status, r.scored, r.expected])).toEqual([
      ['R2 <b>&</b>', 'scored', 2, 3],
      ['W48', 'closed', 9, 9],
    ]);
    const w48 = c.rounds[1].mine;
    // 徐静 100, 75, 75 against the lead's 100, 85, 69: bias −4/3, |deviation| 16/3, pass P F F vs P P F: ⅔, κ 0.4.
    expect(w48).toMatchObject({ scored: 3, expected: 3 });
    expect(w48.score).toBeCloseTo(250 / 3, 9);
    expect(w48.reference).toBeCloseTo(254 / 3, 9);
    expect(w48.bias).toBeCloseTo(-4 / 3, 9);
    expect(w48.deviation).toBeCloseTo(16 / 3, 9);
    expect(w48.passAgreement).toBeCloseTo(2 / 3, 9);
    expect(w48.kappa).toBeCloseTo(0.4, 9);
    // R2: 100 against the lead's 95.
    expect(c.rounds[0].mine).toMatchObject({
      scored: 1,
      expected: 1,
      score: 100,
      reference: 95,
      bias: 5,
      deviation: 5,
    });
    // Over the period: differences 0, −10, +6, +5 → bias ¼, deviation 21/4; pass agrees 3 of 4.
    expect(c.alignment).toMatchObject({ rounds: 2, scored: 4 });
    expect(c.alignment.bias).toBeCloseTo(0.25, 9);
    expect(c.alignment.deviation).toBeCloseTo(5.25, 9);
    expect(c.alignment.passAgreement).toBeCloseTo(0.75, 9);
    // From September on, the round nobody scored is there, open.
    const all = await ok(A, 'calibration?from=2026-09-01&to=2026-11-23');
    expect(all.rounds.map((r: Json) => [r.name, r.status])).toEqual([
      ['R2 <b>&</b>', 'scored'],
      ['W48', 'closed'],
      ['Sept', 'open'],
    ]);
    expect(all.alignment).toMatchObject({ rounds: 2, scored: 4 });
  });

  it('keeps the reference out of sight of an inspector who has not finished a round', async () => {
    const c = await ok(B, 'calibration?days=30');
    expect(c.rounds[0]).toMatchObject({ name: 'R2 <b>&</b>', status: 'open' });
    expect(c.rounds[0].mine).toEqual({
      scored: 0,
      expected: 1,
      score: null,
      reference: null,
      bias: null,
      deviation: null,
      passAgreement: null,
      kappa: null,
    });
    // 梁晨 in W48: −20, 0, +25 → bias 5/3, deviation 15; R2 not counted.
    expect(c.alignment).toMatchObject({ rounds: 1, scored: 3 });
    expect(c.alignment.deviation).toBeCloseTo(15, 9);
    expect((await ok(B, 'queue')).totals).toEqual({
      waiting: 2,
      dueSoon: 0,
      overdue: 0,
      calibration: 1,
      oldestAt: at('2026-11-22T10:00'),
    });
  });

  it('refuses another inspector’s queue or calibration with 403, and a team named by an inspector', async () => {
    for (const path of [`queue?inspector=${B}`, `calibration?inspector=${B}`, 'queue?team=cs_tmall']) {
      const res = await get(A, path);
      expect(res.statusCode, path).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('answers 401 without a session or with a forged cookie, before reading the query', async () => {
    for (const cookie of [null, 'fo_session=abc.forged'])
      for (const path of ['queue', 'calibration', 'queue?days=banana']) {
        const res = await dashboardGet(t, `/api/dashboard/qa/${path}`, cookie);
        expect(res.statusCode, `${path} ${cookie}`).toBe(401);
      }
  });

  it('answers 400 naming the parameter for bad query parameters', async () => {
    for (const [path, word] of [
      ['queue?days=0', 'days'],
      ['calibration?days=abc', 'days'],
      ['calibration?from=2026-02-30', 'from'],
      ['calibration?from=2026-11-20&to=2026-11-01', 'to'],
      [`queue?inspector=${'x'.repeat(65)}`, 'inspector'],
      ['queue?inspector=ou_1%3Bdrop', 'inspector'],
      ['queue?channel=', 'channel'],
    ]) {
      const res = await get(A, path!);
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
      expect(JSON.stringify(res.json().error), path).toContain(word);
    }
  });

  it('shows a manager every inspector’s queue and calibration, or the one they pick', async () => {
    const q = await ok('ou_mgr', 'queue');
    expect(q).toMatchObject({ level: 'all', inspector: null });
    expect(q.totals).toEqual({ waiting: 8, dueSoon: 2, overdue: 3, calibration: 3, oldestAt: at('2026-09-01T10:00') });
    expect(q.byInspector.map((i: Json) => [i.name, i.waiting, i.overdue])).toEqual([
      ['徐静', 5, 2],
      ['郑雪', 1, 1],
      ['梁晨', 2, 0],
    ]);
    expect((await ok('ou_mgr', `queue?inspector=${B}`)).totals).toMatchObject({ waiting: 2 });
    expect((await ok('ou_mgr', 'queue?team=cs_jd')).totals).toMatchObject({ waiting: 1, dueSoon: 1 });
    const c = await ok('ou_mgr', 'calibration?days=30');
    expect(c.alignment).toBeNull();
    expect(c.rounds.map((r: Json) => [r.name, r.status, r.mine])).toEqual([
      ['R2 <b>&</b>', 'open', null],
      ['W48', 'closed', null],
    ]);
    // The lead is the reference, not in the list; the furthest from it first.
    expect(c.byInspector.map((i: Json) => [i.name, i.rounds, i.scored, Math.round(i.deviation * 100) / 100])).toEqual([
      ['梁晨', 1, 3, 15],
      ['徐静', 2, 4, 5.25],
    ]);
    const one = await ok('ou_mgr', `calibration?days=30&inspector=${A}`);
    expect(one.alignment.deviation).toBeCloseTo(5.25, 9);
    // The QA lead sees the same as a manager.
    expect((await ok(LEAD, 'queue')).totals).toEqual(q.totals);
  });

  it('gives the role qa_lead alone (no inspector or lead role) the QA lead’s reach: everyone’s QA data', async () => {
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_qa_lead_role', name: '质检主管', teams: ['qa'], roles: ['qa_lead'] },
    ]);
    const q = await ok('ou_qa_lead_role', 'queue');
    expect(q).toMatchObject({ level: 'all', inspector: null });
    expect(q.totals).toEqual((await ok('ou_mgr', 'queue')).totals);
    expect(q.byInspector.map((i: Json) => i.name)).toEqual(['徐静', '郑雪', '梁晨']);
    const c = await ok('ou_qa_lead_role', 'calibration?days=30');
    expect(c.byInspector.map((i: Json) => i.name)).toEqual(['梁晨', '徐静']);
    const s = await ok('ou_qa_lead_role', 'summary?days=30');
    expect(s.level).toBe('all');
    expect(s).toMatchObject({ totals: (await ok('ou_mgr', 'summary?days=30')).totals });
    expect((await ok('ou_qa_lead_role', `queue?inspector=${B}`)).totals).toMatchObject({ waiting: 2 });
    // The other workflows' tabs are not theirs.
    const me = await dashboardGet(t, '/api/dashboard/me', await as('ou_qa_lead_role'));
    const levels = Object.fromEntries(me.json().tabs.map((x: Json) => [x.key, x.level]));
    expect(levels).toEqual({ qa: 'all', exceptions: null, contracts: null, community: null });
  });

  it('shows a team lead the queue of their team’s conversations, but no calibration', async () => {
    const q = await ok('ou_lead_jd', 'queue');
    expect(q).toMatchObject({ level: 'team', totals: { waiting: 1, dueSoon: 1, overdue: 0 } });
    expect((await get('ou_lead_jd', 'calibration')).statusCode).toBe(403);
    expect((await get('ou_lead_jd', 'queue?team=cs_tmall')).statusCode).toBe(403);
  });

  it('refuses an agent both: they have no queue and are in no round', async () => {
    for (const path of ['queue', 'calibration']) {
      const res = await get('ou_agent_1', path);
      expect(res.statusCode, path).toBe(403);
      expect(res.json().error.message).toContain('质检员');
    }
  });

  it('counts overdue by the QA policy’s review due days (规则配置 qa.policy reviewDueDays), not a fixed 3', async () => {
    const store = new SettingsStore({ database: t.database, log: t.log });
    declareQaSettings(settingsHost(store, 'qa'));
    const dueDays = async (days: number) => {
      expect(await store.save('qa.policy', { reviewDueDays: days }, LEAD)).toBe('saved');
      // The app hears of the change through NOTIFY on PostgreSQL (a moment later), at its next read on PGlite.
      await waitFor(async () => (await ok(A, 'queue')).dueDays === days, `reviewDueDays ${days}`);
      return ok(A, 'queue');
    };
    // One day: everything sampled before 11-22 10:00 is overdue (Q1, Q2, Q3, C5); Q4 (today 08:00) is due within a day.
    expect((await dueDays(1)).totals).toMatchObject({ waiting: 5, overdue: 4, dueSoon: 1 });
    // Back to three days: as before.
    expect((await dueDays(3)).totals).toMatchObject({ waiting: 5, overdue: 2, dueSoon: 2 });
  });
});
