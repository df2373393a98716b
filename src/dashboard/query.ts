import { z } from 'zod';
import { dayNumberOfIsoDate, instantAtLocal, isoDateOf, localDayNumber } from '../core/zoned-time.js';

/** Longest period a dashboard call may cover: a year and a day (a leap year's 366 days). */
export const MAX_PERIOD_DAYS = 366;
/** When the URL names no period: the last 30 days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;

const IsoDate = z.string().refine((s) => dayNumberOfIsoDate(s) !== null, {
  message: '日期应为 YYYY-MM-DD 格式的真实日期 · must be a real date as YYYY-MM-DD',
});

const Name = z
  .string()
  .trim()
  .min(1, { message: '不能为空 · must not be empty' })
  .max(64, { message: '最长 64 个字符 · at most 64 characters' });

/**
 * The filters every tab shares, as they stand in the page's URL (shareable links): `days` (the
 * last N days) or `from`/`to` (business-time-zone dates, both included); `team`, `channel` (sales
 * channel / shop) and `platform` (community platform) narrow the rows. Bad values answer 400
 * naming the parameter. A tab with parameters of its own: `dashboardQuery({ inspector: z.string().optional() })`.
 */
export const DashboardFilters = z.object({
  days: z.coerce
    .number({ message: '应为天数 · must be a number of days' })
    .int({ message: '应为整数 · must be a whole number' })
    .min(1, { message: '至少 1 天 · at least 1 day' })
    .max(MAX_PERIOD_DAYS, { message: `最多 ${MAX_PERIOD_DAYS} 天 · at most ${MAX_PERIOD_DAYS} days` })
    .optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  team: Name.optional(),
  channel: Name.optional(),
  platform: Name.optional(),
});

type Filters = z.infer<typeof DashboardFilters>;

function checkPeriod(q: Filters, ctx: z.RefinementCtx): void {
  if (q.days !== undefined && (q.from || q.to))
    ctx.addIssue({
      code: 'custom',
      path: ['days'],
      message: '`days` 与 `from`/`to` 只能选一种 · give `days` or `from`/`to`, not both',
    });
  if (!q.from || !q.to) return;
  const span = dayNumberOfIsoDate(q.to)! - dayNumberOfIsoDate(q.from)! + 1;
  if (span < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: '结束日期早于开始日期 · `to` is before `from`' });
  if (span > MAX_PERIOD_DAYS)
    ctx.addIssue({
      code: 'custom',
      path: ['from'],
      message: `时间范围最长 ${MAX_PERIOD_DAYS} 天 · the period is at most ${MAX_PERIOD_DAYS} days`,
    });
}

/** The shared filters plus a tab's own parameters, with the period checked. */
export function dashboardQuery<S extends z.ZodRawShape>(extra: S) {
  return DashboardFilters.extend(extra).superRefine((q, ctx) => checkPeriod(q as Filters, ctx));
}

export const DashboardQuery = dashboardQuery({});
export type DashboardQuery = z.infer<typeof DashboardQuery>;

export interface Period {
  /** Business dates, both included. */
  from: string;
  to: string;
  days: number;
  /** [since, until) as instants: the start of `from` and the start of the day after `to`. */
  since: Date;
  until: Date;
}

/**
 * The period a query names, in the business time zone: the last `days` days, or `from`–`to` where
 * missing ends default to today and the 30 days up to it. A period longer than a year (only possible with one end left
 * out) is cut to one.
 */
export function periodOf(query: Pick<DashboardQuery, 'days' | 'from' | 'to'>, now: Date, timeZone: string): Period {
  const today = localDayNumber(timeZone, now.getTime());
  if (query.days !== undefined) return span(today - query.days + 1, today, timeZone);
  const to = query.to
    ? dayNumberOfIsoDate(query.to)!
    : query.from
      ? Math.min(today, dayNumberOfIsoDate(query.from)! + MAX_PERIOD_DAYS - 1)
      : today;
  let from = query.from ? dayNumberOfIsoDate(query.from)! : to - DEFAULT_PERIOD_DAYS + 1;
  from = Math.max(Math.min(from, to), to - MAX_PERIOD_DAYS + 1);
  return span(from, to, timeZone);
}

function span(from: number, to: number, timeZone: string): Period {
  return {
    from: isoDateOf(from),
    to: isoDateOf(to),
    days: to - from + 1,
    since: new Date(instantAtLocal(timeZone, from, 0)),
    until: new Date(instantAtLocal(timeZone, to + 1, 0)),
  };
}
