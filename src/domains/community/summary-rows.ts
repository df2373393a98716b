import type { SqlExecutor } from '../../db/client.js';
import { mirrorTableName, quote } from '../../mirror/mirror-ddl.js';
import { addDays, periodOf, periodOfLabel, previousPeriod, type Period, type PeriodType } from './logic/periods.js';
import type { RollupRow } from './rollup-query.js';
import { rollupsFromStore, type StoredDimension } from './rollup-stored.js';

/** 社群汇总: one row per week or month × (everything | a platform | an operator), from the stored rollups. */
export const SUMMARY_TABLE = 'community_summary';
/** The weeks and months kept in Bitable (Postgres keeps every day; the dashboard reads any range). */
export const SUMMARY_WEEKS = 13;
export const SUMMARY_MONTHS = 13;

export const SUMMARY_DIMENSIONS = ['all', 'platform', 'operator'] as const satisfies readonly StoredDimension[];
export type SummaryDimension = (typeof SUMMARY_DIMENSIONS)[number];

export interface SummaryRow {
  period: Period;
  dimension: SummaryDimension;
  /** The platform key or the operator's open_id ('' for communities with no operator); 'all' for everything. */
  key: string;
  /** The period holds today. */
  current: boolean;
  /** The figures; null when the group has no daily row in the period (any more). */
  figures: RollupRow | null;
}

// An operator key may be '' (no operator): the number says '-' then, never an empty last part.
export const summaryNo = (r: Pick<SummaryRow, 'period' | 'dimension' | 'key'>): string =>
  r.dimension === 'all' ? `${r.period.label}/all` : `${r.period.label}/${r.dimension}/${r.key || '-'}`;

/** A record number back to its period, grouping and key, or undefined when it is not one of ours. */
export function parseSummaryNo(no: string): Pick<SummaryRow, 'period' | 'dimension' | 'key'> | undefined {
  const [label, dimension, ...rest] = no.split('/');
  const period = label ? periodOfLabel(label) : undefined;
  if (!period) return undefined;
  if (dimension === 'all' && rest.length === 0) return { period, dimension, key: 'all' };
  const key = rest.join('/');
  if ((dimension === 'platform' || dimension === 'operator') && key)
    return { period, dimension, key: dimension === 'operator' && key === '-' ? '' : key };
  return undefined;
}

/** Every group's row of one period, from the stored rollups in one statement. */
export async function summaryRowsOf(db: SqlExecutor, period: Period, today: string): Promise<SummaryRow[]> {
  const by = await rollupsFromStore(db, { grain: period.type, from: period.start, to: period.end }, [
    ...SUMMARY_DIMENSIONS,
  ]);
  const current = period.start <= today && today <= period.end;
  return SUMMARY_DIMENSIONS.flatMap((dimension) =>
    by[dimension].map((figures) => ({ period, dimension, key: figures.key, current, figures })),
  );
}

/** The oldest period of each type kept in Bitable. */
export function summaryWindow(today: string): Record<PeriodType, string> {
  const month = periodOf('month', today);
  const [y, m] = month.start.split('-').map(Number) as [number, number];
  const back = y * 12 + (m - 1) - (SUMMARY_MONTHS - 1);
  const oldestMonth = `${Math.floor(back / 12)}-${String((back % 12) + 1).padStart(2, '0')}-01`;
  return { week: addDays(periodOf('week', today).start, -7 * (SUMMARY_WEEKS - 1)), month: oldestMonth };
}

/**
 * The periods to write: those holding a daily row changed at or after `since` (or a day of a community changed then:
 * a new operator or platform moves its days), within the window, and always the current and previous week and month
 * (当前周期 moves when a period begins), and `alsoLabels` (heldCurrent). Oldest first.
 */
export async function touchedPeriods(
  db: SqlExecutor,
  since: Date,
  today: string,
  alsoLabels: readonly string[] = [],
): Promise<Period[]> {
  const window = summaryWindow(today);
  const from = window.month < window.week ? window.month : window.week;
  const { rows } = await db.query<{ week: string; month: string }>(
    `select distinct to_char(date_trunc('week', t.day::timestamp), 'YYYY-MM-DD') as week,
            to_char(date_trunc('month', t.day::timestamp), 'YYYY-MM-DD') as month
       from (select m.day from community_daily_metrics m where m.day >= $2::date and m.updated_at >= $1
             union
             select m.day from community_communities c join community_daily_metrics m on m.community_id = c.id
              where c.updated_at >= $1 and m.day >= $2::date) t`,
    [since, from],
  );
  const periods = new Map<string, Period>();
  const add = (p: Period) => {
    if (p.start >= window[p.type]) periods.set(p.label, p);
  };
  for (const r of rows) {
    add(periodOf('week', r.week));
    add(periodOf('month', r.month));
  }
  for (const type of ['week', 'month'] as const) {
    const now = periodOf(type, today);
    add(now);
    add(previousPeriod(now));
  }
  for (const label of alsoLabels) {
    const p = periodOfLabel(label);
    if (p) add(p);
  }
  return [...periods.values()].sort((a, b) => a.start.localeCompare(b.start) || a.type.localeCompare(b.type));
}

/** Record numbers of a period's rows in the mirror (what Bitable holds), to empty those no longer in the rollups. */
export async function heldNumbers(db: SqlExecutor, period: Period): Promise<string[]> {
  const { rows } = await db.query<{ no: string }>(
    `select ${quote('summary_id')} as no from ${quote(mirrorTableName(SUMMARY_TABLE))}
      where ${quote('summary_id')} like $1`,
    [`${period.label}/%`],
  );
  return rows.map((r) => r.no);
}

/**
 * Periods whose rows Bitable holds ticked 当前周期 (the mirror's copy): one that ended while no run came (the bot was
 * down) is written again, so the tick moves.
 */
export async function heldCurrent(db: SqlExecutor): Promise<string[]> {
  const { rows } = await db.query<{ label: string }>(
    `select distinct split_part(${quote('summary_id')}, '/', 1) as label
       from ${quote(mirrorTableName(SUMMARY_TABLE))} where ${quote('current')} is true`,
  );
  return rows.map((r) => r.label);
}

/** Rows of periods that left the window (record ids), from the mirror's copy: the table keeps its size. */
export async function expiredRows(db: SqlExecutor, today: string): Promise<string[]> {
  const window = summaryWindow(today);
  const { rows } = await db.query<{ record_id: string; no: string | null }>(
    `select record_id, ${quote('summary_id')} as no from ${quote(mirrorTableName(SUMMARY_TABLE))}`,
  );
  return rows.flatMap((r) => {
    const period = r.no ? parseSummaryNo(r.no)?.period : undefined;
    return period && period.start < window[period.type] ? [r.record_id] : [];
  });
}
