import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireApiToken } from '../../src/core/api.js';
import { defineModule } from '../../src/core/module.js';
import type { Deps } from '../../src/deps.js';
import { blockNetwork, buildTestApp, type TestApp } from '../helpers/app.js';

const Thing = z.object({ name: z.string().min(1).max(100), amount: z.number().int().nonnegative() });
const received: Array<z.infer<typeof Thing>> = [];

const things = defineModule<Deps>({
  name: 'things',
  setup(bot, deps) {
    const routes: FastifyPluginAsyncZod = async (app) => {
      app.post(
        '/',
        {
          schema: { body: Thing },
          onRequest: requireApiToken(deps.config.apiTokens),
          config: { rateLimit: { max: 5, timeWindow: '1 minute' } },
        },
        async (req, reply) => {
          received.push(req.body);
          return reply.status(201).send({ ok: true });
        },
      );
    };
    bot.routes('/api/things', routes);
  },
});

describe('ingest API conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [things], env: { API_TOKENS: 'tok-1,tok-2' } });
  });
  afterAll(() => t.close());

  const post = (payload: unknown, token: string | null = 'tok-2', raw = false) =>
    t.app.inject({
      method: 'POST',
      url: '/api/things',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: raw ? (payload as string) : JSON.stringify(payload),
    });

  it('accepts a valid body with a known token', async () => {
    const res = await post({ name: '奶粉', amount: 3 });
    expect(res.statusCode).toBe(201);
    expect(received).toEqual([{ name: '奶粉', amount: 3 }]);
  });

  it('answers 401 without or with a wrong token', async () => {
    for (const token of [null, 'nope']) {
      const res = await post({ name: '', amount: -1 }, token); // auth comes before validation
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('answers 422 with the failing fields for an invalid body', async () => {
    const res = await post({ name: '', amount: -1 });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.error.code).toBe('unprocessable');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['/amount', '/name']);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await post('{"name": ', 'tok-1', true);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('answers 429 past the rate limit with the common error shape', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await post({ name: 'n', amount: i }, 'tok-1')).statusCode);
    expect(codes.at(-1)).toBe(429);
    const res = await post({ name: 'n', amount: 1 }, 'tok-1');
    expect(res.json().error.code).toBe('rate_limited');
  });

  it('publishes the OpenAPI document at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths['/api/things/']).toBeDefined();
  });
});
