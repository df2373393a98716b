import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLongConnection } from '../../src/feishu/long-connection.js';
import { blockNetwork, buildTestApp, secrets, type TestApp } from '../helpers/app.js';
import { cardAction, messageEvent } from '../helpers/events.js';

describe('long-connection mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ env: { LARK_EVENT_MODE: 'websocket' } });
  });
  afterAll(() => t.close());

  // Stands in for the SDK's WSClient: it hands us payloads through eventDispatcher.invoke.
  function fakeClient() {
    const seen: { params?: Record<string, unknown>; invoke?: (data: unknown) => Promise<unknown>; closed: boolean } = { closed: false };
    const connection = startLongConnection({
      appId: secrets.appId,
      appSecret: secrets.appSecret,
      baseUrl: 'https://open.feishu.test',
      log: t.log,
      receive: (body) => t.intake.receive(body, 'websocket'),
      createClient: (params) => {
        seen.params = params as unknown as Record<string, unknown>;
        return {
          start: async ({ eventDispatcher }: { eventDispatcher: { invoke(d: unknown): Promise<unknown> } }) => {
            seen.invoke = (d) => eventDispatcher.invoke(d);
          },
          close: () => {
            seen.closed = true;
          },
        } as never;
      },
    });
    return { seen, connection };
  }

  it('feeds events from the SDK connection into the same inbox as the webhook', async () => {
    const { seen } = fakeClient();
    expect(seen.params).toMatchObject({ appId: secrets.appId, domain: 'https://open.feishu.test' });
    const event = messageEvent('help');
    expect(await seen.invoke!(event)).toEqual({});
    const { rows } = await t.database.query<{ source: string; status: string }>('select source, status from lark_events where event_id = $1', [event.header.event_id]);
    expect(rows).toEqual([{ source: 'websocket', status: 'received' }]);
  });

  it('returns the card callback answer in the ack', async () => {
    const { seen, connection } = fakeClient();
    const answer = (await seen.invoke!(cardAction({ action: 'core.help' }))) as { card: { type: string; data: { header: unknown } } };
    expect(answer.card.type).toBe('raw');
    expect(JSON.stringify(answer.card.data.header)).toContain('帮助');
    connection.close();
    expect(seen.closed).toBe(true);
  });
});
