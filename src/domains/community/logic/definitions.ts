import { bi, type Bilingual } from '../../shared/bilingual.js';

/**
 * The metric definitions · 指标口径 — the one place they are written down. The rollup SQL
 * (rollup-repository.ts) is built from `sql` below, cards and the dashboard show `text`, and
 * docs/community-metrics.md repeats them for readers of the repository. A test pins each one on a
 * hand-computed dataset (test/domains/community/definitions.test.ts).
 *
 * Terms, for a period P (a day, an ISO week Monday–Sunday, a calendar month) and a set of
 * communities G (one community, a platform, an operator's communities, everything):
 * - a *row* is one community's day; only days with a row count (a missing day is "data late", not zero);
 * - *member-days* = Σ 群成员数 (membersTotal) over the rows;
 * - *opening members* = Σ over the communities of (membersTotal − joined + left) on each
 *   community's first row in P: who was there when the period began.
 */
export interface MetricDefinition {
  key: 'net_growth' | 'churn_rate' | 'activity_rate' | 'conversion_rate' | 'gmv_per_member' | 'dedup';
  name: Bilingual;
  text: Bilingual;
}

export const DEFINITIONS: readonly MetricDefinition[] = [
  {
    key: 'net_growth',
    name: bi('净增长', 'Net growth'),
    text: bi('新增成员 − 退群成员（期内合计）', 'members joined − members left, summed over the period'),
  },
  {
    key: 'churn_rate',
    name: bi('流失率', 'Churn rate'),
    text: bi(
      '期内退群成员 ÷ 期初成员（各群期内首日的 群成员数 − 新增 + 退群 之和）',
      'members left in the period ÷ opening members (Σ of each community’s membersTotal − joined + left on its ' +
        'first day in the period)',
    ),
  },
  {
    key: 'activity_rate',
    name: bi('活跃率', 'Activity rate'),
    text: bi(
      'Σ 活跃成员 ÷ Σ 群成员数（按日累计的人天）',
      'Σ active members ÷ Σ members total, over the same days (member-days)',
    ),
  },
  {
    key: 'conversion_rate',
    name: bi('转化率', 'Conversion rate'),
    text: bi('Σ 成交订单数 ÷ Σ 活跃成员（人天）', 'Σ orders ÷ Σ active members (active member-days)'),
  },
  {
    key: 'gmv_per_member',
    name: bi('人均GMV', 'GMV per member'),
    text: bi(
      'Σ 成交金额 ÷ 日均成员数（Σ 群成员数 ÷ 有数据的天数）；退款另列，不扣减',
      'Σ GMV ÷ average members (Σ members total ÷ days with data); refunds shown apart, not deducted',
    ),
  },
  {
    key: 'dedup',
    name: bi('成员去重', 'De-duplication'),
    text: bi(
      '平台只报人数，不报身份：跨群合计是「群成员席位」，同一人在两个群里算两次；只有飞书群（成员身份已知）按 open_id 去重，另列为「去重成员」。同一社群同一天只保留一行，迟到的更正覆盖原值并留审计。',
      'Platforms report counts, not identities: totals across communities are member seats (one person in two ' +
        'groups counts twice); only Feishu groups, whose members are known, ' +
        'are de-duplicated by open_id and shown apart as unique members. One ' +
        'row per community and day; a late correction replaces it and is ' +
        'audited.',
    ),
  },
];

/** Division that reports "no figure" (null) rather than 0 or Infinity when the base is empty. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** The figures of a period and set of communities, before the rates (what the SQL sums). */
export interface PeriodSums {
  rows: number;
  days: number;
  joined: number;
  left: number;
  memberDays: number;
  activeDays: number;
  openingMembers: number;
  closingMembers: number;
  messages: number;
  orders: number;
  gmvFen: number;
  refundsFen: number;
}

export interface PeriodRates {
  netGrowth: number;
  churnRate: number | null;
  activityRate: number | null;
  conversionRate: number | null;
  /** Fen per member. */
  gmvPerMemberFen: number | null;
}

/** The rates from the sums, exactly as `DEFINITIONS` says (the SQL computes the sums). */
export function ratesOf(s: PeriodSums): PeriodRates {
  return {
    netGrowth: s.joined - s.left,
    churnRate: ratio(s.left, s.openingMembers),
    activityRate: ratio(s.activeDays, s.memberDays),
    conversionRate: ratio(s.orders, s.activeDays),
    gmvPerMemberFen: s.days > 0 ? ratio(s.gmvFen, s.memberDays / s.days) : null,
  };
}

/** Rates in words for cards: "12.5%", "—" for no figure. */
export const percent = (value: number | null, digits = 1): string =>
  value === null ? '—' : `${(value * 100).toFixed(digits)}%`;
export const yuan = (fen: number | null): string =>
  fen === null
    ? '—'
    : `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
