import { ratesOf, type PeriodRates, type PeriodSums } from './logic/definitions.js';

/** `span`: the whole range [from, to] as one period (a 7-day or 28-day report). */
export const GRAINS = ['day', 'week', 'month', 'span'] as const;
export type Grain = (typeof GRAINS)[number];
export const DIMENSIONS = ['all', 'platform', 'operator', 'community'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface RollupQuery {
  grain: Grain;
  by: Dimension;
  /** ISO dates, inclusive. */
  from: string;
  to: string;
  platform?: string | undefined;
  operator?: string | undefined;
  community?: string | undefined;
  /** Only communities of these directory teams (a team lead's reach); [] reads none. */
  teams?: readonly string[] | undefined;
}

export interface RollupRow extends PeriodSums, PeriodRates {
  /** First day of the period: the day, the ISO week's Monday, the month's 1st. */
  period: string;
  key: string;
  communities: number;
}

/** A result row of either query → the figures, with the rates from `ratesOf` (one formula for SQL and cards). */
export function rollupRowOf(r: Record<string, string | number>): RollupRow {
  const sums: PeriodSums = {
    rows: Number(r.rows),
    days: Number(r.days),
    joined: Number(r.joined),
    left: Number(r.left),
    memberDays: Number(r.member_days),
    activeDays: Number(r.active_days),
    openingMembers: Number(r.opening),
    closingMembers: Number(r.closing),
    messages: Number(r.messages),
    orders: Number(r.orders),
    gmvFen: Number(r.gmv_fen),
    refundsFen: Number(r.refunds_fen),
  };
  const head = { period: String(r.period), key: String(r.key), communities: Number(r.communities) };
  return { ...head, ...sums, ...ratesOf(sums) };
}
