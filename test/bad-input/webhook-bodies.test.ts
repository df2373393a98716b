import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptEvent, eventSignature, legacyCardSignature } from '../../src/feishu/crypto.js';
import { blockNetwork, buildTestApp, secrets, type TestApp } from '../helpers/app.js';
import { envelope, messageEvent, signed } from '../helpers/events.js';

// Beyond test/core/webhook-intake.test.ts: the odd corners of forged, replayed, oversized,
// malformed and undecryptable deliveries — each refused with 400/401/413, nothing stored, the app up.
describe('hostile webhook deliveries', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const post = (
    payload: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    url = '/webhook/event',
  ) => t.app.inject({ method: 'POST', url, payload, headers });
  const stored = async () =>
    (await t.database.query<{ n: number }>('select count(*)::int as n from lark_events')).rows[0]!.n;
  const resign = (payload: string, ts: string, nonce: string) => eventSignature(ts, nonce, secrets.encryptKey, payload);

  it('refuses forgeries: wrong token in a signed body, mismatched nonce, odd timestamps, legacy shape', async () => {
    const before = await stored();
    const wrongToken = messageEvent('help');
    wrongToken.header.token = 'not-the-token';
    expect((await post(signed(wrongToken).payload, signed(wrongToken).headers)).statusCode).toBe(401);

    const req = signed(messageEvent('help'));
    expect((await post(req.payload, { ...req.headers, 'x-lark-request-nonce': 'other' })).statusCode).toBe(401);
    expect(
      (
        await post(req.payload, {
          ...req.headers,
          'x-lark-signature': req.headers['x-lark-signature']!.toUpperCase(),
        })
      ).statusCode,
    ).toBe(401);
    for (const name of ['x-lark-request-timestamp', 'x-lark-signature']) {
      const headers = { ...req.headers };
      delete headers[name];
      expect((await post(req.payload, headers)).statusCode, name).toBe(401);
    }
    for (const ts of ['1e9', '-1', 'NaN', '', ' ', '0x10', '99999999999999999999', '1.5']) {
      expect(
        (
          await post(req.payload, {
            ...req.headers,
            'x-lark-request-timestamp': ts,
            'x-lark-signature': resign(req.payload, ts, req.headers['x-lark-request-nonce']!),
          })
        ).statusCode,
        ts,
      ).toBe(401);
    }
    const legacy = JSON.stringify({
      open_id: 'ou_x',
      open_message_id: 'om_x',
      action: { value: { action: 'core.help' } },
      token: 'c-x',
    });
    const ts = String(Math.floor(Date.now() / 1000));
    expect(
      (
        await post(
          legacy,
          {
            'content-type': 'application/json',
            'x-lark-request-timestamp': ts,
            'x-lark-request-nonce': 'n',
            'x-lark-signature': legacyCardSignature(ts, 'n', 'wrong-token', legacy),
          },
          '/webhook/card',
        )
      ).statusCode,
    ).toBe(401);
    expect(await stored()).toBe(before);
  });

  it('stores a replayed request once however many copies arrive at once, and refuses it re-dated', async () => {
    const event = messageEvent('help');
    const req = signed(event);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => post(req.payload, req.headers)));
    expect(statuses.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const { rows } = await t.database.query('select id from lark_events where event_id = $1', [event.header.event_id]);
    expect(rows).toHaveLength(1);
    const later = String(Number(req.headers['x-lark-request-timestamp']) + 60);
    expect((await post(req.payload, { ...req.headers, 'x-lark-request-timestamp': later })).statusCode).toBe(401);
  });

  it('answers 413 on either path to a body over 1 MiB, signed or not', async () => {
    const big = JSON.stringify({
      encrypt: encryptEvent(JSON.stringify(messageEvent('x'.repeat(1024 * 1024))), secrets.encryptKey),
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': 'n',
      'x-lark-signature': resign(big, ts, 'n'),
    };
    for (const url of ['/webhook/event', '/webhook/card']) {
      const res = await post(big, headers, url);
      expect(res.statusCode, url).toBe(413);
      expect(res.json().error.code).toBe('payload_too_large');
    }
  });

  it('answers 400 to malformed bodies of every kind, whatever the content type', async () => {
    const bodies: Array<string | Buffer> = [
      '[]',
      'null',
      '42',
      '"encrypt"',
      'true',
      '\uFEFF{"encrypt":"abc"}',
      '{"encrypt":"abc"',
      '{}}',
      Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28]),
      '['.repeat(100_000),
      `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5001)}`,
    ];
    for (const type of [
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
    ]) {
      for (const body of bodies) {
        const res = await post(body, { 'content-type': type });
        expect([400, 401], `${type} ${String(body).slice(0, 20)}`).toContain(res.statusCode);
        expect(res.json().error.message.length).toBeGreaterThan(0);
      }
    }
  });

  it('answers 400 to bodies that are signed but cannot be decrypted or are not events', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const sign = (payload: string) => ({
      'content-type': 'application/json',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': 'n',
      'x-lark-signature': resign(payload, ts, 'n'),
    });
    const undecryptable = [
      '',
      '!!!not base64!!!',
      Buffer.alloc(40).toString('base64'),
      Buffer.alloc(31).toString('base64'),
      encryptEvent(JSON.stringify(messageEvent('help')), 'another key'),
      encryptEvent('', secrets.encryptKey),
    ];
    for (const encrypt of undecryptable) {
      const payload = JSON.stringify({ encrypt });
      expect((await post(payload, sign(payload))).statusCode, encrypt.slice(0, 20)).toBe(400);
    }
    const notEvents = [
      { schema: '2.0', header: { token: secrets.verificationToken } },
      { schema: '2.0', header: { token: secrets.verificationToken, event_id: 'e1' } },
      { type: 'url_verification', token: secrets.verificationToken },
      { token: secrets.verificationToken, something: 'else' },
    ];
    for (const body of notEvents) {
      const payload = JSON.stringify({ encrypt: encryptEvent(JSON.stringify(body), secrets.encryptKey) });
      expect((await post(payload, sign(payload))).statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('stays up and keeps storing real events after a burst of garbage', async () => {
    const before = await stored();
    const garbage = Array.from({ length: 150 }, (_, i) =>
      post(i % 3 === 0 ? '{' : i % 3 === 1 ? JSON.stringify({ encrypt: 'x'.repeat(i) }) : Buffer.from([i, 0, 255])),
    );
    const good = Array.from({ length: 10 }, () => signed(envelope('im.message.receive_v1', { message: {} })));
    const results = await Promise.all([...garbage, ...good.map((g) => post(g.payload, g.headers))]);
    expect(results.filter((r) => r.statusCode >= 500)).toEqual([]);
    expect(results.slice(-10).map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(await stored()).toBe(before + 10);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
