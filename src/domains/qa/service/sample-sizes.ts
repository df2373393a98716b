import type { PrecisionPolicy } from '../logic/precision.js';
import { sampleSize, zOf } from '../logic/precision.js';
import type { QaDeps } from './context.js';

export type SizeBy = 'all' | 'channel' | 'team' | 'agent';
const KEY: Record<SizeBy, string> = {
  all: `'all'`,
  channel: 'c.channel',
  team: `coalesce(c.team_key, '')`,
  agent: 'c.agent_open_id',
};

export interface SizeRow {
  key: string;
  name: string;
  /** Conversations of the period in this group (the population). */
  conversations: number;
  /** Already picked for review (calibration aside), and of those scored. */
  sampled: number;
  scored: number;
  /** Reviews the margin needs at the confidence level (finite population corrected). */
  needed: number;
  shortfall: number;
  /** The ± a rate would have with the reviews already picked (null: none picked). */
  margin: number | null;
}

export interface SampleSizes {
  from: string;
  to: string;
  by: SizeBy;
  margin: number;
  confidence: number;
  expectedRate: number;
  groups: SizeRow[];
}

/** ± of a rate from n simple random picks out of N at `p`: z·√(p(1−p)/n · (N−n)/(N−1)). */
export function marginOf(n: number, population: number, p: Pick<PrecisionPolicy, 'confidence' | 'expectedRate'>) {
  if (n <= 0) return null;
  const fpc = population > 1 ? Math.max(0, (population - n) / (population - 1)) : 0;
  return zOf(p.confidence) * Math.sqrt(((p.expectedRate * (1 - p.expectedRate)) / n) * fpc);
}

/**
 * How many reviews each channel / team / agent needs in [from, to) for a rate to be known within
 * ±margin at the confidence level, beside how many the plan has picked so far. Margin, confidence and
 * expected rate default to the QA policy (规则配置 qa.policy.precision) and may be overridden per call.
 */
export async function sampleSizes(
  x: QaDeps,
  input: { from: Date; to: Date; by: SizeBy } & Partial<
    Pick<PrecisionPolicy, 'margin' | 'confidence' | 'expectedRate'>
  >,
): Promise<SampleSizes> {
  const policy = (await x.settings.policy.get()).precision;
  const p = {
    margin: input.margin ?? policy.margin,
    confidence: input.confidence ?? policy.confidence,
    expectedRate: input.expectedRate ?? policy.expectedRate,
  };
  const { rows } = await x.database.query<{ key: string; conversations: number; sampled: number; scored: number }>(
    `select ${KEY[input.by]} as key, count(*)::int as conversations, count(r.id)::int as sampled,
            count(r.id) filter (where r.score is not null)::int as scored
       from qa_conversations c
       left join qa_reviews r on r.conversation_id = c.id and r.sample_reason <> 'calibration'
      where c.started_at >= $1 and c.started_at < $2
      group by 1 order by 1`,
    [input.from.toISOString(), input.to.toISOString()],
  );
  const names = await namesOf(x, input.by);
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    by: input.by,
    ...p,
    groups: rows.map((r) => {
      const conversations = Number(r.conversations);
      const sampled = Number(r.sampled);
      const needed = sampleSize(p, conversations);
      return {
        key: String(r.key),
        name: names(String(r.key)),
        conversations,
        sampled,
        scored: Number(r.scored),
        needed,
        shortfall: Math.max(0, needed - sampled),
        margin: marginOf(sampled, conversations, p),
      };
    }),
  };
}

async function namesOf(x: QaDeps, by: SizeBy): Promise<(key: string) => string> {
  if (by === 'channel') {
    const names = (await x.settings.channels.get()).names;
    return (k) => names[k] ?? k;
  }
  if (by === 'team') {
    const teams = new Map((await x.directory.teams()).map((t) => [t.key, t.name]));
    return (k) => teams.get(k) ?? (k || '—');
  }
  if (by === 'agent') {
    const people = new Map((await x.directory.people()).map((p) => [p.openId, p.name]));
    return (k) => people.get(k) ?? k;
  }
  return () => '全部 All';
}
