import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFeishu } from '../../src/feishu/index.js';
import { demoOpenId } from '../../src/sandbox/index.js';
import { startTestSandbox, type TestSandbox } from './helpers.js';

// The bot's own Feishu client (src/feishu) against the sandbox: storms and expiry are absorbed, nothing is sent twice.
describe('the bot client under sandbox faults', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  const feishu = () =>
    createFeishu({
      appId: t.sandbox.credentials.appId,
      appSecret: t.sandbox.credentials.appSecret,
      baseUrl: t.sandbox.url,
      log: pino({ level: 'silent' }),
      retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 40 },
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 40))),
    });

  it('absorbs a 429 storm, 5xx, lost answers and token expiry; each message lands once', async () => {
    t = await startTestSandbox();
    const { messages } = feishu();
    await messages.send({ to: { openId: demoOpenId('lina') }, key: 'warm-up', text: '早上好' });
    t.sandbox.faults.rateLimitNext(4, { pathPrefix: '/open-apis/im/', resetSeconds: 1 });
    t.sandbox.faults.failNext(1, { status: 502, pathPrefix: '/open-apis/im/' });
    t.sandbox.faults.failNext(2, { status: 500, pathPrefix: '/open-apis/im/', afterProcessing: true });
    t.sandbox.faults.expireTokens();
    const people = ['lina', 'huanglei', 'zhoutingting', 'wugang', 'sunyue'];
    await Promise.all(
      people.map((p) => messages.send({ to: { openId: demoOpenId(p) }, key: `digest:${p}`, text: `日报 ${p}` })),
    );
    const texts = t.sandbox.state.botMessages().map((m) => (JSON.parse(m.content) as { text: string }).text);
    expect(texts.sort()).toEqual(['早上好', ...people.map((p) => `日报 ${p}`)].sort());
    expect(t.sandbox.faults.snapshot().rules).toEqual([]);
  });
});
