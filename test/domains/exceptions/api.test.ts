import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, apiPost, exceptionsApp, settle, type ExceptionsTestApp } from './helpers.js';

const body = (externalId: string, extra: Record<string, unknown> = {}) => ({
  source: 'oms',
  externalId,
  kind: 'lost',
  orderNo: `JD-${externalId}`,
  trackingNumber: 'SF1234567890123',
  amountAtRiskFen: 25_000,
  ...extra,
});

describe('POST /api/exceptions and the dashboard reads', () => {
  let t: ExceptionsTestApp;
  const count = async () =>
    (await t.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases')).rows[0]!.n;

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('answers 401 without a valid token, before looking at the body', async () => {
    for (const token of [null, 'wrong']) {
      const res = await apiPost(t, '/api/exceptions', { nonsense: true }, token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect((await apiGet(t, '/api/exceptions/report', null)).statusCode).toBe(401);
  });

  it('creates a case with 201; a repeat of the same source + external id gets 200 and the same case', async () => {
    const first = await apiPost(t, '/api/exceptions', body('D1'));
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      created: true,
      case: { caseNo: 'EX000001', state: 'assigned', ownerOpenId: 'ou_agent_1', amountAtRiskFen: 25_000 },
    });
    const again = await apiPost(t, '/api/exceptions', body('D1', { amountAtRiskFen: 1 }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      created: false,
      case: { id: first.json().case.id, amountAtRiskFen: 25_000 },
    });
    const otherSource = await apiPost(t, '/api/exceptions', body('D1', { source: 'tracking-push' }));
    expect(otherSource.statusCode).toBe(201);
    expect(await count()).toBe(2);
    await settle(t);
    expect(t.feishu.to('oc_logistics')).toHaveLength(2); // one card per case, not per post
  });

  it('creates one case when the same post arrives several times at once', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => apiPost(t, '/api/exceptions', body('D2'))));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json().case.id)).size).toBe(1);
    expect(await count()).toBe(3);
  });

  it('answers 422 for an unknown kind, naming the kinds it knows', async () => {
    const res = await apiPost(t, '/api/exceptions', body('B1', { kind: 'teleported' }));
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toContain('未知的异常类型');
    expect(res.json().error.details).toMatchObject({ field: 'kind' });
  });

  it('answers 422 for negative, fractional or absurd amounts', async () => {
    for (const amountAtRiskFen of [-1, 12.5, 1e15, '100']) {
      const res = await apiPost(t, '/api/exceptions', body('B2', { amountAtRiskFen }));
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details[0].path).toBe('/amountAtRiskFen');
    }
  });

  it('answers 422 for a malformed tracking number, with the reason', async () => {
    for (const trackingNumber of ['SF123', 'SF12345678901234567', '顺丰单号', "SF1' OR 1=1"]) {
      const res = await apiPost(t, '/api/exceptions', body('B3', { trackingNumber }));
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details).toMatchObject({ field: 'tracking_number' });
    }
  });

  it('answers 422 for oversized strings and missing ids, and stores nothing', async () => {
    const before = await count();
    const cases = [
      body('B4', { description: 'x'.repeat(2001) }),
      body('x'.repeat(129)),
      body('B4', { orderNo: '1'.repeat(65) }),
      { kind: 'lost' },
      body('B4', { platformDeadline: 'tomorrow' }),
    ];
    for (const payload of cases) expect((await apiPost(t, '/api/exceptions', payload)).statusCode).toBe(422);
    expect(await count()).toBe(before);
  });

  it('stores SQL-looking text verbatim and finds it again', async () => {
    const nasty = "'; drop table exceptions_cases; --";
    const res = await apiPost(
      t,
      '/api/exceptions',
      body('S1', { orderNo: nasty, description: 'Robert"); DELETE FROM x;--' }),
    );
    expect(res.statusCode).toBe(201);
    const detail = await apiGet(t, `/api/exceptions/${res.json().case.id}`);
    expect(detail.json().case).toMatchObject({ orderNo: nasty, description: 'Robert"); DELETE FROM x;--' });
    expect(await count()).toBeGreaterThan(3);
  });

  it('shows a case with its history, approvals, claims, audit and clocks; 404 for an unknown id', async () => {
    const res = await apiGet(t, '/api/exceptions/1');
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.caseNo).toBe('EX000001');
    expect(d.history.map((h: { state: string }) => h.state)).toEqual(['new', 'assigned']);
    expect(d.audit[0]).toMatchObject({ action: 'create' });
    expect(d.clock).toMatchObject({ which: 'sla', breached: false });
    expect((await apiGet(t, '/api/exceptions/999999')).statusCode).toBe(404);
    expect((await apiGet(t, '/api/exceptions/abc')).statusCode).toBe(422);
  });

  it('accepts a tracking push for a case waiting on the warehouse and moves it on', async () => {
    const res = await apiPost(t, '/api/exceptions', body('W1', { trackingNumber: undefined }));
    const id = res.json().case.id;
    expect(res.json().case.state).toBe('waiting_warehouse');
    expect((await apiPost(t, `/api/exceptions/${id}/fields`, { trackingNumber: 'bad' })).statusCode).toBe(422);
    const push = await apiPost(t, `/api/exceptions/${id}/fields`, { trackingNumber: 'JT1234567890123' });
    expect(push.statusCode).toBe(200);
    expect(push.json()).toMatchObject({ changed: true, missing: [], case: { state: 'in_progress' } });
  });

  it('lists cases for the dashboard with filters', async () => {
    const res = await apiGet(t, '/api/exceptions?state=in_progress&limit=10');
    expect(res.statusCode).toBe(200);
    expect(res.json().cases.every((c: { state: string }) => c.state === 'in_progress')).toBe(true);
    expect((await apiGet(t, '/api/exceptions?limit=5000')).statusCode).toBe(422);
  });
});
