import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { launchChromium, startTestProduct, type TestProduct } from '../helpers/product.js';

const ARTIFACTS = 'test-artifacts/e2e';

describe('the workbench dashboard', () => {
  let product: TestProduct;
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    product = await startTestProduct({ seedDemo: true, cron: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('opens from the console signed in as the acting person and shows the exception report', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
    const lead = demoOpenId('dongjie');
    await page.goto(`${product.sandbox!.consoleUrl}?user=${lead}`);
    const href = await page.locator('[data-testid=open-workbench]').getAttribute('href');
    expect(href).toContain(encodeURIComponent(lead));
    await page.goto(new URL(href!, product.sandbox!.consoleUrl).toString());
    await page.locator('[data-testid=viewer]', { hasText: '董杰' }).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).search).toBe(''); // the one-time code is not left in the address bar
    await page.locator('[data-testid=kpi]').first().waitFor();
    expect(await page.locator('[data-testid=kpi]').count()).toBe(6);
    await expect.poll(() => page.locator('#kpis').innerText()).toMatch(/在办 Open\s+\d+/);
    await page.locator('#chart-open canvas').waitFor();
    await page.waitForTimeout(600); // let the charts finish their entry animation for the screenshot
    await page.screenshot({ path: `${ARTIFACTS}/04-dashboard.png`, fullPage: true });
  });

  it('keeps strangers out: no session, a forged cookie, a reused code', async () => {
    const anonymous = await fetch(`${product.url}/api/exceptions/report`);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${product.url}/api/exceptions/report`, { headers: { cookie: 'fo_session=eyJvcGVuSWQiOiJvdV94IiwiZXhwIjo5OTk5OTk5OTk5OTk5fQ.forged' } });
    expect(forged.status).toBe(401);
    const reused = await fetch(`${product.url}/api/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'not-a-real-code-123' }) });
    expect(reused.status).toBe(401);
  });

  it('lets a signed-in person read but not write through the ingest API', async () => {
    const redirect = await fetch(`${product.sandbox!.url}/sandbox/workbench?user=${demoOpenId('wangxiaoli')}`, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const login = await fetch(`${product.url}/api/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${product.url}/api/exceptions/report`, { headers: { cookie } })).status).toBe(200);
    const write = await fetch(`${product.url}/api/exceptions`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(write.status).toBe(401);
    const again = await fetch(`${product.url}/api/dashboard/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(again.status).toBe(401); // a login code works once
  });
});
