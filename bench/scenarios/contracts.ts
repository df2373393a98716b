// Issue 11's numbers: the daily expiry sweep over 20,000 contracts (< 1 s), a risk check answered from cache
// (< 10 ms) and a registration provider that never answers, capped at the configured limit (3 s) and kept off the
// card-callback path. Data goes straight into the bench database; the sweep runs as its schedule does, the risk check
// through the contracts service (bench/server/contracts-probe.ts), card clicks through POST /webhook/card.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { demoTenant } from '../../src/sandbox/index.js';
import type { BenchContext, RunningServer } from '../context.js';
import { clickEnvelope, seal } from '../load/payloads.js';
import { summarise, target, type ScenarioResult } from '../results.js';

const DAY_MS = 86_400_000;
const RISK_KEY = 'bench-risk-key';
/** The counterparties the cached-check scenario warms (the timeout scenario keeps clear of them). */
const CACHED = Array.from({ length: 200 }, (_, i) => `压测相对方 ${i + 1}`);

export async function contractsScenarios(ctx: BenchContext): Promise<{ results: ScenarioResult[]; skipped?: string }> {
  const url = ctx.database.appEnv.DATABASE_URL;
  if (!url)
    return { results: [], skipped: 'needs PostgreSQL (DATABASE_URL): 20,000 contracts are for a server database' };
  const token = randomBytes(24).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'fo-bench-contracts-'));
  const tenantFile = join(dir, 'tenant.json');
  const tenant = demoTenant(ctx.sandbox.state);
  writeFileSync(tenantFile, JSON.stringify(tenant));
  const registry = await registryStandIn();
  const env = {
    API_TOKENS: token,
    BENCH_DEMO_TENANT: tenantFile,
    BENCH_CONTRACTS_PROBE: '1',
    CONTRACTS_RISK_API_KEY: RISK_KEY,
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const results: ScenarioResult[] = [];
  try {
    // Intake only while the sweep and the cached checks are measured: the reminders it queues are not sent meanwhile.
    let bot = await ctx.startBot({ workers: false, env });
    const size = ctx.short ? 2_000 : 20_000;
    const owners = tenant.people.map((p) => p.openId);
    try {
      ctx.print(`contracts: generating ${size} contracts…`);
      const gen = await generateContracts(client, size, owners, new Date());
      results.push(await sweepScenario(ctx, bot, size, gen));
      results.push(await cachedRisk(ctx, bot, client, registry.url));
    } finally {
      await ctx.stop(bot);
    }
    // The reminders the sweeps queued would be sent now; they are not what is measured here.
    await client.query(`delete from pgboss.job where name = 'contracts.effects'`);
    bot = await ctx.startBot({ workers: true, env });
    try {
      results.push(await providerTimeout(ctx, bot, client, registry.url));
    } finally {
      await ctx.stop(bot);
    }
  } finally {
    await client.end();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { results };
}

interface Generated {
  ms: number;
  counterparties: number;
  byState: Record<string, number>;
}

/**
 * `size` contracts in the states a ledger holds after a few years (3 % drafts, 5 % in approval, 3 % terminated,
 * 15 % expired, 7 % renewed, the rest in force, ending from a month ago to two years ahead), notice periods of
 * none/30/60/90 days, every fifth in force auto-renewing, one counterparty per ten contracts.
 */
async function generateContracts(client: pg.Client, size: number, owners: string[], now: Date): Promise<Generated> {
  const t0 = performance.now();
  const today = now.toISOString().slice(0, 10);
  const counterparties = Math.max(400, Math.round(size / 10));
  await client.query(
    `insert into contracts_counterparties (name) select '压测相对方 ' || g from generate_series(1, $1::int) g
      on conflict do nothing`,
    [counterparties],
  );
  await client.query(
    `with cp as (select id, row_number() over (order by id) as n from contracts_counterparties
                  where name like '压测相对方 %'),
          g as (select g, (g * 7919) % 100 as bucket, (g * 104729) % 760 as spread from generate_series(1, $1::int) g),
          c as (
            select g.*, case when bucket < 3 then 'draft' when bucket < 8 then 'in_approval'
                             when bucket < 11 then 'terminated' when bucket < 26 then 'expired'
                             when bucket < 33 then 'renewed' else 'active' end as state
              from g)
     insert into contracts_contracts (contract_no, title, counterparty_id, type, amount_fen, currency, amount_cny_fen,
       start_date, end_date, notice_days, auto_renew, owner_open_id, state, round, source, external_id, created_at,
       updated_at)
     select 'BENCH-' || lpad(c.g::text, 6, '0'), '压测合同 ' || c.g,
            (select id from cp where cp.n = 1 + c.g % $2::int),
            (array['purchase','service','logistics','marketing','lease'])[1 + c.g % 5],
            100000 + (c.g % 500) * 10000, 'CNY', 100000 + (c.g % 500) * 10000,
            e.end_date - 364, e.end_date,
            (array[null, 30, 60, 90])[1 + c.g % 4], c.state = 'active' and c.g % 5 = 0,
            ($3::text[])[1 + c.g % array_length($3::text[], 1)], c.state,
            case when c.state in ('draft') then 0 else 1 end, 'bench', c.g::text, now(), now()
       from c, lateral (select case when c.state in ('draft', 'in_approval') then $4::date + 30 + c.spread
                                    when c.state = 'active' then $4::date - 30 + c.spread
                                    else $4::date - 1 - c.spread end as end_date) e`,
    [size, counterparties, owners, today],
  );
  await client.query('analyze contracts_contracts, contracts_counterparties');
  const { rows } = await client.query<{ state: string; n: number }>(
    `select state, count(*)::int as n from contracts_contracts where source = 'bench' group by state order by state`,
  );
  return {
    ms: Math.round(performance.now() - t0),
    counterparties,
    byState: Object.fromEntries(rows.map((r) => [r.state, r.n])),
  };
}

interface SweepRun {
  ms: number;
  queries: number;
}

/** The sweep as its daily job runs it: once to catch up with the generated ledger, then on consecutive days. */
async function sweepScenario(
  ctx: BenchContext,
  bot: RunningServer,
  size: number,
  gen: Generated,
): Promise<ScenarioResult> {
  const sweep = (at: Date) => bot.child.call<SweepRun>('schedule', { name: 'contracts.expiry', now: at.toISOString() });
  const counts = async () =>
    (
      await bot.child.call<Array<{ reminders: number; live: number; history: number }>>('sql', {
        text: `select (select count(*)::int from contracts_reminders) as reminders,
                      (select count(*)::int from contracts_contracts where state in ('active', 'expiring')) as live,
                      (select count(*)::int from contracts_history) as history`,
      })
    )[0]!;
  // 09:00 in Asia/Shanghai, when the schedule fires ('0 9 * * *').
  const nine = new Date(`${new Date().toISOString().slice(0, 10)}T01:00:00Z`).getTime();
  ctx.print(`contracts: catch-up sweep over ${size} contracts…`);
  const catchUp = await sweep(new Date(nine - DAY_MS));
  const runs: Array<SweepRun & { reminders: number; changes: number }> = [];
  const days = ctx.short ? 2 : 5;
  await bot.child.call('loopDelay');
  for (let d = 0; d < days; d++) {
    const before = await counts();
    const r = await sweep(new Date(nine + d * DAY_MS));
    const after = await counts();
    runs.push({ ...r, reminders: after.reminders - before.reminders, changes: after.history - before.history });
    ctx.print(`contracts: day ${d + 1} sweep ${r.ms} ms, ${r.queries} queries`);
  }
  const loop = await bot.child.call<{ maxMs: number }>('loopDelay');
  const live = (await counts()).live;
  const ms = summarise(runs.map((r) => r.ms));
  const metrics: Record<string, number | string | null> = {
    contracts: size,
    counterparties: gen.counterparties,
    generateMs: gen.ms,
    ...Object.fromEntries(Object.entries(gen.byState).map(([s, n]) => [`generated.${s}`, n])),
    liveAfter: live,
    'catchUp.ms': catchUp.ms,
    'catchUp.queries': catchUp.queries,
    'daily.p50Ms': ms.p50,
    'daily.maxMs': ms.max,
    'daily.eventLoopMaxMs': loop.maxMs,
  };
  runs.forEach((r, i) =>
    Object.assign(metrics, {
      [`day${i + 1}.ms`]: r.ms,
      [`day${i + 1}.queries`]: r.queries,
      [`day${i + 1}.stateChanges`]: r.changes,
      [`day${i + 1}.reminders`]: r.reminders,
    }),
  );
  return {
    name: 'contracts.expiry-sweep',
    description:
      `the contracts.expiry schedule's handler (09:00 Asia/Shanghai) over ${size} generated contracts: one catch-up ` +
      `run for the day before, then ${days} consecutive days (their expiring/expired moves and reminders queued)`,
    metrics,
    targets: [target('daily sweep max ms', '<', 1000, ms.max)],
    notes: [
      'workers off: the reminders are queued, not sent (sending is the effects job, paced by the message budget)',
    ],
  };
}

/** A registry service stand-in: `/v1/company` answers at once, `/hang` never answers (the socket stays open). */
async function registryStandIn(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/hang')) return; // never answered
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ data: { status: '存续', registeredCapital: '1000万', legalPerson: '张三', abnormal: '否' } }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Points the contracts.risk setting at `url` (the settings trigger tells the running bot). */
async function useProvider(client: pg.Client, url: string): Promise<void> {
  await client.query(
    `insert into directory_settings (key, value, updated_by) values ('contracts.risk', $1::jsonb, 'bench')
     on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`,
    [JSON.stringify({ provider: { type: 'http', http: { url } }, timeoutMs: 3_000 })],
  );
  await new Promise((r) => setTimeout(r, 300)); // the NOTIFY reaches the listeners
}

type RiskAnswer = Array<{ ms: number; level: string | null; status: string | null; problem: string | null }>;
async function riskOf(bot: RunningServer, names: string[]): Promise<{ wallMs: number; answers: RiskAnswer }> {
  const t0 = performance.now();
  const res = await fetch(`${bot.url}/bench/contracts/risk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ names }),
  });
  if (!res.ok) throw new Error(`risk probe: ${res.status} ${await res.text()}`);
  return { wallMs: Math.round(performance.now() - t0), answers: (await res.json()) as RiskAnswer };
}

/** Many lookups of counterparties whose registration is cached, through the service's riskOf. */
async function cachedRisk(
  ctx: BenchContext,
  bot: RunningServer,
  client: pg.Client,
  registryUrl: string,
): Promise<ScenarioResult> {
  await useProvider(client, `${registryUrl}/v1/company`);
  const names = CACHED;
  ctx.print('contracts: risk checks from the cache…');
  const warm = await riskOf(bot, names); // first look-ups: the provider answers, the cache keeps it
  const lookups = ctx.short ? 400 : 4_000;
  const samples: number[] = [];
  const statuses = new Set<string>();
  const q0 = (await bot.child.call<{ queries: number }>('queries')).queries;
  for (let done = 0; done < lookups; done += names.length) {
    const r = await riskOf(bot, names);
    for (const a of r.answers) {
      samples.push(a.ms);
      statuses.add(a.status ?? 'none');
    }
  }
  const q1 = (await bot.child.call<{ queries: number }>('queries')).queries;
  const floorRes = await fetch(`${bot.url}/bench/contracts/floor`, { method: 'POST' });
  const floor = summarise((await floorRes.json()) as number[]);
  const s = summarise(samples);
  const w = summarise(warm.answers.map((a) => a.ms));
  return {
    name: 'contracts.risk-cached',
    description:
      `${samples.length} risk checks (ContractService.riskOf: the counterparty, registration from the cache, signing ` +
      `history with overdue payments, the stored level) of ${names.length} counterparties with ~10 contracts each`,
    metrics: {
      lookups: samples.length,
      p50Ms: s.p50,
      p95Ms: s.p95,
      p99Ms: s.p99,
      maxMs: s.max,
      queriesPerCheck: Math.round(((q1 - q0) / samples.length) * 10) / 10,
      'firstLookup.p50Ms': w.p50,
      'select1.p50Ms': floor.p50,
      'select1.p99Ms': floor.p99,
      registrationStatus: [...statuses].join(','),
    },
    targets: [target('cached check p99 ms', '<', 10, s.p99)],
    notes: [
      'timed inside the bot around each riskOf call; the first look-ups (the stand-in registry answering over HTTP, ' +
        'then cached in memory and Postgres) are firstLookup; select1 is a bare round trip on the same pool, the ' +
        "machine's floor under its load",
    ],
  };
}

/** A card click through POST /webhook/card, sealed as Feishu does; answers the round trip in ms. */
async function click(ctx: BenchContext, bot: RunningServer, operator: string, value: Record<string, unknown>) {
  const id = randomUUID();
  const sealed = seal(
    clickEnvelope(ctx.sandbox.credentials, `bench-ev-${id}`, { operator, value, messageId: `om_bench_${id}` }),
    ctx.sandbox.credentials,
  );
  const t0 = performance.now();
  const res = await fetch(`${bot.url}/webhook/card`, { method: 'POST', headers: sealed.headers, body: sealed.body });
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, body: text };
}

/**
 * The registry never answers: a direct check gives "unknown" at the limit, and 续签 Renew clicks (whose renewal is
 * risk-checked) answer at once while it hangs — the check runs from the queue and ends "unknown" at the limit too.
 */
async function providerTimeout(
  ctx: BenchContext,
  bot: RunningServer,
  client: pg.Client,
  registryUrl: string,
): Promise<ScenarioResult> {
  await useProvider(client, `${registryUrl}/hang`);
  ctx.print('contracts: a registry that never answers…');
  const clicks = ctx.short ? 4 : 12;
  const { rows: expiring } = await client.query<{ id: string; version: number; owner_open_id: string }>(
    `select c.id, c.version, c.owner_open_id from contracts_contracts c
      where c.state = 'expiring' and c.source = 'bench' and c.counterparty_id not in
            (select id from contracts_counterparties where name = any($2))
      order by c.id limit $1`,
    [clicks, CACHED],
  );
  const uncached = ['压测相对方 301', '压测相对方 302', '压测相对方 303'].slice(0, ctx.short ? 1 : 3);
  const direct = riskOf(bot, uncached);
  const started = Date.now();
  const callbacks: Array<{ ms: number; status: number; toast: string }> = [];
  for (const c of expiring) {
    const r = await click(ctx, bot, c.owner_open_id, {
      action: 'contracts.renewal',
      contractId: Number(c.id),
      version: c.version,
      choice: 'renew',
    });
    const toast = (JSON.parse(r.body) as { toast?: { type?: string } }).toast?.type ?? '?';
    callbacks.push({ ms: r.ms, status: r.status, toast });
    await new Promise((r) => setTimeout(r, 150));
  }
  const clicksDoneMs = Date.now() - started;
  const d = await direct;
  // The renewals' queued risk checks: each renewal is stamped (wall clock) when its check is stored.
  const ids = expiring.map((c) => Number(c.id));
  const deadline = Date.now() + 60_000 + clicks * 4_000;
  const seen = new Map<string, { status: string | null; problem: string | null; afterMs: number }>();
  while (seen.size < ids.length && Date.now() < deadline) {
    const { rows } = await client.query<{ id: string; status: string | null; problem: string | null }>(
      `select r.id, r.risk -> 'registration' ->> 'status' as status, r.risk -> 'registration' ->> 'problem' as problem
         from contracts_contracts r where r.renews_id = any($1) and r.source = 'renewal' and r.risk is not null`,
      [ids],
    );
    for (const r of rows)
      if (!seen.has(r.id)) seen.set(r.id, { status: r.status, problem: r.problem, afterMs: Date.now() - started });
    await new Promise((r) => setTimeout(r, 50));
  }
  const renewals = [...seen.values()];
  const cb = summarise(callbacks.map((c) => c.ms));
  const directMs = summarise(d.answers.map((a) => a.ms));
  const queued = summarise(renewals.map((r) => r.afterMs));
  const unknown = renewals.filter((r) => r.status === 'unknown' && r.problem?.includes('timeout')).length;
  return {
    name: 'contracts.risk-timeout',
    description:
      `the contracts.risk provider is an HTTP service that never answers (timeoutMs 3000): ${uncached.length} direct ` +
      `risk checks, and ${callbacks.length} 续签 Renew card clicks (their renewals risk-checked from the queue) ` +
      'sent while the first check hangs',
    metrics: {
      'direct.maxMs': directMs.max,
      'direct.wallMs': d.wallMs,
      'direct.unknown': d.answers.filter((a) => a.status === 'unknown').length,
      'direct.problem': d.answers[0]?.problem ?? null,
      'callback.count': callbacks.length,
      'callback.p50Ms': cb.p50,
      'callback.maxMs': cb.max,
      'callback.ok': callbacks.filter((c) => c.status === 200 && c.toast === 'success').length,
      'clicks.doneWithinMs': clicksDoneMs,
      'renewals.checked': renewals.length,
      'renewals.unknownTimeout': unknown,
      'renewals.checkedAfterMinMs': queued.p50 === null ? null : Math.min(...renewals.map((r) => r.afterMs)),
      'renewals.checkedAfterMaxMs': queued.max,
    },
    targets: [
      target('direct check ms', 'within', [2_900, 3_500], directMs.max),
      target('card callback max ms (during the hang)', '<', 500, cb.max),
      target('renewals checked "unknown" (timeout)', '>=', callbacks.length, unknown),
    ],
    notes: [
      'renewals.checkedAfter: from the first click to the stored check of the renewal (wall clock, polled every ' +
        '50 ms); ' +
        'they wait for a worker (contracts.effects runs 2 at a time), so a later one is checked after its turn plus ' +
        'the 3 s limit',
    ],
  };
}
