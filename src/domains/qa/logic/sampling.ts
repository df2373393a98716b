import { z } from 'zod';
import type { SampleReason } from './review.js';
import { seededRandomFrom } from '../../shared/seeded-random.js';
import { sampleSize } from './precision.js';

/** Margin, confidence and expected rate (qa.policy.precision) a margin-sized plan aims for. */
type Precision = Parameters<typeof sampleSize>[0];

/** Which conversations get reviewed: a quota per agent, spread over their channels, tilted towards risk. */
export const SamplingPolicy = z.object({
  /** Conversations reviewed per agent and period (fewer when the agent had fewer); with `size: margin`, the most. */
  perAgent: z.number().int().min(0).max(200).default(5),
  /**
   * How many per agent: `fixed` takes `perAgent`; `margin` takes what the agent's conversations of the
   * period need for a rate within ±margin at the confidence level (qa.policy.precision, finite population
   * corrected), never more than `perAgent` (the inspectors' capacity).
   */
  size: z.enum(['fixed', 'margin']).default('fixed'),
  /** A CSAT at or below this is a bad rating. */
  lowCsat: z.number().int().min(1).max(5).default(2),
  /** A tag containing one of these marks a refund or complaint. */
  riskWords: z.array(z.string().min(1)).default(['退款', '退货', '投诉', '差评', 'refund', 'complaint']),
  /** Extra weight per risk (a plain conversation weighs 1). */
  weights: z
    .object({
      badRating: z.number().min(0).max(100).default(3),
      complaint: z.number().min(0).max(100).default(3),
      precheck: z.number().min(0).max(100).default(2),
    })
    .prefault({}),
});
export type SamplingPolicy = z.infer<typeof SamplingPolicy>;

export interface Candidate {
  id: number;
  agent: string;
  channel: string;
  csat: number | null;
  tags: readonly string[];
  /** How many pre-checks flagged it. */
  precheckHits: number;
}

export interface Pick {
  id: number;
  agent: string;
  channel: string;
  reason: SampleReason;
  weight: number;
  /**
   * The chance it was picked (approximately k·w/Σw in its agent × channel stratum, at most 1):
   * reports weight a score by 1/probability so risk picks do not bias an agent's average.
   */
  probability: number;
}

/** The conversation's sampling weight and the risk that weighs most (the review's 抽样原因). */
export function riskOf(c: Candidate, p: SamplingPolicy): { weight: number; reason: SampleReason } {
  const parts: Array<[SampleReason, number]> = [
    ['bad_rating', c.csat !== null && c.csat <= p.lowCsat ? p.weights.badRating : 0],
    [
      'complaint',
      c.tags.some((t) => p.riskWords.some((w) => t.toLowerCase().includes(w.toLowerCase()))) ? p.weights.complaint : 0,
    ],
    ['precheck', c.precheckHits > 0 ? p.weights.precheck : 0],
  ];
  const top = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { weight: 1 + parts.reduce((s, [, w]) => s + w, 0), reason: top[1] > 0 ? top[0] : 'random' };
}

/** A small seeded generator (mulberry32) from a string: the same seed draws the same plan. */
export const rng = (seed: string): (() => number) => seededRandomFrom(seed);

/** `total` split over sizes proportionally, largest remainder first, never more than a size. */
export function allocate(total: number, sizes: readonly number[]): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const want = Math.min(total, n);
  if (want === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * want) / n);
  const out = exact.map((e, i) => Math.min(sizes[i]!, Math.floor(e)));
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let left = want - out.reduce((a, b) => a + b, 0), k = 0; left > 0; k++) {
    const i = order[k % order.length]![1];
    if (out[i]! < sizes[i]!) {
      out[i]!++;
      left--;
    }
  }
  return out;
}

/** Reviews for an agent with `conversations` in the period: fixed, or what the margin needs (capped by perAgent). */
export function agentQuota(policy: SamplingPolicy, conversations: number, precision?: Precision): number {
  if (policy.size === 'margin' && precision) return Math.min(policy.perAgent, sampleSize(precision, conversations));
  return Math.min(policy.perAgent, conversations);
}

/**
 * The plan: per agent `perAgent` conversations, allocated over their channels in proportion to
 * volume, drawn within each agent × channel stratum by weighted sampling without replacement
 * (Efraimidis–Spirakis keys u^(1/w)) from a generator seeded by `seed` and the stratum.
 */
export function samplePlan(
  candidates: readonly Candidate[],
  policy: SamplingPolicy,
  seed: string,
  precision?: Precision,
): Pick[] {
  const byAgent = new Map<string, Map<string, Candidate[]>>();
  for (const c of candidates) {
    const channels = byAgent.get(c.agent) ?? new Map<string, Candidate[]>();
    const stratum = channels.get(c.channel);
    if (stratum) stratum.push(c);
    else channels.set(c.channel, [c]);
    byAgent.set(c.agent, channels);
  }
  const picks: Pick[] = [];
  for (const [agent, channels] of [...byAgent].sort((a, b) => a[0].localeCompare(b[0]))) {
    const strata = [...channels].sort((a, b) => a[0].localeCompare(b[0]));
    const sizes = strata.map(([, cs]) => cs.length);
    const quota = allocate(
      agentQuota(
        policy,
        sizes.reduce((a, b) => a + b, 0),
        precision,
      ),
      sizes,
    );
    strata.forEach(([channel, cs], s) => {
      const k = quota[s]!;
      if (k === 0) return;
      const random = rng(`${seed}|${agent}|${channel}`);
      const weighed = [...cs]
        .sort((a, b) => a.id - b.id)
        .map((c) => ({ c, ...riskOf(c, policy) }))
        .map((x) => ({ ...x, key: Math.log(random() || Number.MIN_VALUE) / x.weight }));
      const total = weighed.reduce((a, x) => a + x.weight, 0);
      for (const x of weighed.sort((a, b) => b.key - a.key || a.c.id - b.c.id).slice(0, k))
        picks.push({
          id: x.c.id,
          agent,
          channel,
          reason: x.reason,
          weight: x.weight,
          probability: Math.min(1, (k * x.weight) / total),
        });
    });
  }
  return picks;
}

export interface Inspector {
  openId: string;
  /** Reviews already waiting for them. */
  load: number;
  /** Channels they review; empty: all. */
  channels: readonly string[];
}

/**
 * Each pick to the inspector with the least load among those who review its channel (anyone when
 * nobody does), ties in a seeded order; riskiest picks are placed first.
 */
export function assign(picks: readonly Pick[], inspectors: readonly Inspector[], seed: string): Map<number, string> {
  const random = rng(`${seed}|inspectors`);
  const pool = [...inspectors].sort((a, b) => a.openId.localeCompare(b.openId)).map((i) => ({ ...i, tie: random() }));
  const out = new Map<number, string>();
  if (pool.length === 0) return out;
  for (const p of [...picks].sort((a, b) => b.weight - a.weight || a.id - b.id)) {
    const skilled = pool.filter((i) => i.channels.length === 0 || i.channels.includes(p.channel));
    const eligible = skilled.length > 0 ? skilled : pool;
    const best = eligible.reduce((a, b) => (b.load < a.load || (b.load === a.load && b.tie < a.tie) ? b : a));
    best.load++;
    out.set(p.id, best.openId);
  }
  return out;
}
