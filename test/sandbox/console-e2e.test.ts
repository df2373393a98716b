import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { startFakeBot } from './fake-bot.js';
import { startTestSandbox, type TestSandbox } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts/sandbox';
const agent = demoOpenId('wangxiaoli');

async function provisionBase(bot: Awaited<ReturnType<typeof startFakeBot>>) {
  const created = await bot.client.bitable.app.create({ data: { name: '异常件台账 Exception ledger' } });
  const appToken = created.data!.app!.app_token!;
  const table = await bot.client.bitable.appTable.create({
    path: { app_token: appToken },
    data: {
      table: {
        name: '异常件 Exceptions',
        fields: [
          { field_name: '单号 Ticket', type: 1 },
          { field_name: '状态 Status', type: 3 },
          { field_name: '金额 Amount', type: 2 },
          { field_name: '负责人 Owner', type: 11 },
          { field_name: '截止 Due', type: 5 },
          { field_name: '已处理 Done', type: 7 },
        ],
      },
    },
  });
  const tableId = table.data!.table_id!;
  await bot.client.bitable.appTableRecord.batchCreate({
    path: { app_token: appToken, table_id: tableId },
    data: {
      records: [
        {
          fields: {
            '单号 Ticket': 'EX-1001 破损',
            '状态 Status': '待处理',
            '金额 Amount': 89,
            '负责人 Owner': [{ id: demoOpenId('xiejun') }],
            '截止 Due': Date.parse('2026-05-02T00:00:00+08:00'),
          },
        },
        {
          fields: {
            '单号 Ticket': 'EX-1002 丢件',
            '状态 Status': '处理中',
            '金额 Amount': 259,
            '负责人 Owner': [{ id: demoOpenId('caoying') }],
            '已处理 Done': false,
          },
        },
        { fields: { '单号 Ticket': 'EX-1003 错发', '状态 Status': '已完成', '金额 Amount': 45, '已处理 Done': true } },
      ],
    },
  });
  await bot.client.drive.file.subscribe({ path: { file_token: appToken }, params: { file_type: 'bitable' } });
  return { appToken, tableId };
}

