import { fromZonedParts, zonedParts } from '../core/zoned-time.js';
import type { FilterOperator, TableTemplate, TemplateView } from './template-schema.js';

/** A records/search filter and sort (FEISHU.md §e), field names resolved. */
export interface ViewQuery {
  filter?: {
    conjunction: 'and' | 'or';
    conditions: { field_name: string; operator: FilterOperator; value?: string[] }[];
  };
  sort?: { field_name: string; desc: boolean }[];
}

export interface ViewContext {
  now: Date;
  timeZone: string;
  /** open_id standing in for `@me`; required when the view uses it. */
  me?: string;
}

export class ViewQueryError extends Error {
  override name = 'ViewQueryError';
}

/**
 * The search that returns what a template view shows, so the bot can ask for "我的待办异常件" of
 * one owner with the same definition staff see. Date tokens become `["ExactDate", "<ms>"]` at the
 * start of the business day — the search API's date form as the sandbox models it (not in FEISHU.md:
 * UNCONFIRMED against live Feishu).
 */
export function viewQuery(template: TableTemplate, viewKey: string, context: ViewContext): ViewQuery {
  const view = template.views.find((v) => v.key === viewKey);
  if (!view) throw new ViewQueryError(`${template.key} has no view "${viewKey}"`);
  const nameOf = (key: string) => {
    const field = template.fields.find((f) => f.key === key);
    if (!field) throw new ViewQueryError(`${template.key}.${view.key} names unknown field "${key}"`);
    return field.name;
  };
  const query: ViewQuery = {};
  if (view.filter) {
    query.filter = {
      conjunction: view.filter.conjunction,
      conditions: view.filter.conditions.map((c) => ({
        field_name: nameOf(c.field),
        operator: c.operator,
        ...(c.value ? { value: c.value.flatMap((v) => resolveValue(v, view, context)) } : {}),
      })),
    };
  }
  if (view.sort) query.sort = view.sort.map((s) => ({ field_name: nameOf(s.field), desc: s.desc ?? false }));
  return query;
}

function resolveValue(value: string | number | boolean, view: TemplateView, context: ViewContext): string[] {
  if (typeof value !== 'string' || !value.startsWith('@')) return [String(value)];
  if (value === '@me') {
    if (!context.me) throw new ViewQueryError(`view ${view.key} needs the viewer's open_id for @me`);
    return [context.me];
  }
  return ['ExactDate', String(tokenDate(value, context).getTime())];
}

/** Start of the business day a date token names (weeks run Monday to Sunday). */
export function tokenDate(token: string, { now, timeZone }: ViewContext): Date {
  const p = zonedParts(now, timeZone);
  const day = (offset: number) => fromZonedParts(timeZone, p.year, p.month, p.day + offset);
  const relative = /^@today([+-]\d+)d$/.exec(token);
  if (token === '@today') return day(0);
  if (relative) return day(Number(relative[1]));
  switch (token) {
    case '@week_start':
      return day(1 - p.weekday);
    case '@week_end':
      return day(7 - p.weekday);
    case '@month_start':
      return fromZonedParts(timeZone, p.year, p.month, 1);
    case '@month_end':
      return fromZonedParts(timeZone, p.year, p.month + 1, 0);
    default:
      throw new ViewQueryError(`unknown date token ${token}`);
  }
}
