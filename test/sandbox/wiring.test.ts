import { describe, expect, it } from 'vitest';
import { sandboxBanner, sandboxFeishuConfig } from '../../src/sandbox/index.js';
import { startTestSandbox } from './helpers.js';

describe('sandbox wiring helpers', () => {
  it('gives the bot its Feishu settings and prints one short start-up block', async () => {
    const t = await startTestSandbox();
    try {
      expect(sandboxFeishuConfig(t.sandbox)).toEqual({
        ...t.sandbox.credentials,
        baseUrl: t.sandbox.url,
        eventMode: 'webhook',
      });
      const banner = sandboxBanner(t.sandbox, { dashboardUrl: 'http://127.0.0.1:3000/dashboard' });
      expect(banner).toContain(t.sandbox.consoleUrl);
      expect(banner).toContain('http://127.0.0.1:3000/dashboard');
      expect(banner.split('\n').length).toBeLessThanOrEqual(8);
      const page = await fetch(t.sandbox.consoleUrl);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('飞书沙箱');
      expect((await fetch(`${t.sandbox.url}/sandbox/assets/cards.js`)).status).toBe(200);
      expect((await fetch(`${t.sandbox.url}/sandbox/assets/../index.ts`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
