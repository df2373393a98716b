import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { launchChromium, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

const ARTIFACTS = 'test-artifacts/e2e';

// The "edit a Bitable cell and see the bot react", with the real bot, in the browser.
describe('editing the exception table in the sandbox console (headless Chromium)', () => {
  let product: TestProduct;
  let browser: Browser;
  let page: Page;
  const agent = demoOpenId('wangxiaoli');
  const clerk = demoOpenId('xiejun');

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    product = await startTestProduct({ cron: false });
    await waitFor(
      async () =>
        (
          await product.deps.database
            .query(`select 1 from mirror_tables where table_key = 'exceptions'`)
            .catch(() => ({ rows: [] }))
        ).rows.length > 0,
      'Base provisioned',
      60_000,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  }, START_BUDGET_MS);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('a warehouse clerk types the tracking number into the grid and the case moves on', async () => {
    // An agent reports a lost parcel in chat; the case lands in the table waiting on the warehouse.
    product.sandbox!.actions.sendUserMessage({
      userOpenId: agent,
      chatId: product.sandbox!.state.p2pChatOf(agent)!.chat_id,
      text: '异常件 丢件 TM2026120199 ¥66 顾客催单',
    });
    const caseRow = await waitFor(
      async () => {
        const { rows } = await product.deps.database.query<{
          id: number;
          bitable_record_id: string | null;
          card_message_id: string | null;
        }>(`select id, bitable_record_id, card_message_id from exceptions_cases where order_no = 'TM2026120199'`);
        return rows[0]?.bitable_record_id && rows[0].card_message_id ? rows[0] : undefined;
      },
      'case in the table',
      45_000,
    );

    await page.goto(`${product.sandbox!.consoleUrl}?user=${clerk}`);
    await page.locator('.rail-item[data-view=base]').click();
    await page.locator('[data-testid=base-table]', { hasText: '异常件工单' }).click();
    const row = page.locator('[data-testid=grid] tbody tr', { hasText: 'TM2026120199' });
    await row.waitFor();
    const cell = row.locator('td[data-field="物流单号"]');
    await cell.click();
    await cell.locator('input').fill('SF1234567890123');
    await cell.locator('input').press('Enter');
    await page.locator('[data-testid=toast]', { hasText: '已保存' }).first().waitFor();

    await waitFor(async () => {
      const { rows } = await product.deps.database.query<{ state: string }>(
        'select state from exceptions_cases where id = $1',
        [caseRow.id],
      );
      return rows[0]?.state === 'in_progress';
    }, 'the case moved on');
    // The bot writes the new state back into the row the clerk is looking at.
    await expect.poll(() => row.locator('td[data-field="状态"]').innerText(), { timeout: 15_000 }).toContain('处理中');
    await page.screenshot({ path: `${ARTIFACTS}/05-bitable-edit.png` });

    // …and the team's one case card, in the group chat, now says so too.
    // The card update is its own job, after the state change: poll for it like the grid cell above.
    const card = () => product.sandbox!.state.botMessages().find((m) => m.message_id === caseRow.card_message_id)!;
    await expect
      .poll(() => card().updated === true && card().content.includes('处理中'), { timeout: 15_000 })
      .toBe(true);
  });

  it('puts a state a person picks in the grid back to the true one, and tells them once why', async () => {
    const row = page.locator('[data-testid=grid] tbody tr', { hasText: 'TM2026120199' });
    const state = row.locator('td[data-field="状态"]');
    await state.click();
    await state.locator('select').selectOption('已关闭');
    await page.locator('[data-testid=toast]', { hasText: '已保存' }).first().waitFor();
    // The bot owns 状态: the cell shows the case's real state again within seconds…
    await expect.poll(() => state.innerText(), { timeout: 15_000 }).toContain('处理中');
    await page.screenshot({ path: `${ARTIFACTS}/06-bitable-state-put-back.png` });
    // …and the clerk gets one DM naming the field, what they picked and why.
    const { rows } = await product.deps.database.query<{ id: number; state: string }>(
      `select id, state from exceptions_cases where order_no = 'TM2026120199'`,
    );
    expect(rows[0]!.state).toBe('in_progress');
    const caseNo = `EX${String(rows[0]!.id).padStart(6, '0')}`;
    const told = () =>
      product
        .sandbox!.state.messages({ chatId: product.sandbox!.state.p2pChatOf(clerk)!.chat_id, fromBot: true })
        .filter((m) => m.content.includes(caseNo) && m.content.includes('未生效'));
    await expect.poll(() => told().length, { timeout: 15_000 }).toBe(1);
    expect(told()[0]!.content).toContain('状态');
    expect(told()[0]!.content).toContain('已关闭');
  });
});
