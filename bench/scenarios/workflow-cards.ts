// Each workflow's busiest card on its real path (issue 14 item 3), at 50 clicks/s: the QA inspector's
// one-click score (qa.score with every suggestion taken: marks, total, red lines, N/A rescaling, the
// review's write and rollups, the agent's feedback card queued) and the contract approver's 同意
// (contracts.decide: the step decided, the next step opened or the contract activated, cards queued)
// and the community operator's 确认 / 静默 on an alert (community.ack / community.mute: the alert moved, a mute
// stored, the operator's card for the day redrawn from the stored alerts).
// The bot runs every domain with the demo directory, rules and scorecard seeded; the reviews and
// steps clicked are made through the bot's own API (conversations + sampling, contracts), never by
// hand-written SQL, so each click meets the state a real one would (the alerts: communities and their
// daily figures through the API, then the real morning check, `community.alerts`, day by day).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { demoTenant } from '../../src/sandbox/index.js';
import type { BenchContext, RunningServer } from '../context.js';
import { cardLoad, prefixed, queriesPerCallback, type CardJob } from '../load/card-load.js';
import type { Click } from '../load/payloads.js';
import { target, type ScenarioResult } from '../results.js';

const CARD_RATE = 50;
/** Clicks measured for queries per callback, before the load (each target is clicked once: a second is a no-op). */
const PROBE = 20;

