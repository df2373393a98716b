import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import pino from 'pino';
import { createFeishu, FeishuApiError } from '../../src/feishu/index.js';
import { clientToken, messageUuid } from '../../src/feishu/idempotency.js';
import { blockNetwork, FEISHU_URL, LogCapture, nockToken, secrets } from '../helpers/app.js';

const sent = (id: string) => ({ code: 0, msg: 'success', data: { message_id: id, chat_id: 'oc_1' } });

describe('Feishu client', () => {
  beforeAll(blockNetwork);
  afterEach(() => nock.cleanAll());

  function client(delays: number[] = [], logs = new LogCapture()) {
    return {
      logs,
      feishu: createFeishu({
        appId: secrets.appId,
        appSecret: secrets.appSecret,
        baseUrl: FEISHU_URL,
        log: pino({ level: 'debug' }, logs.stream),
        sleep: async (ms) => {
          delays.push(ms);
        },
      }),
    };
  }
  const send = (feishu: ReturnType<typeof client>['feishu'], key = 'evt-1:reply') =>
    feishu.messages.send({ to: { chatId: 'oc_1' }, text: 'hi', key });

  it('retries after a 429, waiting as long as x-ogw-ratelimit-reset says', async () => {
    nockToken();
    const delays: number[] = [];
    const uuids: string[] = [];
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query({ receive_id_type: 'chat_id' })
      .reply(
        429,
        { code: 99991400, msg: 'request trigger frequency limit' },
        { 'x-ogw-ratelimit-limit': '100', 'x-ogw-ratelimit-reset': '2' },
      )
      .post('/open-apis/im/v1/messages')
      .query(true)
      .reply(200, (_uri, body) => {
        uuids.push((body as { uuid: string }).uuid);
        return sent('om_1');
      });
    const { feishu, logs } = client(delays);
    expect(await send(feishu)).toEqual({ messageId: 'om_1', chatId: 'oc_1' });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(uuids).toEqual([messageUuid('evt-1:reply')]);
    expect(logs.messages()).toContain('feishu call failed, backing off');
  });

  it('retries 5xx with growing backoff and then succeeds', async () => {
    nockToken();
    const delays: number[] = [];
    nock(FEISHU_URL).post('/open-apis/im/v1/messages').query(true).times(3).reply(503, 'unavailable');
    nock(FEISHU_URL).post('/open-apis/im/v1/messages').query(true).reply(200, sent('om_2'));
    const { feishu } = client(delays);
    expect((await send(feishu)).messageId).toBe('om_2');
    expect(delays).toHaveLength(3);
    expect(Math.max(...delays.slice(0, 1))).toBeLessThanOrEqual(300);
    expect(delays[2]!).toBeGreaterThanOrEqual(600); // third wait: ceiling 1200 ms, at least half
  });

  it('retries HTTP 400 carrying the legacy rate-limit code', async () => {
    nockToken();
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query(true)
      .reply(400, { code: 99991400, msg: 'request trigger frequency limit' });
    nock(FEISHU_URL).post('/open-apis/im/v1/messages').query(true).reply(200, sent('om_3'));
    expect((await send(client().feishu)).messageId).toBe('om_3');
  });

  it('refreshes the token once on an invalid-token code and retries', async () => {
    nockToken(1, 't-old');
    nockToken(1, 't-new');
    const auth: string[] = [];
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query(true)
      .times(2)
      .reply(function () {
        auth.push(String(this.req.headers.authorization));
        return auth.length === 1
          ? [400, { code: 99991663, msg: 'Invalid access token for authorization' }]
          : [200, sent('om_4')];
      });
    expect((await send(client().feishu)).messageId).toBe('om_4');
    expect(auth).toEqual(['Bearer t-old', 'Bearer t-new']);
  });

  it('gives up after one refresh when the new token is rejected too', async () => {
    nockToken(2);
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query(true)
      .times(2)
      .reply(400, { code: 99991663, msg: 'tenant token invalid' });
    await expect(send(client().feishu)).rejects.toMatchObject({ name: 'FeishuApiError', code: 99991663 });
  });

  it('shares one token request among many concurrent callers', async () => {
    const token = nockToken(1);
    nock(FEISHU_URL).post('/open-apis/im/v1/messages').query(true).times(10).reply(200, sent('om_x'));
    const { feishu } = client();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        feishu.messages.send({ to: { chatId: `oc_${i}` }, text: 'x', key: `k${i}` }),
      ),
    );
    token.done();
  });

  it('refreshes an expired token once for many callers that hit it at the same moment', async () => {
    const tokens = nockToken(1, 't-old');
    nockToken(1, 't-new');
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query(true)
      .times(20)
      .reply(function () {
        return this.req.headers.authorization === 'Bearer t-old'
          ? [400, { code: 99991663, msg: 'tenant token invalid' }]
          : [200, sent('om_fresh')];
      });
    const { feishu } = client();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        feishu.messages.send({ to: { chatId: `oc_${i}` }, text: 'x', key: `k${i}` }),
      ),
    );
    expect(results.every((r) => r.messageId === 'om_fresh')).toBe(true);
    tokens.done();
    expect(nock.pendingMocks().filter((m) => m.includes('tenant_access_token'))).toEqual([]);
  });

  it('turns code != 0 into a typed error without retrying a permanent one', async () => {
    nockToken();
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query(true)
      .reply(200, { code: 230002, msg: 'Bot is not in the chat', error: { log_id: 'log-123' } });
    const err = await send(client().feishu).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeishuApiError);
    expect(err).toMatchObject({ code: 230002, msg: 'Bot is not in the chat', httpStatus: 200, logId: 'log-123' });
  });

  it('stops after the attempt limit on a persistent 429', async () => {
    nockToken();
    nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages')
      .query(true)
      .times(6)
      .reply(429, { code: 99991400, msg: 'limit' });
    await expect(send(client().feishu)).rejects.toMatchObject({ code: 99991400, httpStatus: 429 });
  });

  it('reports a wrong app secret clearly and never logs it', async () => {
    nock(FEISHU_URL)
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .reply(200, { code: 10014, msg: 'app secret invalid' });
    const { feishu, logs } = client();
    await expect(send(feishu)).rejects.toMatchObject({ code: 10014 });
    expect(logs.lines.join('\n')).not.toContain(secrets.appSecret);
  });

  it('derives the same idempotency keys for the same step, and valid shapes', () => {
    expect(messageUuid('e1:reply')).toBe(messageUuid('e1:reply'));
    expect(messageUuid('e1:reply')).not.toBe(messageUuid('e1:reply-2'));
    expect(messageUuid('x').length).toBeLessThanOrEqual(50);
    expect(clientToken('job-1:create')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
