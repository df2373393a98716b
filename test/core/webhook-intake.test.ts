import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { readFileSync } from 'node:fs';
import { eventSignature } from '../../src/feishu/crypto.js';
import { blockNetwork, buildTestApp, secrets, type TestApp } from '../helpers/app.js';
import { envelope, messageEvent, signed } from '../helpers/events.js';

const sample = (name: string) => readFileSync(new URL(`../fixtures/feishu-samples/${name}`, import.meta.url), 'utf8');

describe('webhook intake', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });
  beforeEach(() => nock.cleanAll());

  const post = (url: string, req: { payload: string; headers: Record<string, string> }) =>
    t.app.inject({ method: 'POST', url, payload: req.payload, headers: req.headers });

  it('answers a plain url_verification challenge', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      payload: { challenge: 'ajls384kdjxxxx', token: secrets.verificationToken, type: 'url_verification' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: 'ajls384kdjxxxx' });
  });

  it('answers an encrypted challenge with the plain challenge', async () => {
    const req = signed({ challenge: 'c-123', token: secrets.verificationToken, type: 'url_verification' });
    const res = await post('/webhook/card', { payload: req.payload, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: 'c-123' });
  });

  it('refuses a challenge carrying the wrong verification token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      payload: { challenge: 'x', token: 'not-the-token', type: 'url_verification' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('stores a verified event and acknowledges it before any work', async () => {
    const event = messageEvent('帮助');
    const res = await post('/webhook/event', signed(event));
    expect(res.statusCode).toBe(200);
    const { rows } = await t.database.query<{ status: string; event_type: string }>(
      'select status, event_type from lark_events where event_id = $1',
      [event.header.event_id],
    );
    expect(rows).toEqual([{ status: 'received', event_type: 'im.message.receive_v1' }]);
  });

  it('acknowledges a redelivered event_id and stores it once', async () => {
    const event = messageEvent('help');
    for (let i = 0; i < 3; i++) expect((await post('/webhook/event', signed(event))).statusCode).toBe(200);
    const { rows } = await t.database.query('select id from lark_events where event_id = $1', [event.header.event_id]);
    expect(rows).toHaveLength(1);
    const jobs = await t.database.query(
      `select id from pgboss.job where name = 'lark.event' and data->>'eventId' = $1`,
      [event.header.event_id],
    );
    expect(jobs.rows).toHaveLength(1);
  });

  it('stores an event type nobody handles as ignored, without a job', async () => {
    const event = envelope('contact.user_group.created_v3', { user_group_id: 'g1' });
    expect((await post('/webhook/event', signed(event))).statusCode).toBe(200);
    const stored = await t.database.query<{ status: string }>('select status from lark_events where event_id = $1', [
      event.header.event_id,
    ]);
    expect(stored.rows[0]?.status).toBe('ignored');
  });

  it('rejects a forged signature with 401 and stores nothing', async () => {
    const event = messageEvent('help');
    const req = signed(event);
    req.headers['x-lark-signature'] = eventSignature(
      req.headers['x-lark-request-timestamp']!,
      req.headers['x-lark-request-nonce']!,
      'wrong key',
      req.payload,
    );
    expect((await post('/webhook/event', req)).statusCode).toBe(401);
    const { rows } = await t.database.query('select 1 from lark_events where event_id = $1', [event.header.event_id]);
    expect(rows).toHaveLength(0);
  });

  it('rejects a body changed after signing, even by whitespace', async () => {
    const req = signed(messageEvent('help'));
    const res = await post('/webhook/event', { ...req, payload: req.payload.replace('{', '{ ') });
    expect(res.statusCode).toBe(401);
  });

  it('accepts a signed body with unusual whitespace, hashing the raw bytes', async () => {
    const event = messageEvent('help');
    const base = signed(event);
    const payload = base.payload.replace('{', '{\n   ').replace(/}$/, ' \n}');
    const ts = base.headers['x-lark-request-timestamp']!;
    const nonce = base.headers['x-lark-request-nonce']!;
    const headers = { ...base.headers, 'x-lark-signature': eventSignature(ts, nonce, secrets.encryptKey, payload) };
    expect((await post('/webhook/event', { payload, headers })).statusCode).toBe(200);
  });

  it('rejects unsigned requests when an encrypt key is configured', async () => {
    const req = signed(messageEvent('help'));
    const res = await post('/webhook/event', { payload: req.payload, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
  });

  it('rejects a replay older than the retry horizon and one from the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await post('/webhook/event', signed(messageEvent('a'), { timestamp: now - 9 * 3600 }))).statusCode).toBe(
      401,
    );
    expect((await post('/webhook/event', signed(messageEvent('b'), { timestamp: now + 6 * 60 }))).statusCode).toBe(401);
  });

  it('accepts a late retry from Feishu seven hours after the event', async () => {
    const res = await post(
      '/webhook/event',
      signed(messageEvent('late'), { timestamp: Math.floor(Date.now() / 1000) - 7 * 3600 }),
    );
    expect(res.statusCode).toBe(200);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      payload: JSON.stringify({ encrypt: 'a'.repeat(1024 * 1024 + 10) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('answers 400 to malformed JSON and to an undecryptable body', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      payload: '{"encrypt": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    const junk = await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      payload: JSON.stringify({ encrypt: 'bm90IHJlYWxseSBlbmNyeXB0ZWQ=' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(junk.statusCode).toBe(400);
    const empty = await t.app.inject({
      method: 'POST',
      url: '/webhook/event',
      payload: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(400);
  });

  it('decrypts the official SDK challenge vector', async () => {
    const vector = JSON.parse(sample('url_verification.encrypted.sdk_test.json'));
    const other = await buildTestApp({
      env: { LARK_ENCRYPT_KEY: vector.encrypt_key, LARK_VERIFICATION_TOKEN: undefined },
      database: t.database,
    });
    try {
      const res = await other.app.inject({ method: 'POST', url: '/webhook/event', payload: vector.request_body });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ challenge: '5634b122-c042-4634-bc7f-b07a3c3e77ad' });
    } finally {
      await other.app.close();
      await other.deps.jobs.stop(1000);
    }
  });

  it('answers 503 when the database is gone, so Feishu re-pushes', async () => {
    const other = await buildTestApp();
    await other.database.close();
    try {
      const res = await other.app.inject({
        method: 'POST',
        url: '/webhook/event',
        ...toInject(signed(messageEvent('help'))),
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('unavailable');
    } finally {
      await other.app.close();
    }
  });

  it('never writes a secret into a log line', () => {
    const all = t.logs.lines.join('\n');
    for (const secret of Object.values(secrets).filter((s) => s !== secrets.appId)) expect(all).not.toContain(secret);
  });
});

function toInject(req: { payload: string; headers: Record<string, string> }) {
  return { payload: req.payload, headers: req.headers };
}

describe('intake under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('stores 150 concurrent deliveries (a third of them repeats) once each, one job each', async () => {
    const events = Array.from({ length: 100 }, (_, i) => messageEvent(`msg ${i}`));
    const deliveries = [...events, ...events.slice(0, 50)].map((e) =>
      t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(e) }),
    );
    const statuses = (await Promise.all(deliveries)).map((r) => r.statusCode);
    expect(new Set(statuses)).toEqual(new Set([200]));
    const ids = events.map((e) => e.header.event_id);
    const stored = await t.database.query<{ n: number }>(
      'select count(*)::int as n from lark_events where event_id = any($1)',
      [ids],
    );
    expect(stored.rows[0]!.n).toBe(100);
    const jobs = await t.database.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'lark.event' and data->>'eventId' = any($1)`,
      [ids],
    );
    expect(jobs.rows[0]!.n).toBe(100);
  });

  it('stores an event whose text holds a NUL character instead of failing it forever', async () => {
    const event = messageEvent('hello');
    (event.event.message as Record<string, unknown>).user_agent = 'bad\u0000agent';
    const res = await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(event) });
    expect(res.statusCode).toBe(200);
    const { rows } = await t.database.query<{ payload: { event: { message: { user_agent: string } } } }>(
      'select payload from lark_events where event_id = $1',
      [event.header.event_id],
    );
    expect(rows[0]!.payload.event.message.user_agent).toBe('bad\uFFFDagent');
  });
});
