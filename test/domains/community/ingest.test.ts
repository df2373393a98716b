import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCommunities, apiPost, communityApp, day, type CommunityTestApp } from './helpers.js';

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ workers: false });
  await addCommunities(t, [{ code: 'VIP01' }, { code: 'DY-07', platform: 'douyin' }]);
});
afterAll(async () => t?.close());

const stored = async (code: string, date: string) =>
  (
    await t.database.query<{ members_total: number; gmv_fen: string; revision: number; source: string }>(
      `select m.members_total, m.gmv_fen::text, m.revision, m.source from community_daily_metrics m join
        community_communities c on c.id = m.community_id where c.code = $1 and m.day = $2::date`,
      [code, date],
    )
  ).rows[0];

describe('POST /api/community/metrics', () => {
  it('stores a batch once: the same rows again change nothing', async () => {
    const rows = [
      day('VIP01', '2026-11-27'),
      day('VIP01', '2026-11-28'),
      day('DY-07', '2026-11-28', { gmvFen: 99_900 }),
    ];
    const first = await apiPost(t, '/api/community/metrics', { rows });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ received: 3, created: 3, corrected: 0, unchanged: 0, rejected: [] });
    const again = await apiPost(t, '/api/community/metrics', { rows });
    expect(again.json()).toMatchObject({ received: 3, created: 0, corrected: 0, unchanged: 3, rejected: [] });
    expect(await stored('DY-07', '2026-11-28')).toMatchObject({
      members_total: 200,
      gmv_fen: '99900',
      revision: 1,
      source: 'api',
    });
  });

  it('takes a late correction: the day is replaced, its revision rises, before and after are audited', async () => {
    const res = await apiPost(t, '/api/community/metrics', {
      rows: [day('VIP01', '2026-11-27', { membersTotal: 210, membersLeft: 9 })],
    });
    expect(res.json()).toMatchObject({ created: 0, corrected: 1, unchanged: 0 });
    expect(await stored('VIP01', '2026-11-27')).toMatchObject({ members_total: 210, revision: 2 });
    const { rows } = await t.database.query<{
      before: Record<string, number>;
      after: Record<string, number>;
      revision: number;
      source: string;
    }>(`select before, after, revision, source from community_metric_corrections order by id`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      revision: 2,
      source: 'api',
      before: { membersTotal: 200, membersLeft: 2 },
      after: { membersTotal: 210, membersLeft: 9 },
    });
  });

  it('refuses bad rows one by one with their reasons and stores the good ones', async () => {
    const rows = [
      day('VIP01', '2026-11-20'),
      day('NOPE', '2026-11-20'),
      day('VIP01', '2026-11-21', { membersLeft: -3 }),
      day('VIP01', '2026-12-01'),
      day('VIP01', '2026-02-30'),
      day('DY-07', '2026-11-20'),
      day('DY-07', '2026-11-20', { messages: 5 }),
      { community: 'VIP01', date: '2026-11-22', membersTotal: 'many' },
      'not an object',
    ];
    const res = await apiPost(t, '/api/community/metrics', { rows });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      created: number;
      rejected: Array<{ index: number; community: string | null; errors: string[] }>;
    };
    expect(body.created).toBe(2);
    const reasons = Object.fromEntries(body.rejected.map((r) => [r.index, r.errors.join(' | ')]));
    expect(Object.keys(reasons).map(Number)).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(reasons[1]).toContain('unknown community code');
    expect(reasons[2]).toMatch(/membersLeft.*must not be negative/);
    expect(reasons[3]).toContain('the date is in the future');
    expect(reasons[4]).toContain('not a real date');
    expect(reasons[6]).toContain('duplicate of row 6');
    expect(reasons[7]).toMatch(/membersTotal.*must be a number/);
    expect(await stored('VIP01', '2026-11-21')).toBeUndefined();
    expect(await stored('DY-07', '2026-11-20')).toMatchObject({ revision: 1 });
  });

  it('answers 422 with every row’s reasons when nothing could be stored', async () => {
    const res = await apiPost(t, '/api/community/metrics', {
      rows: [day('NOPE', '2026-11-20'), day('VIP01', '2027-01-01')],
    });
    expect(res.statusCode).toBe(422);
    const body = res.json() as { error: { code: string; details: Array<{ index: number }> } };
    expect(body.error.code).toBe('unprocessable');
    expect(body.error.details.map((d) => d.index)).toEqual([0, 1]);
  });

  it('takes 10,000 rows in one request and refuses 10,001', async () => {
    const codes = Array.from({ length: 100 }, (_, i) => `BULK${i}`);
    await addCommunities(
      t,
      codes.map((code) => ({ code })),
    );
    const rows = codes.flatMap((code) =>
      Array.from({ length: 100 }, (_, d) => day(code, new Date(Date.UTC(2026, 7, 1 + d)).toISOString().slice(0, 10))),
    );
    const res = await apiPost(t, '/api/community/metrics', { rows });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: 10_000, created: 10_000, rejected: [] });
    const over = await apiPost(t, '/api/community/metrics', { rows: [...rows, day('VIP01', '2026-11-01')] });
    expect(over.statusCode).toBe(422);
  });

  it('needs a bearer token and is in the OpenAPI document', async () => {
    expect((await apiPost(t, '/api/community/metrics', { rows: [day('VIP01', '2026-11-20')] }, null)).statusCode).toBe(
      401,
    );
    const doc = t.app.swagger() as { paths: Record<string, { post?: { tags?: string[] } }> };
    expect(doc.paths['/api/community/metrics']?.post?.tags).toEqual(['community']);
    expect(doc.paths['/api/community/communities']?.post).toBeDefined();
  });
});