describe('sandbox console in headless Chromium', () => {
  let t: TestSandbox;
  let bot: Awaited<ReturnType<typeof startFakeBot>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (this test never skips)`,
      );
    }
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestSandbox({ retryScale: 0.001 });
    bot = await startFakeBot(t.sandbox);
    await provisionBase(bot);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN' });
    page.on('pageerror', (err) => console.error('page error:', err));
  });

  afterAll(async () => {
    await browser?.close();
    await bot?.close();
    await t?.close();
  });

  it('chats with the bot: help card, button with toast and in-place update, confirm dialog, form submit', async () => {
    await page.goto(`${t.sandbox.consoleUrl}?user=${agent}`);
    await expect.poll(() => page.locator('[data-testid=user-select]').inputValue()).toBe(agent);
    await page.locator('[data-testid=composer-input]').fill('帮助');
    await page.keyboard.press('Enter');
    const card = page.locator('[data-testid=card]').last();
    await card.locator('[data-testid=card-title]', { hasText: '帮助 Help' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/01-help-card.png` });

    await card.getByRole('button', { name: /知道了/ }).click();
    await page.locator('[data-testid=toast]', { hasText: '已确认' }).first().waitFor();
    await card.getByRole('button', { name: '知道了 Got it (1)' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/02-after-click.png` });

    await card.getByRole('button', { name: /清空/ }).click();
    await page.locator('[data-testid=confirm-dialog]').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/03-confirm.png` });
    await page.locator('[data-testid=confirm-ok]').click();
    await card.getByRole('button', { name: '知道了 Got it (2)' }).waitFor();

    await card.locator('input[data-name=order_no]').fill('TM20260501');
    await card.locator('select[data-name=kind]').selectOption('lost');
    await card.locator('input[data-name=due]').fill('2026-05-08');
    await card.getByRole('button', { name: /提交/ }).click();
    await card.locator('[data-testid=card-title]', { hasText: '已处理 Done' }).waitFor();
    await expect.poll(() => card.textContent()).toContain('TM20260501');
    await page.screenshot({ path: `${ARTIFACTS}/04-form-submitted.png` });

    const callbacks = bot.receiver.received.filter((r) => r.envelope.header.event_type === 'card.action.trigger');
    expect(callbacks.every((r) => r.signatureValid)).toBe(true);
    expect(callbacks.at(-1)!.envelope.event.action).toMatchObject({
      tag: 'button',
      name: 'submit',
      value: { action: 'help.form' },
      form_value: { order_no: 'TM20260501', kind: 'lost', due: '2026-05-08 +0800' },
    });
  });

  it('renders every supported card component', async () => {
    await page.locator('[data-testid=composer-input]').fill('组件');
    await page.keyboard.press('Enter');
    const card = page.locator('[data-testid=card]', { hasText: '退款审批' });
    await card.waitFor();
    await expect.poll(() => card.locator('.at').first().textContent()).toBe('@王晓丽');
    await expect.poll(() => page.locator('[data-testid=toast]').count(), { timeout: 8000 }).toBe(0);
    await page.setViewportSize({ width: 1360, height: 1300 });
    await page.screenshot({ path: `${ARTIFACTS}/04b-component-gallery.png` });
    await page.setViewportSize({ width: 1360, height: 860 });
    await card.locator('select').first().selectOption('coupon');
    await page.locator('[data-testid=toast]', { hasText: 'gallery.select' }).first().waitFor();
    const select = bot.receiver.received.filter((r) => r.envelope.header.event_type === 'card.action.trigger').at(-1)!;
    expect(select.envelope.event.action).toMatchObject({
      tag: 'select_static',
      option: 'coupon',
      value: { action: 'gallery.select' },
    });
  });

  it('mentions the bot in a team group', async () => {
    await page.locator('[data-testid=chat-group]', { hasText: '天猫客服组' }).click();
    await page.locator('[data-testid=composer-input]').fill('帮助');
    await page.locator('[data-testid=send]').click();
    // Until the group's messages load the page still shows the direct chat, with its own help card:
    // wait for the bot's answer in the group itself, then for the page to show that message.
    const group = t.sandbox.state.chats().find((c) => c.name === '天猫客服组')!;
    const answer = await vi.waitFor(
      () => {
        const m = t.sandbox.state.messages({ chatId: group.chat_id, fromBot: true }).at(-1);
        if (!m) throw new Error('no answer in the group yet');
        return m;
      },
      { timeout: 20_000, interval: 50 },
    );
    await page
      .locator(`[data-message-id="${answer.message_id}"] [data-testid=card-title]`, { hasText: '帮助 Help' })
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/05-group.png` });
    const heard = bot.receiver.received.filter((r) => r.envelope.header.event_type === 'im.message.receive_v1').at(-1)!;
    expect(heard.envelope.event.message).toMatchObject({
      chat_type: 'group',
      content: '{"text":"@_user_1 帮助"}',
      mentions: [{ key: '@_user_1', name: '运营助手' }],
    });
  });

  it('edits a Base cell and the bot reacts to the record-changed event', async () => {
    await page.locator('.rail-item[data-view=base]').click();
    await page.locator('[data-testid=base-table]', { hasText: '异常件' }).click();
    const cell = page.locator('[data-testid=grid] tbody tr').first().locator('td[data-field="金额 Amount"]');
    await cell.click();
    await cell.locator('input').fill('199');
    await cell.locator('input').press('Enter');
    await page.locator('[data-testid=toast]', { hasText: '已保存' }).first().waitFor();
    await expect.poll(() => cell.textContent()).toBe('199');
    await page.screenshot({ path: `${ARTIFACTS}/06-base-grid.png` });

    await expect.poll(() => t.sandbox.state.botMessages().some((m) => m.content.includes('Saw your edit'))).toBe(true);
    const changed = bot.receiver.received.find(
      (r) => r.envelope.header.event_type === 'drive.file.bitable_record_changed_v1',
    )!;
    expect(changed.signatureValid).toBe(true);
    expect(changed.envelope.event).toMatchObject({
      file_type: 'bitable',
      action_list: [{ action: 'record_edited', after_value: [{ field_value: '199' }] }],
    });

    await page.locator('.rail-item[data-view=chat]').click();
    await page.locator('[data-testid=chat-p2p]').first().click();
    await page.locator('[data-testid=bot-message]', { hasText: 'Saw your edit' }).waitFor();
    await page.locator('.rail-item[data-view=events]').click();
    await page.locator('#deliveries tr', { hasText: 'bitable_record_changed' }).first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/07-events.png` });
  });
});
