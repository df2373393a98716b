// Card callbacks at a steady rate, measured the same way for every workflow: open-loop latency
// from the planned send time, the machine's load average around the run (on a shared machine the
// latencies mean little without it), and the queries the bot sends per callback.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchContext, RunningServer } from '../context.js';
import { summarise } from '../results.js';
import { runLoadProcess } from './client.js';
import type { LoadJob, LoadStats } from './loadgen.js';

/** What a card load clicks: the job's kind and its targets (cases, clicks, …); the rest is filled in here. */
export type CardJob = Pick<LoadJob, 'kind' | 'operators' | 'cases' | 'clicks'>;

export interface CardLoadResult {
  p99: number | null;
  sent: number;
  metrics: Record<string, number | null>;
  notes: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function cardLoad(
  ctx: BenchContext,
  bot: RunningServer,
  job: CardJob,
  o: { rate: number; durationMs: number },
): Promise<CardLoadResult> {
  const loadBefore = loadavg()[0]!;
  const stats = await runLoadProcess({
    url: `${bot.url}/webhook/card`,
    mode: 'rate',
    rate: o.rate,
    connections: 50,
    durationMs: o.durationMs,
    payloadBytes: 0,
    credentials: ctx.sandbox.credentials,
    ...job,
  });
  const loadAfter = loadavg()[0]!;
  const l = summarise(stats.latencies);
  return {
    p99: l.p99,
    sent: stats.requests,
    metrics: {
      requests: stats.requests,
      ok: stats.ok,
      non2xx: stats.non2xx + stats.errors,
      p50Ms: l.p50,
      p99Ms: l.p99,
      maxMs: l.max,
      loadAvg1mBefore: round2(loadBefore),
      loadAvg1mAfter: round2(loadAfter),
    },
    notes: loadErrorNotes(stats),
  };
}

/**
 * Queries the bot sends per callback: clicks one after another at 10/s for 2 s, minus the bot's idle rate (pg-boss
 * polls, the settings watch) over the same time.
 */
export async function queriesPerCallback(ctx: BenchContext, bot: RunningServer, job: CardJob): Promise<number> {
  const count = async () => (await bot.child.call<{ queries: number }>('queries')).queries;
  const q0 = await count();
  const t0 = performance.now();
  const stats = await runLoadProcess({
    url: `${bot.url}/webhook/card`,
    mode: 'rate',
    rate: 10,
    connections: 1,
    durationMs: 2_000,
    payloadBytes: 0,
    credentials: ctx.sandbox.credentials,
    ...job,
  });
  const busy = (await count()) - q0;
  const elapsed = performance.now() - t0;
  const i0 = await count();
  await new Promise((r) => setTimeout(r, elapsed));
  const idle = (await count()) - i0;
  return Math.round(((busy - idle) / Math.max(1, stats.ok)) * 10) / 10;
}

export function loadErrorNotes(s: LoadStats): string[] {
  const notes: string[] = [];
  if (s.non2xx > 0) notes.push(`statuses: ${JSON.stringify(s.statuses)}`);
  if (s.firstError) notes.push(`first connection error: ${s.firstError}`);
  return notes;
}

export function prefixed(prefix: string, m: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}.${k}`, v]));
}
