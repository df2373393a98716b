import type { BenchContext } from '../context.js';
import { runLoadProcess } from '../load/client.js';
import type { LoadJob, LoadStats } from '../load/loadgen.js';
import { summarise, target, type ScenarioResult } from '../results.js';
import { BENCH_OPERATOR, BENCH_TICKETS } from '../server/bench-module.js';

const PAYLOAD_BYTES = 2048;
const CONNECTIONS = 50;

function perSecond(s: LoadStats): number {
  return Math.round((s.ok / s.elapsedMs) * 1000);
}

function loadMetrics(s: LoadStats) {
  const l = summarise(s.latencies);
  return {
    requests: s.requests,
    ok: s.ok,
    non2xx: s.non2xx,
    errors: s.errors,
    perSecond: perSecond(s),
    p50Ms: l.p50,
    p90Ms: l.p90,
    p99Ms: l.p99,
    maxMs: l.max,
  };
}

function errorNotes(s: LoadStats): string[] {
  const notes: string[] = [];
  if (s.non2xx > 0) notes.push(`statuses: ${JSON.stringify(s.statuses)}`);
  if (s.firstError) notes.push(`first connection error: ${s.firstError}`);
  return notes;
}

/** Webhook intake (saturation vs baseline, fixed rate) and card callbacks, all on one intake-only bot. */
export async function intakeScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const credentials = ctx.sandbox.credentials;
  const seconds = (full: number) => (ctx.short ? 1500 : full * 1000);
  const saturate = (url: string, kind: LoadJob['kind'], durationMs: number): Promise<LoadStats> =>
    runLoadProcess({
      url,
      kind,
      mode: 'saturate',
      connections: CONNECTIONS,
      durationMs,
      payloadBytes: PAYLOAD_BYTES,
      credentials,
    });

  ctx.print('intake: baseline (bare Fastify + one INSERT)…');
  const baseline = await ctx.startBaseline();
  if (!ctx.short) await saturate(`${baseline.url}/webhook/event`, 'baseline', 2000); // warm-up
  const base = await saturate(`${baseline.url}/webhook/event`, 'baseline', seconds(10));
  await ctx.stop(baseline);

  ctx.print('intake: group-commit baseline (verify + decrypt + event and job rows, same group commit)…');
  const gcServer = await ctx.startGroupCommitBaseline();
  if (!ctx.short) {
    await saturate(`${gcServer.url}/webhook/event`, 'event', 2000);
    await gcServer.child.call('reset');
  }
  const gc = await saturate(`${gcServer.url}/webhook/event`, 'event', seconds(10));
  const gcStored = await gcServer.child.call<{ stored: number }>('count');
  await gcServer.child.call('reset');
  await ctx.stop(gcServer);

  ctx.print('intake: saturation…');
  const bot = await ctx.startBot({ workers: false });
  if (!ctx.short) {
    await saturate(`${bot.url}/webhook/event`, 'event', 2000);
    await bot.child.call('reset');
  }
  const sat = await saturate(`${bot.url}/webhook/event`, 'event', seconds(10));
  const stored = await bot.child.call<{ stored: number }>('count');
  await bot.child.call('reset');
  const ratioTo = (b: LoadStats) => (perSecond(b) > 0 ? Math.round((perSecond(sat) / perSecond(b)) * 100) / 100 : null);
  const ratio = ratioTo(base);
  const ratioGroupCommit = ratioTo(gc);

  ctx.print('intake: fixed 500 events/s…');
  const fixed = await runLoadProcess({
    url: `${bot.url}/webhook/event`,
    kind: 'event',
    mode: 'rate',
    rate: 500,
    connections: CONNECTIONS,
    durationMs: seconds(60),
    payloadBytes: PAYLOAD_BYTES,
    credentials,
  });
  const fixedStored = await bot.child.call<{ stored: number }>('count');
  await bot.child.call('reset');
  const fixedLatency = summarise(fixed.latencies);

  ctx.print('card callbacks: 50/s…');
  const card = await runLoadProcess({
    url: `${bot.url}/webhook/card`,
    kind: 'card',
    mode: 'rate',
    rate: 50,
    connections: CONNECTIONS,
    durationMs: seconds(20),
    payloadBytes: 0,
    credentials,
    operators: [BENCH_OPERATOR],
    tickets: BENCH_TICKETS,
  });
  const flips = await bot.child.call<{ flips: number }>('flips');
  await ctx.stop(bot);
  const cardLatency = summarise(card.latencies);

  return [
    {
      name: 'intake.saturation',
      description:
        `${CONNECTIONS} connections, ~2 KB signed + encrypted events, verify + decrypt + durable ` +
        `insert (commit before ack), in the same run against two baselines: ` +
        `bare Fastify + one INSERT per request, and the group-commit baseline ` +
        `(the same Fastify body parser, verify + decrypt, event + job rows ` +
        `through the bot's InboxWriter group commit; nothing else)`,
      metrics: {
        ...prefixed('app', loadMetrics(sat)),
        ...prefixed('baseline', loadMetrics(base)),
        ...prefixed('groupCommit', loadMetrics(gc)),
        ratio,
        ratioGroupCommit,
        storedEvents: stored.stored,
        groupCommitStored: gcStored.stored,
      },
      targets: [
        target('events/s ÷ group-commit baseline events/s', '>=', 0.8, ratioGroupCommit),
        target('events/s ÷ bare baseline requests/s', '>=', 0.8, ratio),
        target('acked events stored', '>=', sat.ok, stored.stored),
        target('group-commit baseline: acked events stored', '>=', gc.ok, gcStored.stored),
      ],
      notes: [
        ...errorNotes(sat),
        ...errorNotes(base).map((n) => `baseline ${n}`),
        ...errorNotes(gc).map((n) => `group-commit baseline ${n}`),
      ],
    },
    {
      name: 'intake.fixed-rate',
      description:
        `open loop at 500 events/s for ${Math.round(fixed.elapsedMs / 1000)} s; latency from the ` +
        `planned send time`,
      metrics: { ...loadMetrics(fixed), storedEvents: fixedStored.stored },
      targets: [
        target('p50 ms', '<', 20, fixedLatency.p50),
        target('p99 ms', '<', 100, fixedLatency.p99),
        target('non-2xx + errors', '<=', 0, fixed.non2xx + fixed.errors),
      ],
      notes: errorNotes(fixed),
    },
    {
      name: 'card.callback',
      description:
        'card.action.trigger at 50/s: verify, decrypt, authorize from the directory, conditional update in one ' +
        'transaction, new card',
      metrics: { ...loadMetrics(card), stateChanges: flips.flips },
      targets: [
        target('p99 ms', '<', 100, cardLatency.p99),
        target('non-2xx + errors', '<=', 0, card.non2xx + card.errors),
      ],
      notes: errorNotes(card),
    },
  ];
}

function prefixed(prefix: string, m: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}.${k}`, v]));
}
