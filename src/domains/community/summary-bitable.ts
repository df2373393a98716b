import { calendarDay, fromZonedParts } from '../../core/zoned-time.js';
import type { SqlExecutor } from '../../db/client.js';
import type { FieldOwner, TableSeam, TableSpec } from '../../mirror/index.js';
import { platformOption } from './logic/platforms.js';
import {
  expiredRows,
  heldCurrent,
  heldNumbers,
  parseSummaryNo,
  summaryNo,
  summaryRowsOf,
  touchedPeriods,
  type SummaryRow,
} from './summary-rows.js';

export { SUMMARY_TABLE } from './summary-rows.js';

// Every field is the bot's: the rows are sums people read, not edit. A person's typing is put back with a DM
// (the kit's refusal of an edit in a bot-owned column); 更新时间 is Bitable's own modified time.
export const SUMMARY_OWNERS: Record<string, FieldOwner> = Object.fromEntries(
  [
    'summary_id',
    'period_type',
    'period',
    'period_start',
    'period_end',
    'current',
    'dimension',
    'platform',
    'operator',
    'communities',
    'opening_members',
    'closing_members',
    'members_joined',
    'members_left',
    'net_growth',
    'churn_rate',
    'activity_rate',
    'messages',
    'orders',
    'gmv',
    'conversion_rate',
    'gmv_per_member',
    'days_with_data',
    'updated_at',
  ].map((k) => [k, 'bot' as const]),
);

const PERIOD_TYPE = { week: '周', month: '月' } as const;
const DIMENSION = { all: '全部', platform: '按平台', operator: '按运营' } as const;
// Rates to four places, money to the fen: the same figures always encode the same, so an unchanged row compares equal.
const rate = (v: number | null): number | null => (v === null ? null : Math.round(v * 10_000) / 10_000);
const yuan = (fen: number | null): number | null => (fen === null ? null : Math.round(fen) / 100);

/** A summary row as its Bitable row (codec input form). */
export function summaryRow(r: SummaryRow, timeZone: string): Record<string, unknown> {
  const date = (iso: string) => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    return fromZonedParts(timeZone, y, m, d);
  };
  const f = r.figures;
  return {
    period_type: PERIOD_TYPE[r.period.type],
    period: r.period.label,
    period_start: date(r.period.start),
    period_end: date(r.period.end),
    current: r.current,
    dimension: DIMENSION[r.dimension],
    platform: r.dimension === 'platform' ? platformOption(r.key) : null,
    operator: r.dimension === 'operator' && r.key ? [r.key] : [],
    communities: f?.communities ?? 0,
    opening_members: f?.openingMembers ?? 0,
    closing_members: f?.closingMembers ?? 0,
    members_joined: f?.joined ?? 0,
    members_left: f?.left ?? 0,
    net_growth: f?.netGrowth ?? 0,
    churn_rate: rate(f?.churnRate ?? null),
    activity_rate: rate(f?.activityRate ?? null),
    messages: f?.messages ?? 0,
    orders: f?.orders ?? 0,
    gmv: yuan(f?.gmvFen ?? 0),
    conversion_rate: rate(f?.conversionRate ?? null),
    gmv_per_member: yuan(f?.gmvPerMemberFen ?? null),
    days_with_data: f?.days ?? 0,
  };
}

/** A period's rows, kept a few seconds: the reconcile loads every row of the table, one query per period serves. */
function periodCache(db: SqlExecutor, timeZone: string, now: () => Date, ttlMs = 30_000) {
  const held = new Map<string, { at: number; rows: Promise<SummaryRow[]> }>();
  return (no: ReturnType<typeof parseSummaryNo> & object): Promise<SummaryRow[]> => {
    const at = now().getTime();
    const hit = held.get(no.period.label);
    if (hit && at - hit.at < ttlMs && at >= hit.at) return hit.rows;
    const rows = summaryRowsOf(db, no.period, calendarDay(now(), timeZone));
    held.set(no.period.label, { at, rows });
    rows.catch(() => held.delete(no.period.label));
    return rows;
  };
}

/** The declaration of 社群汇总: bot rows only (every field bot-owned; people's typing is put back). */
export function summaryTableSpec(db: SqlExecutor, timeZone: string, now: () => Date): TableSpec<SummaryRow> {
  const rowsOf = periodCache(db, timeZone, now);
  return {
    owner: SUMMARY_OWNERS,
    recordNo: 'summary_id',
    label: '社群汇总',
    numberOf: summaryNo,
    async load(no) {
      const parsed = parseSummaryNo(no);
      if (!parsed) return undefined;
      const found = (await rowsOf(parsed)).find((r) => summaryNo(r) === no);
      const today = calendarDay(now(), timeZone);
      // A group with no daily row in the period any more reads zero (its row stays, emptied).
      return found ?? { ...parsed, current: parsed.period.start <= today && today <= parsed.period.end, figures: null };
    },
    // Declared so the kit watches the table: a person's typing in it is put back (every column is the bot's).
    async onEdit() {},
    toRow: (r) => summaryRow(r, timeZone),
  };
}

export interface SummarySync {
  /** Periods summed again and rows handed to the kit (it writes only those that differ). */
  periods: number;
  rows: number;
  /** Rows of periods that left the window, deleted. */
  expired: number;
}

/**
 * One run of the summary: the periods touched since `since` (see touchedPeriods) are summed again from the stored
 * rollups and handed to the kit, which writes only rows and fields that differ; a group gone from a period (its
 * communities moved) has its row emptied, and rows of periods that left the window are deleted (`remove`). Undefined
 * when Bitable is not provisioned yet.
 */
export async function writeSummary(
  db: SqlExecutor,
  table: TableSeam<SummaryRow>,
  since: Date,
  today: string,
  remove: (recordIds: string[]) => Promise<void>,
): Promise<SummarySync | undefined> {
  let rows = 0;
  const periods = await touchedPeriods(db, since, today, await heldCurrent(db));
  for (const period of periods) {
    const fresh = await summaryRowsOf(db, period, today);
    const numbers = new Set(fresh.map(summaryNo));
    const current = period.start <= today && today <= period.end;
    const gone = (await heldNumbers(db, period))
      .filter((no) => !numbers.has(no))
      .flatMap((no) => {
        const parsed = parseSummaryNo(no);
        return parsed ? [{ ...parsed, current, figures: null }] : [];
      });
    for (const row of [...fresh, ...gone]) {
      if (!(await table.write(row))) return undefined;
      rows++;
    }
  }
  const expired = await expiredRows(db, today);
  if (expired.length > 0) await remove(expired);
  return { periods: periods.length, rows, expired: expired.length };
}
