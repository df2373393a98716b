import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { launchChromium, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';
import { conversation } from '../domains/qa/helpers.js';

const ARTIFACTS = 'test-artifacts/e2e';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1400, height: 1000 };
// For the QA calibration round the inspector test starts through the ingest API.
const TOKEN = 'tok-e2e-dashboard';

interface Me {
  tabs: Array<{ key: string; setUp: boolean; level: string | null }>;
}

describe('the workbench dashboard', () => {
  let product: TestProduct;
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    product = await startTestProduct({ seedDemo: true, cron: false, env: { API_TOKENS: TOKEN } });
    browser = await launchChromium();
  }, START_BUDGET_MS);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  /** A browser context signed in as a demo person through the sandbox's workbench login. */
  async function signedIn(
    person: string,
    viewport = DESKTOP,
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN' });
    const page = await context.newPage();
    // The page runs under its Content-Security-Policy: anything it blocks is recorded here.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${product.sandbox!.url}/sandbox/workbench?user=${demoOpenId(person)}`);
    await page.locator('[data-testid=viewer]').filter({ hasText: /\S/ }).waitFor({ timeout: 30_000 });
    return { context, page, errors };
  }

  const ready = (page: Page) =>
    page
      .locator(
        '[data-testid=tab-body][data-state=ready], [data-testid=tab-body][data-state=not-set-up], ' +
          '[data-testid=tab-body][data-state=no-access], ' +
          '[data-testid=tab-body][data-state=error]',
      )
      .waitFor({ timeout: 30_000 });
  const stateOf = (page: Page) => page.locator('[data-testid=tab-body]').getAttribute('data-state');
  const apiJson = <T>(page: Page, url: string) =>
    page.evaluate(async (u) => (await fetch(u)).json(), url) as Promise<T>;

  /**
   * The KPI tiles as shown — metric → the value text — or null while the tab is not settled. Read in
   * one go with the tab's state: the open tab reloads itself every minute.
   */
  const shownKpis = (page: Page) =>
    page.evaluate(() => {
      const body = document.querySelector('[data-testid=tab-body]');
      if (body?.getAttribute('data-state') !== 'ready') return null;
      return Object.fromEntries(
        [...document.querySelectorAll('[data-testid=kpi]')].map((t) => [
          t.getAttribute('data-metric'),
          t.querySelector('[data-testid=kpi-value]')!.textContent!.trim(),
        ]),
      );
    });

  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

  /** The exceptions tab shows what GET /api/dashboard/exceptions/report answered for the same query. */
  async function expectExceptionNumbersMatchApi(page: Page, query: string) {
    await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
    const r = await apiJson<{
      openCount: number;
      sla: { attainment: number | null };
      money: { recoveryRate: number | null };
      disputes: { winRate: number | null };
      cycleTime: { withinTargetShare: number | null };
    }>(page, `/api/dashboard/exceptions/report?${query}`);
    await expect
      .poll(() => shownKpis(page), { timeout: 30_000 })
      .toMatchObject({
        open: String(r.openCount),
        sla: pct(r.sla.attainment),
        'within-day': pct(r.cycleTime.withinTargetShare),
        recovery: pct(r.money.recoveryRate),
        disputes: pct(r.disputes.winRate),
      });
    return r;
  }

  /** Every tab shows what /api/dashboard/me says about it: its content, not set up yet, or no access. */
  async function visitEveryTab(page: Page) {
    const me = await apiJson<Me>(page, '/api/dashboard/me');
    for (const tab of me.tabs) {
      await page.locator(`[data-testid=tab-${tab.key}]`).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe(tab.key);
      const expected = !tab.setUp ? 'not-set-up' : !tab.level ? 'no-access' : 'ready';
      await expect.poll(() => stateOf(page), { message: tab.key, timeout: 30_000 }).toBe(expected);
      if (expected === 'not-set-up')
        await expect.poll(() => page.locator('[data-testid=tab-body]').innerText()).toContain('尚未启用');
      if (expected === 'ready') await expectDefinitionsInsideScreen(page, tab.key);
    }
  }

  /**
   * Every metric definition, opened as a tap opens it (focus), stays inside the screen: the page never gets wider
   * than the viewport, which on a phone would let it slide sideways.
   */
  async function expectDefinitionsInsideScreen(page: Page, tab: string) {
    const marks = page.locator('[data-testid=tab-body] [data-testid=definition]');
    await marks.first().waitFor();
    const wider = await marks.evaluateAll(async (els) => {
      const out: string[] = [];
      const root = document.documentElement;
      for (const el of els as HTMLElement[]) {
        if (!el.getClientRects().length) continue;
        el.focus();
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        if (root.scrollWidth > root.clientWidth)
          out.push(`${(el.dataset.def ?? '').slice(0, 24)}: ${root.scrollWidth} > ${root.clientWidth}`);
        el.blur();
      }
      return out;
    });
    expect(wider, `${tab}: definitions wider than the screen`).toEqual([]);
  }

  /** The first chart's legend sits above the plot: it never reaches the axis labels. */
  async function expectLegendClearOfAxes(page: Page, id: string) {
    const gap = await page.evaluate((chartId) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      type Chart = any;
      const chart = (
        window as unknown as { echarts: { getInstanceByDom(el: Element): Chart } }
      ).echarts.getInstanceByDom(document.getElementById(chartId)!);
      const model = chart.getModel();
      const legendView = chart.getViewOfComponentModel(model.getComponent('legend'));
      const legend = legendView.group.getBoundingRect().clone();
      legend.applyTransform(legendView.group.getLocalTransform());
      const plot = model.getComponent('grid').coordinateSystem.getRect();
      // The highest y-axis label is centred on the plot's top edge: half a line above it.
      return { legendBottom: legend.y + legend.height, plotTop: plot.y, height: chart.getHeight() };
    }, id);
    expect(gap.legendBottom).toBeGreaterThan(0);
    expect(gap.legendBottom + 8).toBeLessThanOrEqual(gap.plotTop);
  }

  it('opens from the console signed in as the acting person and shows the exception report', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const lead = demoOpenId('dongjie');
    await page.goto(`${product.sandbox!.consoleUrl}?user=${lead}`);
    const href = await page.locator('[data-testid=open-workbench]').getAttribute('href');
    expect(href).toContain(encodeURIComponent(lead));
    const opened = await page.goto(new URL(href!, product.sandbox!.consoleUrl).toString());
    await page.locator('[data-testid=viewer]', { hasText: '董杰' }).waitFor({ timeout: 20_000 });
    expect(opened!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(new URL(page.url()).searchParams.get('code')).toBeNull(); // the one-time code is not left in the address bar
    // The first tab they may see: QA (a team lead sees their team's results); then the exception report.
    await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe('qa');
    await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
    await page.locator('[data-testid=tab-exceptions]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe('exceptions');
    // The QA tab had tiles too: wait for the exception tab's own, not the first tile on the page.
    await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
    await expect.poll(() => page.locator('[data-testid=kpi]').count()).toBe(6);
    await expectExceptionNumbersMatchApi(page, 'days=30&team=refund_dispute');
    await page.locator('#chart-open canvas').waitFor();
    await page.locator('#chart-money canvas').waitFor();
    await page.locator('#chart-open').hover(); // a tooltip: ECharts writes its inline styles
    await page.locator('[data-testid=kpi] [data-testid=definition]').first().hover();
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.waitForTimeout(600); // let the charts finish their entry animation for the screenshot
    await page.screenshot({ path: `${ARTIFACTS}/04-dashboard.png`, fullPage: true });
    // Each chart links to the Bitable view with its rows: in the sandbox, the console's Base at that view.
    const link = await page.locator('[data-testid=bitable-link]').first().getAttribute('href');
    expect(link).toMatch(new RegExp(`^${product.sandbox!.consoleUrl}\\?base=\\w+&table=\\w+&view=\\w+$`));
    await page.goto(link!);
    await page.locator('[data-testid=view-tab].active', { hasText: '状态看板' }).waitFor({ timeout: 20_000 });
    await page.close();
  }, 120_000); // two page loads, two tabs and a Base view: over 30 s on a busy machine (a cap, not a timed assertion)

  it('shows each role its own numbers, at phone and desktop width, with filters kept in the URL', async () => {
    // A manager (every team), a disputes lead (their team), an agent (their team), legal counsel (no exceptions).
    const roles = [
      { person: 'yangfan', exceptions: 'all' },
      { person: 'dongjie', exceptions: 'refund_dispute' },
      { person: 'wangxiaoli', exceptions: 'customer_service' },
      { person: 'dengchao', exceptions: null },
    ] as const;
    for (const role of roles) {
      for (const [width, viewport] of [
        ['phone', PHONE],
        ['desktop', DESKTOP],
      ] as const) {
        const { context, page, errors } = await signedIn(role.person, viewport);
        await page.goto(`${product.url}/dashboard?tab=exceptions&days=30`);
        await ready(page);
        if (role.exceptions === null) {
          await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('no-access');
        } else {
          const team = role.exceptions === 'all' ? '' : `&team=${role.exceptions}`;
          await expectExceptionNumbersMatchApi(page, `days=30${team}`);
          await page.locator('#chart-open canvas').waitFor();
          await expectLegendClearOfAxes(page, 'chart-open');
          // The period filter: the URL and the numbers follow it.
          await page.locator('[data-testid=filter-days]').selectOption('7');
          await expect.poll(() => new URL(page.url()).searchParams.get('days')).toBe('7');
          await expectExceptionNumbersMatchApi(page, `days=7${team}`);
          if (role.exceptions === 'all') {
            await page.locator('[data-testid=filter-team]').selectOption('warehouse');
            await expect.poll(() => new URL(page.url()).searchParams.get('team')).toBe('warehouse');
            await expectExceptionNumbersMatchApi(page, 'days=7&team=warehouse');
            // The link is shareable: opened afresh it shows the same view.
            const shared = await context.newPage();
            await shared.goto(page.url());
            await expectExceptionNumbersMatchApi(shared, 'days=7&team=warehouse');
            expect(await shared.locator('[data-testid=filter-team]').inputValue()).toBe('warehouse');
            expect(await shared.locator('[data-testid=filter-days]').inputValue()).toBe('7');
            await shared.close();
          } else {
            // A team member chooses only among their own teams.
            const options = await page
              .locator('[data-testid=filter-team] option')
              .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
            expect(options).toEqual([role.exceptions]);
          }
          await page.waitForTimeout(600);
        }
        await page.screenshot({ path: `${ARTIFACTS}/dashboard-${role.person}-${width}.png`, fullPage: true });
        await visitEveryTab(page);
        expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
        expect(errors).toEqual([]);
        await context.close();
      }
    }
  }, 300_000); // eight sign-ins, two widths each: a long walk, not a timed assertion

  it('shows the community tab: KPIs as the API answers them, charts, and a team chosen in the URL', async () => {
    // The demo seed holds a year of ~60 communities; a manager sees all of them.
    const { context, page, errors } = await signedIn('yangfan', DESKTOP);
    await page.goto(`${product.url}/dashboard?tab=community&days=30`);
    await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
    const r = await apiJson<{
      totals: {
        netGrowth: number;
        churnRate: number | null;
        activityRate: number | null;
        conversionRate: number | null;
        gmvFen: number;
      };
      trend: Array<{ joined: number }>;
    }>(page, '/api/dashboard/community/summary?days=30');
    expect(r.trend.length).toBeGreaterThanOrEqual(28); // the seeded year runs to yesterday
    await expect
      .poll(() => shownKpis(page), { timeout: 30_000 })
      .toMatchObject({
        'net-growth': String(r.totals.netGrowth),
        churn: pct(r.totals.churnRate),
        activity: pct(r.totals.activityRate),
        conversion: pct(r.totals.conversionRate),
        gmv: `¥${Math.round(r.totals.gmvFen / 100).toLocaleString('zh-CN')}`,
      });
    for (const id of ['chart-growth', 'chart-activity', 'chart-conversion'])
      await page.locator(`#${id} canvas`).waitFor();
    // The growth chart plots the API's daily joins, its legend above the plot.
    const joined = await page.evaluate(
      () =>
        (
          window as unknown as {
            dashboard: { charts(): Map<string, { getOption(): { series: { data: number[] }[] } }> };
          }
        ).dashboard
          .charts()
          .get('chart-growth')!
          .getOption().series[0]!.data,
    );
    expect(joined).toEqual(r.trend.map((d) => d.joined));
    await expectLegendClearOfAxes(page, 'chart-growth');
    // Each panel links to the Bitable view with its rows: 每日指标 behind the trends, 社群 by platform, the
    // days flagged 异常 behind the alerts.
    const { links } = await apiJson<{ links: Record<string, { views: Record<string, string> }> }>(
      page,
      '/api/dashboard/links',
    );
    expect(Object.keys(links.community_daily_metrics?.views ?? {}), Object.keys(links).join(',')).toEqual(
      expect.arrayContaining(['all', 'anomalies']),
    );
    const linkOf = (panel: string) =>
      page.locator(`[data-testid=${panel}] [data-testid=bitable-link]`).getAttribute('href', { timeout: 5_000 });
    for (const panel of ['panel-growth', 'panel-activity', 'panel-conversion'])
      expect(await linkOf(panel), panel).toBe(links.community_daily_metrics!.views.all);
    expect(await linkOf('panel-platform')).toBe(links.communities!.views.by_platform);
    expect(await linkOf('panel-alerts')).toBe(links.community_daily_metrics!.views.anomalies);
    expect(links.communities!.views.by_platform).toMatch(
      new RegExp(`^${product.sandbox!.consoleUrl}\\?base=\\w+&table=\\w+&view=\\w+$`),
    );
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-community.png`, fullPage: true });

    // The team selector: the communities of one directory team (two in three demo communities), kept in the URL.
    type Summary = { totals: { netGrowth: number; gmvFen: number; communities: number } };
    await page.locator('[data-testid=filter-team]').selectOption('community');
    await expect.poll(() => new URL(page.url()).searchParams.get('team')).toBe('community');
    const team = await apiJson<Summary>(page, '/api/dashboard/community/summary?days=30&team=community');
    const all = await apiJson<Summary>(page, '/api/dashboard/community/summary?days=30');
    expect(team.totals.communities).toBeGreaterThan(0);
    expect(team.totals.communities).toBeLessThan(all.totals.communities);
    const teamKpis = {
      'net-growth': String(team.totals.netGrowth),
      gmv: `¥${Math.round(team.totals.gmvFen / 100).toLocaleString('zh-CN')}`,
    };
    await expect.poll(() => shownKpis(page), { timeout: 30_000 }).toMatchObject(teamKpis);
    // The link opens on the same team.
    const shared = await context.newPage();
    await shared.goto(page.url());
    await expect.poll(() => stateOf(shared), { timeout: 30_000 }).toBe('ready');
    expect(await shared.locator('[data-testid=filter-team]').inputValue()).toBe('community');
    await expect.poll(() => shownKpis(shared), { timeout: 30_000 }).toMatchObject(teamKpis);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the QA tab as the API answers it, to the QA lead and to an agent (their own), with charts', async () => {
    // The demo seed scored three weeks of the demo agents' conversations.
    for (const person of ['zhengxue', 'wangxiaoli']) {
      const { context, page, errors } = await signedIn(person, person === 'zhengxue' ? DESKTOP : PHONE);
      await page.goto(`${product.url}/dashboard?tab=qa&days=30`);
      await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
      const r = await apiJson<{
        level: string;
        totals: { reviews: number; avgScore: number | null; passRate: number | null };
        byChannel: Array<{ name: string; avgScore: number | null; passRate: number | null }>;
        byAgent: Array<{ key: string }>;
        byItem: Array<{ deductionRate: number | null }>;
        training: { groups: Array<{ agents: unknown[] }> };
      }>(page, '/api/dashboard/qa/summary?days=30');
      expect(r.level).toBe(person === 'zhengxue' ? 'all' : 'own');
      expect(r.totals.reviews).toBeGreaterThan(person === 'zhengxue' ? 300 : 10);
      if (person === 'wangxiaoli') expect(r.byAgent.map((a) => a.key)).toEqual([demoOpenId('wangxiaoli')]);
      await expect
        .poll(() => shownKpis(page), { timeout: 30_000 })
        .toMatchObject({
          reviews: r.totals.reviews.toLocaleString('zh-CN'),
          'avg-score': (Math.round(r.totals.avgScore! * 10) / 10).toFixed(1),
          'pass-rate': pct(r.totals.passRate),
        });
      for (const id of ['chart-qa-channels', 'chart-qa-criteria']) await page.locator(`#${id} canvas`).waitFor();
      // Training needs: one row per suggested group, as the API answered (the seed makes repeated deductions).
      if (person === 'zhengxue') expect(r.training.groups.length).toBeGreaterThan(0);
      const groups = page.locator('[data-testid=training] tbody tr:not(:has(td.empty))');
      expect(await groups.count()).toBe(r.training.groups.length);
      // Root causes arrive by their own call and fill their panel: the count of deductions the API gave.
      const rc = await apiJson<{ deductions: number }>(page, '/api/dashboard/qa/root-causes?days=30');
      const cell = page.locator('[data-testid=root-causes] tbody tr td').nth(rc.deductions > 0 ? 1 : 0);
      await expect
        .poll(() => cell.textContent(), { timeout: 30_000 })
        .toBe(rc.deductions > 0 ? rc.deductions.toLocaleString('zh-CN') : '暂无扣分 · No deductions');
      // The channel chart plots the API's averages, one bar per channel, its legend above the plot.
      const plotted = await page.evaluate(() => {
        const charts = (
          window as unknown as {
            dashboard: {
              charts(): Map<string, { getOption(): { xAxis: { data: string[] }[]; series: { data: unknown[] }[] } }>;
            };
          }
        ).dashboard.charts();
        const o = charts.get('chart-qa-channels')!.getOption();
        return { channels: o.xAxis[0]!.data, avg: o.series[0]!.data };
      });
      expect(plotted.channels).toEqual(r.byChannel.map((c) => c.name));
      expect(plotted.avg).toEqual(
        r.byChannel.map((c) => (c.avgScore === null ? null : Math.round(c.avgScore * 10) / 10)),
      );
      await expectLegendClearOfAxes(page, 'chart-qa-channels');
      await page.waitForTimeout(600);
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-qa-${person}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 120_000); // two sign-ins: a cap, not a timed assertion

  /** The numbers inside the panel `testid` as shown — metric → value text — once the tab is settled. */
  const shownStats = (page: Page, testid: string) =>
    page.evaluate((id) => {
      if (document.querySelector('[data-testid=tab-body]')?.getAttribute('data-state') !== 'ready') return null;
      return Object.fromEntries(
        [...document.querySelectorAll(`[data-testid=${id}] [data-testid=stat]`)].map((t) => [
          t.getAttribute('data-metric'),
          t.querySelector('[data-testid=stat-value]')!.textContent!.trim(),
        ]),
      );
    }, testid);

  it('shows an inspector their queue and calibration as the API answers them, and the QA lead everyone’s', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${product.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A blind calibration round for two demo inspectors, the QA lead the reference; its name is data (escaped).
    const agent = demoOpenId('wangxiaoli');
    const ingest = await post('/api/qa/conversations', {
      conversations: ['E2E-CAL-1', 'E2E-CAL-2'].map((id) => conversation(id, { agent }, true)),
    });
    expect(ingest.status, await ingest.clone().text()).toBe(200);
    const name = 'E2E 校准 <img src=x onerror=alert(1)>';
    const round = await post('/api/qa/calibration', {
      name,
      conversations: ['E2E-CAL-1', 'E2E-CAL-2'].map((externalId) => ({ channel: 'tmall', externalId })),
      inspectors: [demoOpenId('xujing'), demoOpenId('liangchen')],
      lead: demoOpenId('zhengxue'),
      by: demoOpenId('zhengxue'),
    });
    expect(round.status, await round.clone().text()).toBe(201);

    type Queue = { totals: { waiting: number; overdue: number; dueSoon: number; calibration: number } };
    type Calibration = {
      rounds: Array<{ name: string; status: string }>;
      alignment: { deviation: number | null; rounds: number } | null;
      byInspector: unknown[];
    };
    for (const [person, viewport] of [
      ['xujing', PHONE],
      ['xujing', DESKTOP],
      ['zhengxue', DESKTOP],
    ] as const) {
      const { context, page, errors } = await signedIn(person, viewport);
      await page.goto(`${product.url}/dashboard?tab=qa&days=30`);
      await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
      const q = await apiJson<Queue>(page, '/api/dashboard/qa/queue?days=30');
      const c = await apiJson<Calibration>(page, '/api/dashboard/qa/calibration?days=30');
      // The round's two conversations wait for each of its three raters (besides any of the demo's sample).
      expect(q.totals.calibration).toBe(person === 'xujing' ? 2 : 6);
      expect(q.totals.waiting).toBeGreaterThanOrEqual(q.totals.calibration);
      await expect
        .poll(() => shownStats(page, 'qa-queue'), { timeout: 30_000 })
        .toMatchObject({
          'queue-waiting': q.totals.waiting.toLocaleString('zh-CN'),
          'queue-overdue': q.totals.overdue.toLocaleString('zh-CN'),
          'queue-due-soon': q.totals.dueSoon.toLocaleString('zh-CN'),
          'queue-calibration': q.totals.calibration.toLocaleString('zh-CN'),
        });
      // The round, open (nobody scored yet), its name shown as text: no element made from it.
      const first = page.locator('[data-testid=qa-calibration] tbody tr').first();
      expect(c.rounds[0]).toMatchObject({ name, status: 'open' });
      expect(await first.locator('td').first().textContent()).toContain(name);
      expect(await first.locator('[data-status]').getAttribute('data-status')).toBe('open');
      expect(await page.locator('[data-testid=qa-calibration] img').count()).toBe(0);
      expect(await page.locator('[data-testid=qa-calibration] tbody tr:not(:has(td.empty))').count()).toBe(
        c.rounds.length + (person === 'zhengxue' ? c.byInspector.length : 0),
      );
      if (person === 'xujing') {
        expect(c.alignment).toMatchObject({ rounds: 0, deviation: null });
        expect(await shownStats(page, 'qa-calibration')).toMatchObject({
          'calibration-deviation': '—',
          'calibration-rounds': '0',
        });
        // The queue opens the inspector's own tasks in 质检记录.
        const { links: pageLinks } = await apiJson<{ links: Record<string, { views: Record<string, string> }> }>(
          page,
          '/api/dashboard/links',
        );
        expect(await page.locator('[data-testid=qa-queue] [data-testid=bitable-link]').getAttribute('href')).toBe(
          pageLinks.qa_reviews!.views.my_tasks,
        );
      }
      await page.screenshot({
        path: `${ARTIFACTS}/dashboard-qa-queue-${person}-${viewport === PHONE ? 'phone' : 'desktop'}.png`,
        fullPage: true,
      });
      // A metric's definition on hover: the page's CSP lets its tooltip show.
      const def = page.locator('[data-testid=qa-queue] [data-testid=stat] [data-testid=definition]').first();
      await def.hover();
      expect(await def.getAttribute('data-def')).toContain('Reviews assigned and not yet scored');
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 180_000); // three sign-ins: a cap, not a timed assertion

  it('shows legal the contracts tab as the API answers it, with budget and counterparty charts', async () => {
    // The demo seed makes contracts in every state and two budget lines through the workflow.
    const { context, page, errors } = await signedIn('dengchao', DESKTOP);
    await page.goto(`${product.url}/dashboard?tab=contracts`);
    await expect.poll(() => stateOf(page), { timeout: 30_000 }).toBe('ready');
    const r = await apiJson<{
      expiringSoon: unknown[];
      inApproval: unknown[];
      budgetUsage: number | null;
      budgets: Array<{ name: string; amountFen: number; leftFen: number }>;
      concentration: Array<{ counterparty: string; share: number }>;
    }>(page, '/api/dashboard/contracts/summary');
    expect(r.budgets.length).toBeGreaterThan(0);
    expect(r.concentration.length).toBeGreaterThan(0);
    await expect
      .poll(() => shownKpis(page), { timeout: 30_000 })
      .toMatchObject({
        expiring: String(r.expiringSoon.length),
        'in-approval': String(r.inApproval.length),
        'budget-usage': pct(r.budgetUsage),
      });
    for (const id of ['chart-budgets', 'chart-concentration']) await page.locator(`#${id} canvas`).waitFor();
    // The budget chart stacks what each line used and has left, in yuan, as the API answered.
    const plotted = await page.evaluate(() => {
      const charts = (
        window as unknown as {
          dashboard: {
            charts(): Map<string, { getOption(): { yAxis: { data: string[] }[]; series: { data: number[] }[] } }>;
          };
        }
      ).dashboard.charts();
      const o = charts.get('chart-budgets')!.getOption();
      return { names: o.yAxis[0]!.data, left: o.series[1]!.data };
    });
    expect(plotted.names).toEqual(r.budgets.map((b) => b.name).reverse());
    expect(plotted.left).toEqual(r.budgets.map((b) => Math.round(Math.max(0, b.leftFen) / 100)).reverse());
    await expectLegendClearOfAxes(page, 'chart-budgets');
    // The monthly payment panel plots and lists what GET …/payment-months answered, in yuan.
    const months = await apiJson<{
      months: string[];
      total: { months: Array<{ plannedFen: number; paidFen: number; overdueFen: number }> };
      byBudget: Array<{ label: string; plannedFen: number; paidFen: number; overdueFen: number }>;
    }>(page, '/api/dashboard/contracts/payment-months');
    expect(months.byBudget.length).toBeGreaterThan(0);
    await page.locator('#chart-payment-months canvas').waitFor();
    const monthly = await page.evaluate(() => {
      const charts = (
        window as unknown as {
          dashboard: {
            charts(): Map<string, { getOption(): { xAxis: { data: string[] }[]; series: { data: number[] }[] } }>;
          };
        }
      ).dashboard.charts();
      const o = charts.get('chart-payment-months')!.getOption();
      return { months: o.xAxis[0]!.data, series: o.series.map((s) => s.data) };
    });
    const inYuan = (key: 'plannedFen' | 'paidFen' | 'overdueFen') =>
      months.total.months.map((m) => Math.round(m[key] / 100));
    expect(monthly.months).toEqual(months.months);
    expect(monthly.series).toEqual([inYuan('plannedFen'), inYuan('paidFen'), inYuan('overdueFen')]);
    const yuanText = (fen: number) => `¥${Math.round(fen / 100).toLocaleString('zh-CN')}`;
    const rows = await page
      .locator('[data-testid=contracts-payment-months] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(rows.map((cells) => [cells[2], cells[3], cells[4]])).toEqual(
      months.byBudget.map((l) => [yuanText(l.plannedFen), yuanText(l.paidFen), yuanText(l.overdueFen)]),
    );
    await expectLegendClearOfAxes(page, 'chart-payment-months');
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-contracts.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opened directly without a session, offers the console sign-in instead of a bare error', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${product.url}/dashboard?tab=exceptions&days=7`);
    const link = page.locator('[data-testid=sign-in-link]');
    await link.waitFor({ state: 'visible' });
    expect(await link.getAttribute('href')).toBe(product.sandbox!.consoleUrl);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-signed-out.png`, fullPage: true });
    await context.close();
  });

  it('keeps strangers out: no session, a forged cookie, a reused code', async () => {
    const anonymous = await fetch(`${product.url}/api/dashboard/exceptions/report`);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${product.url}/api/dashboard/exceptions/report`, {
      headers: { cookie: 'fo_session=eyJvcGVuSWQiOiJvdV94IiwiZXhwIjo5OTk5OTk5OTk5OTk5fQ.forged' },
    });
    expect(forged.status).toBe(401);
    const reused = await fetch(`${product.url}/api/dashboard/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'not-a-real-code-123' }),
    });
    expect(reused.status).toBe(401);
  });

  it('lets a signed-in person read but not write through the ingest API', async () => {
    const redirect = await fetch(`${product.sandbox!.url}/sandbox/workbench?user=${demoOpenId('wangxiaoli')}`, {
      redirect: 'manual',
    });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const login = await fetch(`${product.url}/api/dashboard/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${product.url}/api/dashboard/exceptions/report`, { headers: { cookie } })).status).toBe(200);
    // the ingest API wants a token
    expect((await fetch(`${product.url}/api/exceptions/report`, { headers: { cookie } })).status).toBe(401);
    const write = await fetch(`${product.url}/api/exceptions`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(write.status).toBe(401);
    const again = await fetch(`${product.url}/api/dashboard/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(again.status).toBe(401); // a login code works once
    // Logging out ends the session: the same cookie reads nothing afterwards.
    expect((await fetch(`${product.url}/api/dashboard/logout`, { method: 'POST', headers: { cookie } })).status).toBe(
      200,
    );
    expect((await fetch(`${product.url}/api/dashboard/exceptions/report`, { headers: { cookie } })).status).toBe(401);
  });
});
