// The workbench dashboard on a year of a large retailer (issue 13 "Numbers"): 1,000,000 QA reviews, 200,000
// exception cases, 20,000 contracts and 730,000 community-days (bench/dashboard/generate.ts and
// bench/exceptions/generate.ts; `--scale 0.1` for a tenth), then per tab the p50/p95 of its dashboard GETs as a
// signed-in manager, the statements each one sends, and the page's first paint in Chromium.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { BenchContext, RunningServer } from '../context.js';
import { BENCH_INSPECTOR, BENCH_MANAGER, generateDashboardData } from '../dashboard/generate.js';
import { dashboardSession, sessionEnv } from '../dashboard/session.js';
import { generateExceptions } from '../exceptions/generate.js';
import { summarise, target, type ScenarioResult } from '../results.js';

const FULL = { reviews: 1_000_000, exceptions: 200_000, contracts: 20_000, communityDays: 730_000 };
const SAMPLES = 30;
const CHROMIUM = '/usr/bin/chromium';
const TABS = ['qa', 'exceptions', 'contracts', 'community'] as const;

// `as: 'inspector'`: signed in as a bench inspector (level own), the others as the manager.
const ENDPOINTS: Array<{ name: string; path: string; as?: 'inspector' }> = [
  { name: 'me', path: '/api/dashboard/me' },
  { name: 'qa.30d', path: '/api/dashboard/qa/summary' },
  { name: 'qa.365d', path: '/api/dashboard/qa/summary?days=365' },
  { name: 'qa.90d.team+channel', path: '/api/dashboard/qa/summary?days=90&team=cs_north&channel=tmall' },
  { name: 'qa.30d.agent', path: '/api/dashboard/qa/summary?agent=ou_bench_agent_7' },
  { name: 'qa.30d.root-causes', path: '/api/dashboard/qa/root-causes' },
  { name: 'qa.365d.root-causes', path: '/api/dashboard/qa/root-causes?days=365' },
  { name: 'qa.queue', path: '/api/dashboard/qa/queue' },
  { name: 'qa.queue.inspector', path: '/api/dashboard/qa/queue', as: 'inspector' },
  { name: 'qa.365d.calibration', path: '/api/dashboard/qa/calibration?days=365' },
  { name: 'qa.365d.calibration.inspector', path: '/api/dashboard/qa/calibration?days=365', as: 'inspector' },
  { name: 'contracts', path: '/api/dashboard/contracts/summary' },
  { name: 'contracts.payment-plan', path: '/api/dashboard/contracts/payment-plan' },
  { name: 'community.30d', path: '/api/dashboard/community/summary' },
  { name: 'community.365d', path: '/api/dashboard/community/summary?days=365' },
  { name: 'community.365d.platform', path: '/api/dashboard/community/summary?days=365&platform=wecom' },
  { name: 'exceptions.30d', path: '/api/dashboard/exceptions/report' },
  { name: 'exceptions.365d', path: '/api/dashboard/exceptions/report?days=365' },
  {
    name: 'exceptions.90d.team+channel',
    path: '/api/dashboard/exceptions/report?days=90&team=logistics&channel=tmall',
  },
];