interface Api {
  post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export async function workflowCardScenarios(
  ctx: BenchContext,
): Promise<{ results: ScenarioResult[]; skipped?: string }> {
  if (!ctx.database.appEnv.DATABASE_URL)
    return { results: [], skipped: 'needs PostgreSQL (DATABASE_URL): the card path is measured on a server database' };
  const token = randomBytes(24).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'fo-bench-tenant-'));
  const tenantFile = join(dir, 'tenant.json');
  writeFileSync(tenantFile, JSON.stringify(demoTenant(ctx.sandbox.state)));
  const bot = await ctx.startBot({
    workers: true,
    env: { API_TOKENS: token, BENCH_WORKFLOWS: '1', BENCH_DEMO_TENANT: tenantFile },
  });
  const api: Api = {
    // The API's own rate limit (per token) holds the set-up back; its Retry-After is honoured.
    async post(path, body) {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${bot.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await res.json()) as Record<string, unknown>;
        if (res.status !== 429 || attempt >= 10) return { status: res.status, json };
        const wait = Number(res.headers.get('retry-after') ?? 5);
        await new Promise((r) => setTimeout(r, (Number.isFinite(wait) ? wait : 5) * 1000));
      }
    },
    sql: (text, params) => bot.child.call('sql', { text, params: params ?? [] }),
  };
  const durationMs = ctx.short ? 3_000 : 20_000;
  const needed = Math.ceil((CARD_RATE * durationMs) / 1000) + PROBE;
  try {
    return {
      results: [
        await qaScoring(ctx, bot, api, needed),
        await contractDecisions(ctx, bot, api, needed),
        await communityAlerts(ctx, bot, api, needed),
      ],
    };
  } finally {
    await ctx.stop(bot);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the probe (queries per callback) on the first clicks, then the load on the rest; counts what changed. */
async function measure(
  ctx: BenchContext,
  bot: RunningServer,
  clicks: Click[],
  changed: () => Promise<number>,
): Promise<{
  metrics: Record<string, number | null>;
  p99: number | null;
  sent: number;
  changed: number;
  notes: string[];
}> {
  const job = (c: Click[]): CardJob => ({ kind: 'click', clicks: c });
  const before = await changed();
  const perCallback = await queriesPerCallback(ctx, bot, job(clicks.slice(0, PROBE)));
  const afterProbe = await changed();
  await bot.child.call('loopDelay');
  const load = await cardLoad(ctx, bot, job(clicks.slice(PROBE)), {
    rate: CARD_RATE,
    durationMs: ctx.short ? 3_000 : 20_000,
  });
  const loop = await bot.child.call<{ maxMs: number }>('loopDelay');
  const changedByLoad = (await changed()) - afterProbe;
  return {
    p99: load.p99,
    sent: load.sent,
    changed: changedByLoad,
    notes: load.notes,
    metrics: {
      queriesPerCallback: perCallback,
      probeChanged: afterProbe - before,
      ...prefixed('card', load.metrics),
      'card.changed': changedByLoad,
      'card.eventLoopMaxMs': loop.maxMs,
      peakRssMb: bot.child.peakRssMb(),
    },
  };
}

const dayMs = 86_400_000;

/** Conversations over `days` past days (every agent, `perDay` each), sampled day by day: reviews to score. */
async function qaScoring(ctx: BenchContext, bot: RunningServer, api: Api, needed: number): Promise<ScenarioResult> {
  const agents = await api.sql<{ open_id: string; channel: string | null }>(
    `select open_id, channel from directory_people where 'agent' = any(roles) and active order by open_id`,
  );
  const perDay = 6;
  // Sampling takes `perAgent` (5 by default) per agent per period: enough days for the clicks needed.
  const days = Math.ceil(needed / (agents.length * 5)) + 1;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const notes: string[] = [];
  ctx.print(`workflow cards: ${days * agents.length * perDay} QA conversations for ${agents.length} agents…`);
  for (let d = 1; d <= days; d++) {
    const dayStart = today - d * dayMs;
    const conversations = agents.flatMap((a, ai) =>
      Array.from({ length: perDay }, (_, i) => {
        const at = (s: number) => new Date(dayStart + 3_600_000 * (1 + ai) + i * 600_000 + s * 1000).toISOString();
        return {
          channel: a.channel ?? 'tmall',
          externalId: `bench-${d}-${ai}-${i}`,
          agent: a.open_id,
          csat: 1 + ((ai + i + d) % 5),
          messages: [
            { role: 'customer', at: at(0), text: `我的快递到哪了？订单 ${d}${ai}${i}` },
            { role: 'agent', at: at(30 + 60 * (i % 4)), text: '您好，我帮您查一下物流' },
            { role: 'customer', at: at(400), text: '还要多久，我要退款' },
            { role: 'agent', at: at(450 + 200 * (i % 3)), text: '已经为您催促仓库，明天送达，谢谢' },
          ],
        };
      }),
    );
    const r = await api.post('/api/qa/conversations', { conversations });
    if (r.status !== 200) notes.push(`conversations day ${d}: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
    const s = await api.post('/api/qa/sampling', {
      from: new Date(dayStart).toISOString(),
      to: new Date(dayStart + dayMs).toISOString(),
      seed: `bench-${d}`,
    });
    if (s.status !== 200) notes.push(`sampling day ${d}: ${s.status} ${JSON.stringify(s.json).slice(0, 200)}`);
  }
  const reviews = await api.sql<{ id: number; version: number; inspector_open_id: string }>(
    `select id::int as id, version, inspector_open_id from qa_reviews where state = 'to_score' and
       inspector_open_id is not null order by id`,
  );
  if (reviews.length < needed) notes.push(`only ${reviews.length} reviews to score for ${needed} clicks`);
  const clicks: Click[] = reviews.map((r) => ({
    operator: r.inspector_open_id,
    value: { action: 'qa.score', reviewId: r.id, version: r.version, accept: true },
    messageId: `om_bench_review_${r.id}`,
    formValue: { comment: '注意首次响应速度' },
  }));
  const ids = reviews.map((r) => r.id);
  const scored = async () =>
    (
      await api.sql<{ n: number }>(
        `select count(*)::int as n from qa_reviews where id = any($1) and state <> 'to_score'`,
        [ids],
      )
    )[0]!.n;
  const m = await measure(ctx, bot, clicks, scored);
  return {
    name: 'cards.qa-score',
    description:
      `qa.score (one click, every suggestion taken) by the assigned inspector at ${CARD_RATE}/s on ` +
      `${reviews.length} sampled reviews (${agents.length} agents, ${days} days); each review clicked once`,
    metrics: { reviews: reviews.length, ...m.metrics },
    targets: [target('card p99 ms', '<', 100, m.p99), target('clicks that scored a review', '>=', m.sent, m.changed)],
    notes: [...notes, ...m.notes],
  };
}

/** Contracts created through the API, each waiting on its first approval step; 同意 clicked once per step. */
async function contractDecisions(
  ctx: BenchContext,
  bot: RunningServer,
  api: Api,
  needed: number,
): Promise<ScenarioResult> {
  const [owner] = await api.sql<{ open_id: string }>(
    `select open_id from directory_people where active order by open_id limit 1`,
  );
  const notes: string[] = [];
  ctx.print(`workflow cards: ${needed} contracts through the API…`);
  const create = async (i: number) => {
    const r = await api.post('/api/contracts', {
      source: 'bench',
      externalId: `bench-${i}`,
      title: `压测采购合同 ${i}`,
      counterparty: `压测物流有限公司 ${i % 200}`,
      type: 'logistics',
      amountFen: 5_000_000 + (i % 50) * 100_000,
      currency: 'CNY',
      startDate: '2026-04-01',
      endDate: '2028-03-31',
      noticeDays: 30,
      ownerOpenId: owner!.open_id,
      department: 'operations',
    });
    if (r.status >= 300 && notes.length < 3)
      notes.push(`contract ${i}: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
  };
  for (let i = 0; i < needed; i += 4) await Promise.all([0, 1, 2, 3].map((k) => create(i + k)));
  const steps = await api.sql<{ id: number; version: number; approver_open_id: string }>(
    `select s.id::int as id, c.version, s.approver_open_id from contracts_approval_steps s
       join contracts_contracts c on c.id = s.contract_id and c.round = s.round
      where c.source = 'bench' and s.decision = 'pending' and s.approver_open_id is not null order by s.id`,
  );
  if (steps.length < needed) notes.push(`only ${steps.length} pending steps for ${needed} clicks`);
  const clicks: Click[] = steps.map((s) => ({
    operator: s.approver_open_id,
    value: { action: 'contracts.decide', stepId: s.id, version: s.version, decision: 'approve' },
    messageId: `om_bench_step_${s.id}`,
  }));
  const ids = steps.map((s) => s.id);
  const decided = async () =>
    (
      await api.sql<{ n: number }>(
        `select count(*)::int as n from contracts_approval_steps where id = any($1) and decision = 'approved'`,
        [ids],
      )
    )[0]!.n;
  const m = await measure(ctx, bot, clicks, decided);
  return {
    name: 'cards.contracts-decide',
    description:
      `contracts.decide 同意 by the step's approver at ${CARD_RATE}/s on ${steps.length} contracts made ` +
      `through the API, each waiting on its first step; each step clicked once`,
    metrics: { steps: steps.length, ...m.metrics },
    targets: [target('card p99 ms', '<', 100, m.p99), target('clicks that decided a step', '>=', m.sent, m.changed)],
    notes: [...notes, ...m.notes],
  };
}

/** Waits (up to a minute) until no job is due or running: the work queued before a measurement is done. */
async function drained(api: Api): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    const [due] = await api.sql<{ n: number }>(
      `select count(*)::int as n from pgboss.job
        where state in ('created', 'retry', 'active') and start_after <= now()`,
    );
    if (due!.n === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** Days of low activity for a set of communities, judged day by day by the morning check; each alert clicked once. */
async function communityAlerts(
  ctx: BenchContext,
  bot: RunningServer,
  api: Api,
  needed: number,
): Promise<ScenarioResult> {
  const operators = await api.sql<{ open_id: string }>(
    `select open_id from directory_people where 'community_operator' = any(roles) and active order by open_id`,
  );
  const notes: string[] = [];
  if (operators.length === 0) notes.push('no community operator in the directory: alerts have no operator card');
  // 200 communities judged on `days` days: each day every one of them is under the 7-day activity threshold (3 %).
  const count = 200;
  const days = Math.ceil(needed / count) + 1;
  const codes = Array.from({ length: count }, (_, i) => `bench-ack-${i}`);
  for (let i = 0; i < count; i += 500) {
    const r = await api.post('/api/community/communities', {
      communities: codes.slice(i, i + 500).map((code, k) => ({
        code,
        name: `压测社群 ${i + k}`,
        platform: ['wecom', 'wechat', 'douyin', 'xiaohongshu', 'taobao'][(i + k) % 5],
        ...(operators.length > 0 ? { operatorOpenId: operators[(i + k) % operators.length]!.open_id } : {}),
      })),
    });
    if (r.status !== 200) notes.push(`communities: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
  }
  // The check judges yesterday (business time zone): `days` mornings, each with 7 days of figures behind it.
  const morning = (back: number) => new Date(Date.now() - back * dayMs);
  const isoDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);
  const rows = [];
  for (let back = days + 7; back >= 1; back--)
    for (const [i, community] of codes.entries())
      rows.push({
        community,
        date: isoDay(morning(back)),
        membersTotal: 1000 + i,
        membersJoined: 2,
        membersLeft: 1,
        activeMembers: 10,
        messages: 40,
        orders: 1,
        gmvFen: 9_900,
        refundsFen: 0,
      });
  ctx.print(`workflow cards: ${rows.length} community-days, ${days} morning checks…`);
  for (let i = 0; i < rows.length; i += 10_000) {
    const r = await api.post('/api/community/metrics', { rows: rows.slice(i, i + 10_000) });
    if (r.status !== 200) notes.push(`metrics: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
  }
  for (let back = days - 1; back >= 0; back--)
    await bot.child.call('schedule', { name: 'community.alerts', now: morning(back).toISOString() });
  const alerts = await api.sql<{ id: number; version: number; operator_open_id: string }>(
    `select a.id::int as id, a.version, a.operator_open_id from community_alerts a
       join community_communities c on c.id = a.community_id
      where c.code like 'bench-ack-%' and a.state = 'open' and a.operator_open_id is not null order by a.id`,
  );
  if (alerts.length < needed) notes.push(`only ${alerts.length} open alerts for ${needed} clicks`);
  // The checks queued the operators' cards: sent before the clicks, so queries per callback count the clicks alone.
  if (!(await drained(api))) notes.push('the alert cards were still being sent when the clicks began');
  // 确认, 静默 3 天 and 静默 7 天 in turn, as the card offers them.
  const clicks: Click[] = alerts.map((a, i) => ({
    operator: a.operator_open_id,
    value:
      i % 3 === 0
        ? { action: 'community.ack', alertId: a.id, version: a.version }
        : { action: 'community.mute', alertId: a.id, version: a.version, days: i % 3 === 1 ? 3 : 7 },
    messageId: `om_bench_alerts_${a.operator_open_id}`,
  }));
  const ids = alerts.map((a) => a.id);
  const decided = async () =>
    (
      await api.sql<{ n: number }>(
        `select count(*)::int as n from community_alerts where id = any($1) and state <> 'open'`,
        [ids],
      )
    )[0]!.n;
  const m = await measure(ctx, bot, clicks, decided);
  return {
    name: 'cards.community-alert',
    description:
      `community.ack / community.mute by the community's operator at ${CARD_RATE}/s on ${alerts.length} open ` +
      `alerts (${count} communities under the activity threshold, ${days} morning checks, ${operators.length} ` +
      `operators); each alert clicked once, the operator's card for the day redrawn`,
    metrics: { alerts: alerts.length, operators: operators.length, ...m.metrics },
    targets: [target('card p99 ms', '<', 100, m.p99), target('clicks that decided an alert', '>=', m.sent, m.changed)],
    notes: [...notes, ...m.notes],
  };
}
