import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptionsModule } from '../../src/domains/exceptions/index.js';
import { blockNetwork, buildTestApp, type TestApp } from '../helpers/app.js';

// Every write under /api/ is rate-limited per token (issue 17 §10), not only a test route.
describe('rate limit on the production /api/ write routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({
      modules: [exceptionsModule({})],
      env: { API_TOKENS: 'tok-a,tok-b', API_WRITES_PER_MINUTE: '3', LOG_LEVEL: 'warn' },
    });
  });
  afterAll(() => t.close());

  const post = (url: string, token: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify({ nonsense: true }),
    });

  it('answers 429 + Retry-After once a token used its writes, across write routes; others unaffected', async () => {
    const codes = [
      (await post('/api/exceptions', 'tok-a')).statusCode,
      (await post('/api/exceptions/1/fields', 'tok-a')).statusCode,
      (await post('/api/exceptions/1/money', 'tok-a')).statusCode,
    ];
    expect(codes).not.toContain(429);
    const limited = await post('/api/exceptions/1/claims', 'tok-a');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');

    expect((await post('/api/exceptions', 'tok-b')).statusCode).not.toBe(429);
    // Reads are not writes.
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/exceptions/report',
      headers: { authorization: 'Bearer tok-a' },
    });
    expect(read.statusCode).not.toBe(429);
  });

  it('documents the 429 and its Retry-After header on every /api/ write route in OpenAPI', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>>;
    };
    const writes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([m]) => ['post', 'put', 'patch', 'delete'].includes(m))
          .map(([m, op]) => ({ route: `${m} ${path}`, op })),
      );
    expect(writes.map((w) => w.route)).toEqual(
      expect.arrayContaining(['post /api/exceptions/', 'post /api/dashboard/logout']),
    );
    for (const { route, op } of writes) {
      expect(op.responses?.['429']?.headers?.['Retry-After'], route).toBeDefined();
    }
    const reads = Object.entries(doc.paths).flatMap(([, ops]) => Object.entries(ops).filter(([m]) => m === 'get'));
    expect(reads.some(([, op]) => op.responses?.['429'])).toBe(false);
  });
});
