import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { sample, startTestSandbox, type TestSandbox } from './helpers.js';

const send = (t: TestSandbox, text: string) =>
  t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
    body: { receive_id: demoOpenId('lina'), msg_type: 'text', content: JSON.stringify({ text }) },
  });

describe('sandbox fault injection', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  it('answers the next N matching requests with 5xx, others untouched', async () => {
    t = await startTestSandbox();
    await t.token();
    t.sandbox.faults.failNext(2, { status: 503, pathPrefix: '/open-apis/im/' });
    expect((await t.call('GET', '/open-apis/contact/v3/users/' + demoOpenId('lina'))).status).toBe(200);
    const first = await send(t, 'a');
    expect(first.status).toBe(503);
    expect(first.body.code).toBe(503);
    expect((await send(t, 'b')).status).toBe(503);
    expect((await send(t, 'c')).status).toBe(200);
    expect(t.sandbox.state.botMessages()).toHaveLength(1);
  });

  it('can lose the answer after doing the work, so only a uuid-carrying retry avoids a duplicate', async () => {
    t = await startTestSandbox();
    await t.token();
    t.sandbox.faults.failNext(1, { status: 500, pathPrefix: '/open-apis/im/', afterProcessing: true });
    const body = { receive_id: demoOpenId('lina'), msg_type: 'text', content: '{"text":"once"}', uuid: 'lost-1' };
    const lost = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', { body });
    expect(lost.status).toBe(500);
    expect(t.sandbox.state.botMessages()).toHaveLength(1);
    const retry = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', { body });
    expect(retry.body.data!.message_id).toBe(t.sandbox.state.botMessages()[0]!.message_id);
    expect(t.sandbox.state.botMessages()).toHaveLength(1);
  });

  it('answers a 429 storm with the documented body and reset header', async () => {
    t = await startTestSandbox();
    await t.token();
    t.sandbox.faults.rateLimitNext(3, { resetSeconds: 2 });
    const expected = sample<{ body: object }>('error.rate_limit.429.json');
    for (let i = 0; i < 3; i++) {
      const res = await send(t, `s${i}`);
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject(expected.body);
      expect(res.headers.get('x-ogw-ratelimit-reset')).toBe('2');
      expect(res.headers.get('x-ogw-ratelimit-limit')).toBeTruthy();
    }
    expect((await send(t, 'ok')).status).toBe(200);
  });

  it('adds latency and expires tokens on demand', async () => {
    t = await startTestSandbox();
    const token = await t.token();
    t.sandbox.faults.setLatency(120, '/open-apis/im/');
    const started = Date.now();
    await send(t, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    t.sandbox.faults.setLatency(0);
    t.sandbox.faults.expireTokens();
    expect((await t.call('GET', '/open-apis/im/v1/chats', { token })).body.code).toBe(99991663);
  });

  it('is driven over HTTP under /sandbox/admin/faults for demos', async () => {
    t = await startTestSandbox();
    await t.token();
    const post = (body: object) =>
      fetch(`${t.sandbox.url}/sandbox/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ kind: 'rate-limit', count: 1, resetSeconds: 5 })).status).toBe(200);
    expect((await post({ kind: 'nonsense' })).status).toBe(400);
    const snapshot = (await (await fetch(`${t.sandbox.url}/sandbox/admin/faults`)).json()) as { rules: unknown[] };
    expect(snapshot.rules).toMatchObject([{ kind: 'rate-limit', remaining: 1, resetSeconds: 5 }]);
    expect((await send(t, 'x')).headers.get('x-ogw-ratelimit-reset')).toBe('5');
    await post({ kind: 'drop-deliveries', count: 2 });
    expect(t.sandbox.faults.snapshot().dropDeliveries).toBe(2);
    await fetch(`${t.sandbox.url}/sandbox/admin/faults`, { method: 'DELETE' });
    expect(t.sandbox.faults.snapshot()).toMatchObject({ rules: [], dropDeliveries: 0, latency: null });
  });
});
