import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { launchChromium, settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

const ARTIFACTS = 'test-artifacts/e2e';
const agent = demoOpenId('wangxiaoli');

describe('the product in the sandbox console (headless Chromium)', () => {
  let product: TestProduct;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    product = await startTestProduct();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
  }, START_BUDGET_MS);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  const chatOf = (openId: string) => product.sandbox!.state.p2pChatOf(openId)!.chat_id;
  const send = async (text: string) => {
    await page.locator('[data-testid=composer-input]').fill(text);
    await page.keyboard.press('Enter');
  };

  it('answers 帮助 with the help card generated from the registered commands', async () => {
    await page.goto(`${product.sandbox!.consoleUrl}?user=${agent}`);
    await expect.poll(() => page.locator('[data-testid=user-select]').inputValue()).toBe(agent);
    // The identity picker groups people by team (department), each group labelled.
    const groups = page.locator('[data-testid=user-select] optgroup');
    expect(await groups.count()).toBeGreaterThan(1);
    for (const label of await groups.evaluateAll((gs) => gs.map((g) => (g as HTMLOptGroupElement).label)))
      expect(label.trim()).not.toBe('');
    expect(await page.locator(`[data-testid=user-select] optgroup option[value="${agent}"]`).count()).toBe(1);
    await send('帮助');
    const card = page.locator('[data-testid=card]').last();
    await card.locator('[data-testid=card-title]', { hasText: '使用帮助' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => card.innerText()).toContain('帮助');
    await page.screenshot({ path: `${ARTIFACTS}/01-help.png` });
  });

  it('answers unknown text with a hint card whose button turns it into the help card in place', async () => {
    await send('hepl');
    const hint = page.locator('[data-testid=card]').last();
    await hint.locator('[data-testid=card-title]', { hasText: '没听懂' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${ARTIFACTS}/02-hint.png` });
    const before = await page.locator('[data-testid=card]').count();
    const botCards = product.sandbox!.state.botMessages().filter((m) => m.chat_id === chatOf(agent)).length;
    await hint.getByRole('button', { name: /查看帮助/ }).click();
    await hint.locator('[data-testid=card-title]', { hasText: '使用帮助' }).waitFor({ timeout: 10_000 });
    // Updated in place, not a new message: asked once nothing is left to deliver or run.
    await settled(product);
    expect(product.sandbox!.state.botMessages().filter((m) => m.chat_id === chatOf(agent))).toHaveLength(botCards);
    expect(await page.locator('[data-testid=card]').count()).toBe(before);
    await page.screenshot({ path: `${ARTIFACTS}/03-hint-became-help.png` });
  });

  it('stored each chat message as one processed event', async () => {
    // The reply is sent before its event is marked done: poll for the final state.
    const byStatus = async () =>
      (
        await product.deps.database.query<{ status: string; n: number }>(
          `select status, count(*)::int as n from lark_events where event_type = 'im.message.receive_v1' group by
            status`,
        )
      ).rows;
    await expect.poll(byStatus, { timeout: 20_000 }).toEqual([{ status: 'done', n: 2 }]);
  });

  it('echoes hostile text in the hint card as plain characters: no mention, no link, no bold', async () => {
    const typed = '<at id=all></at> [登录](https://evil.example/login) **粗** :OK:';
    await send(typed);
    const hint = page.locator('[data-testid=card]').last();
    await expect.poll(() => hint.innerText(), { timeout: 20_000 }).toContain(typed);
    expect(await hint.locator('.at').count()).toBe(0);
    expect(await hint.locator('a').count()).toBe(0);
    expect(await hint.locator('b', { hasText: /^粗$/ }).count()).toBe(0); // the echo itself is bold; the typed ** is not
    await page.screenshot({ path: `${ARTIFACTS}/04-hostile-hint.png` });
  });

  it('suggests whom to act as next: the owner who got the new case card, one click away', async () => {
    await send('异常件 丢件 TM2026113001 ¥89 一周没有物流更新');
    const step = page.locator('[data-testid=next-step]').first();
    await step.waitFor({ timeout: 30_000 });
    const owner = await step.locator('button').getAttribute('data-open-id');
    expect(owner).toMatch(/^ou_/);
    expect(owner).not.toBe(agent);
    await page.screenshot({ path: `${ARTIFACTS}/05-next-step.png` });
    await step.locator('button').click();
    await expect.poll(() => page.locator('[data-testid=user-select]').inputValue()).toBe(owner);
    // Acting as the owner, their chat with the bot holds the card that has the buttons. The chat and the
    // suggestions load after the switch: until then the page still shows the agent's.
    const ownerChat = product.sandbox!.state.p2pChatOf(owner!)!.chat_id;
    const latest = product.sandbox!.state.messages({ chatId: ownerChat }).at(-1)!;
    await page.locator(`[data-testid=messages] [data-message-id="${latest.message_id}"]`).waitFor({ timeout: 20_000 });
    const card = page.locator('[data-testid=card]').last();
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getByRole('button').count()).toBeGreaterThan(0);
    // The owner is no longer suggested to themselves (once the list shown is the owner's, not the agent's).
    const suggested = () =>
      page
        .locator('[data-testid=next-step] button')
        .evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.openId));
    await expect.poll(suggested, { timeout: 20_000 }).not.toContain(owner);
  });
});