export async function dashboardScenario(
  ctx: BenchContext,
  scale: number,
): Promise<{ results: ScenarioResult[]; skipped?: string }> {
  const url = ctx.database.appEnv.DATABASE_URL;
  if (!url) return { results: [], skipped: 'needs PostgreSQL (DATABASE_URL): the sizes are for a server database' };
  // BENCH_DASHBOARD_TABS=qa: only that tab's data, GETs and paint (a quicker run when one tab changed).
  const only = process.env.BENCH_DASHBOARD_TABS?.split(',').filter(Boolean);
  const endpoints = only ? ENDPOINTS.filter((e) => e.name === 'me' || only.includes(e.name.split('.')[0]!)) : ENDPOINTS;
  const tabs = only ? TABS.filter((t) => only.includes(t)) : TABS;
  const sized = ctx.short
    ? { reviews: 5_000, exceptions: 2_000, contracts: 500, communityDays: 7_300 }
    : {
        reviews: Math.round(FULL.reviews * scale),
        exceptions: Math.round(FULL.exceptions * scale),
        contracts: Math.round(FULL.contracts * scale),
        communityDays: Math.round(FULL.communityDays * scale),
      };
  const size = only
    ? {
        reviews: only.includes('qa') ? sized.reviews : 0,
        exceptions: only.includes('exceptions') ? sized.exceptions : 0,
        contracts: only.includes('contracts') ? sized.contracts : 0,
        communityDays: only.includes('community') ? sized.communityDays : 0,
      }
    : sized;
  const secret = randomBytes(24).toString('hex');
  const env = sessionEnv(secret);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const probe = await ctx.startBot({ workers: false, env });
    await ctx.stop(probe);
    ctx.print(
      `dashboard: generating ${size.reviews} QA reviews, ${size.exceptions} exception cases, ${size.contracts} ` +
        `contracts, ${size.communityDays} community-days…`,
    );
    let last = 0;
    const { exceptions, ...dashboardSize } = size;
    const g = await generateDashboardData(client, {
      ...dashboardSize,
      now: new Date(),
      onProgress: (what, done, total) => {
        if (Date.now() - last < 15_000) return;
        last = Date.now();
        ctx.print(`  ${what}: ${done} / ${total}`);
      },
    });
    // Exception cases with their histories; the bot's start-up backfill computes their results and daily rollup.
    const e = exceptions > 0 ? await generateExceptions(client, { cases: exceptions, now: new Date() }) : undefined;
    ctx.print(`dashboard: generated in ${Math.round((g.ms + (e?.ms ?? 0)) / 1000)} s; measuring…`);
    const cookie = await dashboardSession(client, secret, BENCH_MANAGER);
    const inspectorCookie = await dashboardSession(client, secret, BENCH_INSPECTOR);
    const bot = await ctx.startBot({ workers: false, env });
    try {
      const backfillMs = e ? await exceptionResults(client, e.cases) : null;
      if (e) ctx.print(`dashboard: exception results backfilled in ${Math.round(backfillMs! / 1000)} s`);
      const notes: string[] = [];
      const metrics: Record<string, number | string | null> = {
        reviews: g.reviews,
        calibrationReviews: g.calibrationReviews,
        reviewItems: g.reviewItems,
        appeals: g.appeals,
        exceptionCases: e?.cases ?? 0,
        exceptionStateChanges: e?.history ?? 0,
        exceptionBackfillMs: backfillMs === null ? null : Math.round(backfillMs),
        contracts: g.contracts,
        communities: g.communities,
        communityDays: g.communityDays,
        generateMs: g.ms,
        loadAvg1mBefore: round(loadavg()[0]!),
      };
      let worst = 0;
      const samples = ctx.short ? 5 : SAMPLES;
      for (const e of endpoints) {
        const r = await timeGets(bot, e.as === 'inspector' ? inspectorCookie : cookie, e.path, samples);
        const s = summarise(r.ms);
        metrics[`${e.name}.p50Ms`] = s.p50;
        metrics[`${e.name}.p95Ms`] = s.p95;
        metrics[`${e.name}.queries`] = r.queriesPerRequest;
        worst = Math.max(worst, s.p95 ?? Infinity);
        if (r.failed > 0) notes.push(`${e.name}: ${r.failed} of ${samples} answered ${r.firstStatus}`);
      }
      metrics.loadAvg1mAfterGets = round(loadavg()[0]!);
      const paint = await firstPaint(bot, cookie, ctx.short ? 2 : 5, notes, tabs);
      Object.assign(metrics, paint.metrics);
      metrics.loadAvg1mAfter = round(loadavg()[0]!);
      metrics.peakRssMb = bot.child.peakRssMb();
      return {
        results: [
          {
            name: 'dashboard',
            description:
              `${g.reviews} QA reviews, ${e?.cases ?? 0} exception cases, ${g.contracts} contracts, ` +
              `${g.communityDays} community-days; ${samples} ` +
              'sequential GETs per dashboard call as a signed-in manager (`.inspector`: a bench inspector); ' +
              'first paint of /dashboard per tab in headless Chromium (a fresh browser context each time, ' +
              'session cookie set)',
            metrics,
            targets: [
              target('every dashboard GET p95 ms', '<', 100, worst),
              target('first meaningful paint ms (worst tab, median)', '<', 1500, paint.worst),
            ],
            notes,
          },
        ],
      };
    } finally {
      await ctx.stop(bot);
    }
  } finally {
    await client.end();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Waits for the bot's start-up backfill to store every generated case's results (as the exceptions scenario does). */
async function exceptionResults(client: pg.Client, cases: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from exceptions_case_results');
    if (rows[0]!.n >= cases) break;
    if (performance.now() - started > 30 * 60_000) throw new Error(`results backfill stuck at ${rows[0]!.n}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await client.query('analyze exceptions_case_results, exceptions_daily_rollup');
  return performance.now() - started;
}

/** A signed-in manager, as POST /api/dashboard/session would make it (src/core/session.ts). */
async function timeGets(bot: RunningServer, cookie: { name: string; value: string }, path: string, samples: number) {
  const get = async () => {
    const t0 = performance.now();
    const res = await fetch(`${bot.url}${path}`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  };
  for (let i = 0; i < 3; i++) await get(); // warm-up: plans and caches
  const q0 = (await bot.child.call<{ queries: number }>('queries')).queries;
  const ms: number[] = [];
  let failed = 0;
  let firstStatus: number | undefined;
  for (let i = 0; i < samples; i++) {
    const r = await get();
    ms.push(r.ms);
    if (r.status !== 200) {
      failed++;
      firstStatus ??= r.status;
    }
  }
  const q1 = (await bot.child.call<{ queries: number }>('queries')).queries;
  // The idle pg-boss/settings polls are counted too: a few per second at most, noise at 30 samples.
  return { ms, failed, firstStatus, queriesPerRequest: Math.round(((q1 - q0) / samples) * 10) / 10 };
}

/**
 * First paint of the workbench page per tab: first-contentful-paint (the frame) and "meaningful" = the tab's body
 * reports data-state ready (its numbers drawn), both from navigation start, in a fresh context each time.
 */
async function firstPaint(
  bot: RunningServer,
  cookie: { name: string; value: string },
  runs: number,
  notes: string[],
  tabs: readonly (typeof TABS)[number][],
): Promise<{ metrics: Record<string, number | null>; worst: number | null }> {
  if (!existsSync(CHROMIUM)) {
    notes.push(`first paint not measured: no Chromium at ${CHROMIUM}`);
    return { metrics: {}, worst: null };
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const metrics: Record<string, number | null> = {};
  let worst: number | null = null;
  try {
    for (const tab of tabs) {
      const fcp: number[] = [];
      const ready: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
        await context.addCookies([{ ...cookie, url: bot.url }]);
        const page = await context.newPage();
        try {
          await page.goto(`${bot.url}/dashboard?tab=${tab}&days=30`);
          const body = page.locator(
            '[data-testid=tab-body][data-state=ready], [data-testid=tab-body][data-state=error]',
          );
          await body.waitFor({ timeout: 60_000 });
          const state = await page.locator('[data-testid=tab-body]').getAttribute('data-state');
          if (state !== 'ready') notes.push(`first paint ${tab}: the tab showed ${state}`);
          const t = await page.evaluate(() => ({
            now: performance.now(),
            fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
          }));
          if (i === 0) continue; // the first load compiles the page's scripts; not counted
          ready.push(t.now);
          if (t.fcp !== null) fcp.push(t.fcp);
        } finally {
          await context.close();
        }
      }
      const r = summarise(ready);
      metrics[`paint.${tab}.fcpP50Ms`] = summarise(fcp).p50;
      metrics[`paint.${tab}.readyP50Ms`] = r.p50;
      metrics[`paint.${tab}.readyMaxMs`] = r.max;
      worst = Math.max(worst ?? 0, r.p50 ?? Infinity);
    }
  } finally {
    await browser.close();
  }
  return { metrics, worst };
}
