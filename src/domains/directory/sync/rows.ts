import { z } from 'zod';
import type { TableTemplate } from '../../../bitable/template-schema.js';
import type { MirrorRow } from '../../../mirror/index.js';

/**
 * The four shared Bitable tables as the mirror decodes them (selects as option names, users as
 * `[{ id, name }]`, links as record ids), checked once here; the mappers trust the result.
 */
export const SYNC_TABLES = ['people', 'teams', 'business_calendar'] as const;
/** The directory's own tables, or a table a module's setting is read from (规则配置 `settings`, …). */
export type SyncTable = (typeof SYNC_TABLES)[number] | (string & {});

/** 规则配置: the rules table every workflow shares; modules take their rows with `ruleRows`. */
export const SETTINGS_TABLE = 'settings';

const Text = z
  .string()
  .nullable()
  .transform((s) => (s?.trim() ? s.trim() : null));
const Users = z.array(
  z.looseObject({ id: z.string().min(1), name: z.string().optional(), en_name: z.string().optional() }),
);
const Names = z.array(z.string());
const Num = z.number().nullable();

export const PeopleRow = z.object({
  name: Text,
  user: Users,
  roles: Names,
  team: Names,
  channels: Names,
  lead: Users,
  on_duty: z.boolean(),
  email: Text,
});
export type PeopleRow = z.infer<typeof PeopleRow>;

export const TeamRow = z.object({
  name: Text,
  code: Text,
  chat_id: Text,
  lead: Users,
  manager: Users,
  members: Names,
  active: z.boolean(),
});
export type TeamRow = z.infer<typeof TeamRow>;

export const CalendarRow = z.object({
  date: z.date().nullable(),
  day_type: Text,
  holiday_name: Text,
});
export type CalendarRow = z.infer<typeof CalendarRow>;

export const SettingRow = z.object({
  rule_name: Text,
  rule_type: Text,
  domain: Text,
  exception_kind: Text,
  contract_type: z
    .string()
    .nullish()
    .transform((s) => (s?.trim() ? s.trim() : null)),
  priority: Text,
  value: Num,
  unit: Text,
  amount_min: Num,
  amount_max: Num,
  approver_role: Text,
  warn_at: Num,
  // Optional: rows built before the column was read (and test rows) carry none.
  escalate_to: Text.optional(),
  enabled: z.boolean(),
  effective_from: z.date().nullable(),
});
export type SettingRow = z.infer<typeof SettingRow>;

/** A row that could not be used, and why (Chinese first, for the admin reading the report). */
export interface SyncProblem {
  table: SyncTable;
  recordId: string;
  message: string;
}

export interface Parsed<T> {
  recordId: string;
  modifiedAt: Date | null;
  row: T;
}

/**
 * Rows through their schema, oldest edit first (so "the latest edit wins" is a plain overwrite);
 * a row that does not fit is reported, never thrown.
 */
export function parseRows<S extends z.ZodType>(
  table: SyncTable,
  schema: S,
  rows: readonly MirrorRow[],
  problems: SyncProblem[],
): Parsed<z.infer<S>>[] {
  const out: Parsed<z.infer<S>>[] = [];
  for (const r of rows) {
    const parsed = schema.safeParse(r.values);
    if (parsed.success) out.push({ recordId: r.recordId, modifiedAt: r.modifiedAt, row: parsed.data });
    else
      problems.push({
        table,
        recordId: r.recordId,
        message: `无法读取该行 unreadable row: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      });
  }
  return out.sort(
    (a, b) => (a.modifiedAt?.getTime() ?? 0) - (b.modifiedAt?.getTime() ?? 0) || a.recordId.localeCompare(b.recordId),
  );
}

/** Option display name → the template's stable option key (people may rename nothing; names are the cell values). */
export class OptionKeys {
  constructor(private readonly template: TableTemplate) {}

  key(fieldKey: string, name: string | null | undefined): string | undefined {
    if (!name) return undefined;
    const field = this.template.fields.find((f) => f.key === fieldKey);
    const options = field && (field.type === 3 || field.type === 4) ? field.property.options : [];
    return options.find((o) => o.name === name || o.key === name)?.key;
  }
}
