import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { startTestSandbox, type TestSandbox } from './helpers.js';

describe('the official SDK against the sandbox', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  const client = () =>
    new lark.Client({
      appId: t.sandbox.credentials.appId,
      appSecret: t.sandbox.credentials.appSecret,
      domain: t.sandbox.url,
      loggerLevel: lark.LoggerLevel.error,
      disableTokenCache: false,
    });

  it('fetches a token, sends and replies to messages, reads contacts', async () => {
    t = await startTestSandbox();
    const c = client();
    const token = await c.auth.tenantAccessToken.internal({
      data: { app_id: t.sandbox.credentials.appId, app_secret: t.sandbox.credentials.appSecret },
    });
    expect(token).toMatchObject({ code: 0, msg: 'ok', tenant_access_token: expect.stringMatching(/^t-/) });
    expect((token as { expire: number }).expire).toBeGreaterThan(7000);
    const sent = await c.im.message.create({
      params: { receive_id_type: 'open_id' },
      data: {
        receive_id: demoOpenId('lina'),
        msg_type: 'text',
        content: JSON.stringify({ text: '你好' }),
        uuid: 'sdk-1',
      },
    });
    expect(sent.code).toBe(0);
    expect(sent.data?.message_id).toMatch(/^om_/);
    const reply = await c.im.message.reply({
      path: { message_id: sent.data!.message_id! },
      data: { msg_type: 'text', content: JSON.stringify({ text: '再见' }) },
    });
    expect(reply.data?.parent_id).toBe(sent.data!.message_id);
    const user = await c.contact.user.get({
      path: { user_id: demoOpenId('lina') },
      params: { user_id_type: 'open_id' },
    });
    expect(user.data?.user).toMatchObject({ name: '李娜', en_name: 'Li Na' });
    const chats = await c.im.chat.list({ params: { page_size: 50 } });
    expect(chats.data?.items?.length).toBeGreaterThanOrEqual(10);
  });

  it('creates a base, batch_creates with client_token and searches', async () => {
    t = await startTestSandbox();
    const c = client();
    const app = await c.bitable.app.create({ data: { name: 'SDK 台账' } });
    const appToken = app.data!.app!.app_token!;
    const table = await c.bitable.appTable.create({
      path: { app_token: appToken },
      data: {
        table: {
          name: '表',
          fields: [
            { field_name: '名称', type: 1 },
            { field_name: '数量', type: 2 },
          ],
        },
      },
    });
    const path = { app_token: appToken, table_id: table.data!.table_id! };
    const records = Array.from({ length: 25 }, (_, i) => ({ fields: { 名称: `item-${i}`, 数量: i } }));
    const created = await c.bitable.appTableRecord.batchCreate({
      path,
      params: { client_token: 'b6a0c3de-0000-4000-8000-000000000001' },
      data: { records },
    });
    expect(created.data?.records).toHaveLength(25);
    await c.bitable.appTableRecord.batchCreate({
      path,
      params: { client_token: 'b6a0c3de-0000-4000-8000-000000000001' },
      data: { records },
    });
    const found = await c.bitable.appTableRecord.search({
      path,
      params: { page_size: 10 },
      data: {
        filter: { conjunction: 'and', conditions: [{ field_name: '数量', operator: 'isGreaterEqual', value: ['20'] }] },
        sort: [{ field_name: '数量', desc: true }],
      },
    });
    expect(found.data?.total).toBe(5);
    expect(found.data?.items?.[0]?.fields).toMatchObject({ 名称: [{ type: 'text', text: 'item-24' }], 数量: 24 });
    let pages = 0;
    let seen = 0;
    for await (const page of await c.bitable.appTableRecord.searchWithIterator({
      path,
      params: { page_size: 10 },
      data: {},
    })) {
      pages += 1;
      seen += page?.items?.length ?? 0;
    }
    expect({ pages, seen }).toEqual({ pages: 3, seen: 25 });
    const sub = await c.drive.file.subscribe({ path: { file_token: appToken }, params: { file_type: 'bitable' } });
    expect(sub).toMatchObject({ code: 0, msg: 'success', data: {} });
    const status = await c.drive.file.getSubscribe({
      path: { file_token: appToken },
      params: { file_type: 'bitable' },
    });
    expect(status.data).toMatchObject({ is_subscribe: true });
    await c.drive.file.deleteSubscribe({ path: { file_token: appToken }, params: { file_type: 'bitable' } });
    expect(t.sandbox.state.subscriptions()).toEqual([]);
  });

  it('surfaces sandbox rate limits to the SDK as axios errors with the documented body and headers', async () => {
    t = await startTestSandbox();
    const c = client();
    t.sandbox.faults.rateLimitNext(1, { pathPrefix: '/open-apis/im/', resetSeconds: 3 });
    const err = await c.im.message
      .create({
        params: { receive_id_type: 'open_id' },
        data: { receive_id: demoOpenId('lina'), msg_type: 'text', content: '{"text":"x"}' },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { response: { status: number; data: unknown; headers: Record<string, string> } },
      );
    expect(err?.response.status).toBe(429);
    expect(err?.response.data).toMatchObject({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(err?.response.headers['x-ogw-ratelimit-reset']).toBe('3');
  });
});
