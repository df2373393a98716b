import { DATE_KINDS, kindOf, PERSON_KINDS } from './field-kinds.js';
import type { FilterOperator, TableTemplate, TemplateView, ViewCondition } from './template-schema.js';

/**
 * A template view as Feishu's view `property` (PATCH .../views/:view_id, FEISHU.md §m.2):
 * conditions name fields by **field_id** and carry their values as a string holding a JSON array.
 * Sort and group-by cannot be set through the API (§m.2), and some template conditions have no
 * exact API form — those are returned in `manual` so provisioning can tell the admin.
 */
export interface ViewProperty {
  filter_info?: {
    conjunction: 'and' | 'or';
    conditions: { field_id: string; operator: FilterOperator; value: string }[];
  };
  hidden_fields?: string[];
}

export interface ViewTranslation {
  property: ViewProperty;
  /** What an admin has to set by hand in Feishu, in words (empty when the view is complete). */
  manual: string[];
}

/** Relative dates Feishu's filter understands (§m.2), by our template token. */
const RELATIVE_DAYS: Record<string, number> = { Yesterday: -1, Today: 0, Tomorrow: 1 };
const DAY_TOKEN = Object.fromEntries(Object.entries(RELATIVE_DAYS).map(([k, v]) => [v, k])) as Record<number, string>;

function dayOffset(token: string): number | undefined {
  if (token === '@today') return 0;
  const m = /^@today([+-]\d+)d$/.exec(token);
  return m ? Number(m[1]) : undefined;
}

type Translated = { operator: FilterOperator; value: string[] } | { manual: string };

/**
 * Date fields accept only is / isGreater / isLess (+ empty checks) and the relative values
 * Yesterday / Today / Tomorrow; `≥ X` becomes `> X−1 day` and `≤ X` becomes `< X+1 day` where that
 * day has a name. Anything else (`@month_end`, `@today+30d`, …) would be frozen at provisioning
 * time, so it is left for the admin instead of being wrong tomorrow.
 */
function dateCondition(c: ViewCondition): Translated {
  const token = c.value?.[0];
  const offset = typeof token === 'string' ? dayOffset(token) : undefined;
  if (offset === undefined) return { manual: `${c.operator} ${String(token)}` };
  const shifted =
    c.operator === 'isGreaterEqual'
      ? { operator: 'isGreater' as const, day: offset - 1 }
      : c.operator === 'isLessEqual'
        ? { operator: 'isLess' as const, day: offset + 1 }
        : ['is', 'isGreater', 'isLess'].includes(c.operator)
          ? { operator: c.operator, day: offset }
          : undefined;
  const name = shifted ? DAY_TOKEN[shifted.day] : undefined;
  if (!shifted || !name) return { manual: `${c.operator} ${String(token)}` };
  return { operator: shifted.operator, value: [name] };
}

function condition(template: TableTemplate, c: ViewCondition): Translated {
  const field = template.fields.find((f) => f.key === c.field);
  if (!field) return { manual: `${c.field}: not in the template` };
  const kind = kindOf(field);
  if (c.operator === 'isEmpty' || c.operator === 'isNotEmpty') return { operator: c.operator, value: [] };
  if (kind === 'formula' || kind === 'lookup')
    return { manual: `${field.name} ${c.operator} (formula/lookup fields cannot be filtered by API)` };
  if (PERSON_KINDS.includes(kind) && c.value?.includes('@me')) {
    // The view API takes user ids only; "the person viewing" has no documented API value (§m.2).
    return { manual: `${field.name} ${c.operator} 我 (current user)` };
  }
  if (DATE_KINDS.includes(kind)) return dateCondition(c);
  if (kind === 'checkbox') {
    return c.operator === 'is'
      ? { operator: 'is', value: [String(c.value?.[0] === true || c.value?.[0] === 'true')] }
      : { manual: `${field.name} ${c.operator}` };
  }
  const values = (c.value ?? []).map(String);
  if (values.some((v) => v.startsWith('@'))) return { manual: `${field.name} ${c.operator} ${values.join(',')}` };
  return { operator: c.operator, value: values };
}

/**
 * Translates a template view for one Base. `fieldId(key)` gives the bound field id (undefined when
 * the field is not in Bitable). With `or`, a condition that cannot be set would narrow the view, so
 * no filter is set at all; with `and`, the settable conditions are set and the rest reported.
 */
export function viewProperty(
  template: TableTemplate,
  view: TemplateView,
  fieldId: (key: string) => string | undefined,
): ViewTranslation {
  const manual: string[] = [];
  const property: ViewProperty = {};
  if (view.filter) {
    const conditions: NonNullable<ViewProperty['filter_info']>['conditions'] = [];
    const missed: string[] = [];
    for (const c of view.filter.conditions) {
      const t = condition(template, c);
      const id = fieldId(c.field);
      if ('manual' in t) missed.push(t.manual);
      else if (!id) missed.push(`${c.field}: not provisioned`);
      else conditions.push({ field_id: id, operator: t.operator, value: JSON.stringify(t.value) });
    }
    if (view.filter.conjunction === 'or' && missed.length > 0) {
      manual.push(
        `筛选 filter (any of): ` +
          `${view.filter.conditions.map((c) => `${c.field} ${c.operator} ${(c.value ?? []).join(',')}`).join(' | ')}`,
      );
    } else {
      manual.push(...missed.map((m) => `筛选 filter: ${m}`));
      if (conditions.length > 0) property.filter_info = { conjunction: view.filter.conjunction, conditions };
    }
  }
  if (view.hidden_fields) {
    const ids = view.hidden_fields.map(fieldId).filter((id): id is string => Boolean(id));
    if (ids.length > 0) property.hidden_fields = ids;
  }
  if (view.sort) manual.push(`排序 sort: ${view.sort.map((s) => `${s.field}${s.desc ? ' ↓' : ' ↑'}`).join(', ')}`);
  if (view.group_by && view.type !== 'kanban') manual.push(`分组 group by: ${view.group_by}`);
  if (view.group_by && view.type === 'kanban') manual.push(`看板分组 kanban column: ${view.group_by}`);
  return { property, manual };
}

/** True when a view in Bitable has no filter and no hidden fields: still as provisioning made it. */
export function isBareView(property: { filter_info?: unknown; hidden_fields?: unknown } | null | undefined): boolean {
  if (!property) return true;
  const hidden = property.hidden_fields;
  return !property.filter_info && (!Array.isArray(hidden) || hidden.length === 0);
}
