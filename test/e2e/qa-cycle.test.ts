import { mkdir } from 'node:fs/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { launchChromium, settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

const ARTIFACTS = 'test-artifacts/e2e';
const TOKEN = 'qa-cycle-api-token-0123456789';
const agent = demoOpenId('wangxiaoli');
const teamLead = demoOpenId('zhaomin');
const qaLead = demoOpenId('zhengxue');

// One QA cycle as people live it, in the sandbox console in headless Chromium: a conversation comes in
// through the API, the morning's sampling plan assigns it, the inspector opens it with 质检 (pre-checks
// quote the messages), takes every suggestion in one click, the agent gets the result by DM and appeals
// one deduction, the team lead passes it on with 改判 and the QA lead decides it. Nothing mocked.
describe('a QA review from sampling to the appeal decided (sandbox console, Chromium)', () => {
  let product: TestProduct;
  let browser: Browser;
  let page: Page;
  let now = new Date('2026-11-30T10:00:00+08:00'); // a Monday morning in Shanghai
  let inspector: string;
  let reviewId: number;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    product = await startTestProduct({ clock: { now: () => now }, cron: false, env: { API_TOKENS: TOKEN } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, locale: 'zh-CN' });
  }, START_BUDGET_MS);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${product.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const review = async () =>
    (
      await product.deps.database.query<{ state: string; score: number | null; version: number }>(
        'select state, score, version from qa_reviews where id = $1',
        [reviewId],
      )
    ).rows[0]!;
  /** The console acting as `openId`, their chat with the bot open; answers its last card once it shows `text`. */
  async function actAs(openId: string, text: string): Promise<Locator> {
    await page.goto(`${product.sandbox!.consoleUrl}?user=${openId}`);
    await expect.poll(() => page.locator('[data-testid=user-select]').inputValue()).toBe(openId);
    const card = page.locator('[data-testid=card]', { hasText: text }).last();
    await card.waitFor({ timeout: 30_000 });
    return card;
  }

  it('samples yesterday: the conversation from the API becomes a review assigned to an inspector', async () => {
    const at = (s: number) => new Date(Date.parse('2026-11-29T14:00:00+08:00') + s * 1000).toISOString();
    const r = await post('/api/qa/conversations', {
      conversations: [
        {
          channel: 'tmall',
          externalId: 'TM-CHAT-20261129-0001',
          shop: '天猫旗舰店',
          agent,
          csat: 2,
          messages: [
            { role: 'customer', at: at(0), text: '我的奶粉订单三天了还没发货，我要退款' },
            { role: 'agent', at: at(300), text: '在查' },
            { role: 'customer', at: at(360), text: '什么时候能发？' },
            { role: 'agent', at: at(420), text: '明天发' },
          ],
        },
      ],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const s = await post('/api/qa/sampling', {
      from: '2026-11-29T00:00:00+08:00',
      to: '2026-11-30T00:00:00+08:00',
      seed: '2026-11-29',
    });
    expect(s.status, JSON.stringify(s.json)).toBe(200);
    expect(s.json).toMatchObject({ candidates: 1, picked: 1, created: 1 });
    const { rows } = await product.deps.database.query<{ id: number; inspector_open_id: string }>(
      `select id::int as id, inspector_open_id from qa_reviews where state = 'to_score'`,
    );
    expect(rows).toHaveLength(1);
    ({ id: reviewId, inspector_open_id: inspector } = rows[0]!);
    expect(inspector).toMatch(/^ou_/);
  });

  it('the inspector types 质检: one card with the conversation, the pre-checks quoting it, the criteria', async () => {
    await page.goto(`${product.sandbox!.consoleUrl}?user=${inspector}`);
    await expect.poll(() => page.locator('[data-testid=user-select]').inputValue()).toBe(inspector);
    await page.locator('[data-testid=composer-input]').fill('质检');
    await page.keyboard.press('Enter');
    const card = page.locator('[data-testid=card]', { hasText: '采纳全部建议' }).last();
    await card.waitFor({ timeout: 30_000 });
    const text = await card.innerText();
    expect(text).toContain('我的奶粉订单三天了还没发货'); // the conversation itself
    expect(text).toContain('在查'); // quoted by the greeting / response-time pre-checks
    await page.screenshot({ path: `${ARTIFACTS}/qa-01-score-card.png`, fullPage: true });

    now = new Date('2026-11-30T10:04:00+08:00');
    await card.getByRole('button', { name: /采纳全部建议/ }).click();
    await expect.poll(async () => (await review()).state, { timeout: 30_000 }).not.toBe('to_score');
    const scored = await review();
    expect(scored.score).toBeLessThan(100); // the suggestions were deductions
    await page.locator('[data-testid=card]', { hasText: '下一条' }).last().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}/qa-02-scored.png`, fullPage: true });
    // Time spent: from the card being shown (10:00) to the click (10:04).
    const { rows } = await product.deps.database.query<{ seconds_spent: number }>(
      'select seconds_spent from qa_reviews where id = $1',
      [reviewId],
    );
    expect(rows[0]!.seconds_spent).toBe(240);
  });

  it('the agent gets the result by DM within the minute and appeals one deduction with a reason', async () => {
    await settled(product, 'feedback sent');
    expect((await review()).state).toBe('feedback_sent');
    const feedback = await actAs(agent, '申诉');
    expect(await feedback.innerText()).toContain('在查'); // each deduction quotes the message it is about
    await page.screenshot({ path: `${ARTIFACTS}/qa-03-feedback.png`, fullPage: true });

    await feedback.getByRole('button', { name: /申诉/ }).click();
    const form = page.locator('[data-testid=card]', { hasText: '提交申诉' }).last();
    await form.waitFor({ timeout: 30_000 });
    await form.locator('select[data-name^="p_"]').first().selectOption({ index: 1 });
    await form.locator('[data-name=reason]').fill('客户当时在排队，系统显示的首次响应时间有延迟');
    await page.screenshot({ path: `${ARTIFACTS}/qa-04-appeal-form.png`, fullPage: true });
    now = new Date('2026-11-30T11:00:00+08:00');
    await form.getByRole('button', { name: /提交申诉/ }).click();
    await expect
      .poll(
        async () =>
          (await product.deps.database.query('select 1 from qa_appeals where review_id = $1', [reviewId])).rows.length,
        { timeout: 30_000 },
      )
      .toBe(1);
    await settled(product, 'appeal routed');
  });

  it('the team lead passes it on with 改判; the QA lead overturns it and the score is recomputed', async () => {
    const original = (await review()).score!;
    const leadCard = await actAs(teamLead, '改判');
    await page.screenshot({ path: `${ARTIFACTS}/qa-05-lead-decides.png`, fullPage: true });
    await leadCard.locator('[data-name=reason]').fill('排队期间的等待不计入首次响应');
    now = new Date('2026-11-30T14:00:00+08:00');
    await leadCard.getByRole('button', { name: /改判/ }).click();
    await expect
      .poll(
        async () =>
          (
            await product.deps.database.query<{ step: string }>('select step from qa_appeals where review_id = $1', [
              reviewId,
            ])
          ).rows[0]?.step,
        { timeout: 30_000 },
      )
      .toBe('qa_lead');
    await settled(product, 'appeal passed to the QA lead');

    const qaCard = await actAs(qaLead, '改判');
    await qaCard.locator('[data-name=reason]').fill('同意组长意见，改判');
    now = new Date('2026-11-30T16:00:00+08:00');
    await qaCard.getByRole('button', { name: /改判/ }).click();
    await expect.poll(async () => (await review()).state, { timeout: 30_000 }).toBe('closed');
    expect((await review()).score!).toBeGreaterThan(original);
    const { rows } = await product.deps.database.query<{ state: string; step: string; decisions: number }>(
      `select a.state, a.step, (select count(*)::int from qa_appeal_decisions d where d.appeal_id = a.id) as decisions
         from qa_appeals a where a.review_id = $1`,
      [reviewId],
    );
    expect(rows[0]).toMatchObject({ step: 'qa_lead', decisions: 2 });
    expect(rows[0]!.state).not.toBe('open');
    await settled(product, 'decision sent');
    // The agent hears the outcome in their chat.
    await actAs(agent, '改判');
    await page.screenshot({ path: `${ARTIFACTS}/qa-06-outcome.png`, fullPage: true });
  });
});
