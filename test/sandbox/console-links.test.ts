import { existsSync } from 'node:fs';
import * as lark from '@larksuiteoapi/node-sdk';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { startTestSandbox, type TestSandbox } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const agent = demoOpenId('wangxiaoli');
const HOSTILE = [
  'javascript:alert(document.domain)',
  ' JavaScript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
];

// URLs typed into a Bitable URL field or put into a card's open_url are user data: only http(s) becomes a link.
describe('sandbox console: URLs from fields are links only when http(s)', () => {
  let t: TestSandbox;
  let client: lark.Client;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (this test never skips)`,
      );
    t = await startTestSandbox({ retryScale: 0.001 });
    client = new lark.Client({
      appId: t.sandbox.credentials.appId,
      appSecret: t.sandbox.credentials.appSecret,
      domain: t.sandbox.url,
      loggerLevel: lark.LoggerLevel.error,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN' });
    // The console runs under its Content-Security-Policy: anything it blocks is recorded.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a non-http(s) URL cell as plain text and an https one as a link', async () => {
    const created = await client.bitable.app.create({ data: { name: '链接 Links' } });
    const appToken = created.data!.app!.app_token!;
    const table = await client.bitable.appTable.create({
      path: { app_token: appToken },
      data: {
        table: {
          name: '链接表 Links',
          fields: [
            { field_name: '名称 Name', type: 1 },
            { field_name: '链接 Link', type: 15 },
          ],
        },
      },
    });
    const records = [
      ...HOSTILE.map((link, i) => ({
        fields: { '名称 Name': `hostile-${i}`, '链接 Link': { text: `登录 ${i}`, link } },
      })),
      { fields: { '名称 Name': 'safe', '链接 Link': { text: '手册 Guide', link: 'https://example.com/guide' } } },
    ];
    await client.bitable.appTableRecord.batchCreate({
      path: { app_token: appToken, table_id: table.data!.table_id! },
      data: { records },
    });

    await page.goto(`${t.sandbox.consoleUrl}?user=${agent}`);
    await page.locator('.rail-item[data-view=base]').click();
    await page.locator('[data-testid=base-table]', { hasText: '链接表' }).click();
    const cell = (name: string) =>
      page.locator('[data-testid=grid] tbody tr', { hasText: name }).locator('td[data-field="链接 Link"]');
    await cell('safe').locator('a').waitFor();
    expect(await cell('safe').locator('a').getAttribute('href')).toBe('https://example.com/guide');
    for (let i = 0; i < HOSTILE.length; i++) {
      await expect.poll(() => cell(`hostile-${i}`).textContent()).toBe(`登录 ${i}`);
      expect(await cell(`hostile-${i}`).locator('a').count(), HOSTILE[i]).toBe(0);
    }
    expect(
      await page.locator('[data-testid=grid] a[href^="javascript" i], [data-testid=grid] a[href^="data" i]').count(),
    ).toBe(0);
  });

  it('does nothing for a card button whose open_url is not http(s)', async () => {
    const button = (label: string, url: string) => ({
      tag: 'button',
      text: { tag: 'plain_text', content: label },
      behaviors: [{ type: 'open_url', default_url: url }],
    });
    const card = {
      schema: '2.0',
      header: { title: { tag: 'plain_text', content: '链接卡片 Link card' } },
      body: { elements: HOSTILE.map((url, i) => button(`打开 ${i}`, url)) },
    };
    await client.im.message.create({
      params: { receive_id_type: 'open_id' },
      data: { receive_id: agent, msg_type: 'interactive', content: JSON.stringify(card) },
    });

    await page.locator('.rail-item[data-view=chat]').click();
    await page.locator('[data-testid=chat-p2p]').first().click();
    const shown = page.locator('[data-testid=card]', { hasText: '链接卡片' });
    await shown.waitFor();
    const pagesBefore = browser.contexts().flatMap((c) => c.pages()).length;
    for (let i = 0; i < HOSTILE.length; i++) await shown.getByRole('button', { name: `打开 ${i}` }).click();
    // A click is handled synchronously: a popup or an alert would have been created by now.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(browser.contexts().flatMap((c) => c.pages()).length).toBe(pagesBefore);
    expect(dialogs).toEqual([]);
  });

  it('serves the console page under a Content-Security-Policy it keeps to', async () => {
    const res = await fetch(`${t.sandbox.consoleUrl}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    // The Open API is not a page: no page headers there.
    expect(
      (await fetch(`${t.sandbox.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST' })).headers.get(
        'content-security-policy',
      ),
    ).toBeNull();
  });
});
