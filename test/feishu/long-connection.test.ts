import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { startLongConnection } from '../../src/feishu/long-connection.js';
import { startProduct } from '../../src/start.js';
import { blockNetwork, buildTestApp, secrets, type TestApp, LogCapture } from '../helpers/app.js';
import { createPostgresDatabase, testDatabaseUrl } from '../helpers/db.js';
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
    const seen: { params?: Record<string, unknown>; invoke?: (data: unknown) => Promise<unknown>; closed: boolean } = {
      closed: false,
    };
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
    const { rows } = await t.database.query<{ source: string; status: string }>(
      'select source, status from lark_events where event_id = $1',
      [event.header.event_id],
    );
    expect(rows).toEqual([{ source: 'websocket', status: 'received' }]);
  });

  it('returns the card callback answer in the ack', async () => {
    const { seen, connection } = fakeClient();
    const answer = (await seen.invoke!(cardAction({ action: 'core.help' }))) as {
      card: { type: string; data: { header: unknown } };
    };
    expect(answer.card.type).toBe('raw');
    expect(JSON.stringify(answer.card.data.header)).toContain('帮助');
    connection.close();
    expect(seen.closed).toBe(true);
  });
});

// issue 17 §8: the long connection says when it is down.
describe('long connection readiness', () => {
  let dataDir: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await drop?.();
    drop = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers /readyz 503 until the connection is up and while it is down, with the state in the body', async () => {
    blockNetwork();
    dataDir = await mkdtemp(join(tmpdir(), 'fo-ws-'));
    const pg = testDatabaseUrl ? await createPostgresDatabase(testDatabaseUrl) : undefined;
    drop = pg?.drop;
    const config = loadConfig({
      NODE_ENV: 'test',
      LARK_APP_ID: secrets.appId,
      LARK_APP_SECRET: secrets.appSecret,
      LARK_EVENT_MODE: 'websocket',
      LARK_BASE_URL: 'https://open.feishu.test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    });
    let sdk: { onReady(): void; onReconnecting(): void; onError(err: Error): void } | undefined;
    const running = await startProduct({
      config,
      log: createLogger('debug', new LogCapture().stream),
      cron: false,
      longConnection: {
        createClient: (params) => {
          sdk = params as never;
          return { start: async () => undefined, close: () => undefined } as never;
        },
      },
    });
    const readyz = async () => {
      const res = await running.app.inject({ method: 'GET', url: '/readyz' });
      return {
        code: res.statusCode,
        body: res.json() as { status: string; longConnection?: { state: string; error?: string } },
      };
    };
    try {
      expect(await readyz()).toMatchObject({ code: 503, body: { longConnection: { state: 'connecting' } } });
      sdk!.onReady();
      expect(await readyz()).toMatchObject({
        code: 200,
        body: { status: 'ready', longConnection: { state: 'connected' } },
      });
      sdk!.onReconnecting();
      expect(await readyz()).toMatchObject({ code: 503, body: { longConnection: { state: 'reconnecting' } } });
      sdk!.onError(new Error('invalid appId'));
      expect(await readyz()).toMatchObject({
        code: 503,
        body: { longConnection: { state: 'failed', error: 'invalid appId' } },
      });
    } finally {
      await running.stop();
    }
  }, 120_000);
});
