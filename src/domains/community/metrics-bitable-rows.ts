import type { FieldValue } from '../../bitable/codec-values.js';
import { calendarDay } from '../../core/zoned-time.js';
import type { Database } from '../../db/client.js';
import type { AddedRow, Refusal, TableEdit } from '../../mirror/index.js';
import { mirrorTableName, quote } from '../../mirror/mirror-ddl.js';
import type { DailyFigures, MetricRow, MetricSource } from './logic/metrics.js';
import { repo } from './repository.js';
import type { IngestResult } from './service/ingest.js';

/** A hand-entered figure's field and the MetricRow key it fills; money is yuan in the grid, fen here. */
export const FIGURE_FIELDS = {
  members_total: 'membersTotal',
  members_joined: 'membersJoined',
  members_left: 'membersLeft',
  active_members: 'activeMembers',
  messages: 'messages',
  orders: 'orders',
  gmv: 'gmvFen',
} as const satisfies Record<string, keyof MetricRow>;
type FigureField = keyof typeof FIGURE_FIELDS;
const FIELD_OF_KEY = Object.fromEntries(Object.entries(FIGURE_FIELDS).map(([f, k]) => [k, f])) as Record<
  string,
  FigureField
>;

/** What a stored day holds that a person's row is checked against (see metrics-bitable.ts MetricDay). */
export interface HeldDay extends DailyFigures {
  code: string;
  day: string;
  source: string;
}

export interface PeopleRowsDeps {
  database: Database;
  timeZone: string;
  ingest(rows: readonly unknown[], source: MetricSource, now: Date): Promise<IngestResult>;
  load(no: string): Promise<HeldDay | undefined>;
  /** A DM to the person who added a row that was not taken in (plain text). */
  tell(openId: string, key: string, text: string): Promise<void>;
}

const SOURCE_NAMES: Record<string, string> = {
  api: '接口 API',
  csv: '文件导入 file import',
  feishu: '飞书群事件 Feishu group events',
  demo: '演示数据 demo data',
};
const FROM_ELSEWHERE = (source: string) =>
  `该行数据来自${SOURCE_NAMES[source] ?? source}，请在来源处更正 · This row comes from ` +
  `${SOURCE_NAMES[source] ?? source}: correct it at its source`;
const IDENTITY =
  '日期和社群确定这一行，不能修改；请新加一行 · The date and community name this row: add a new row instead';
const TWO_DECIMALS = '成交金额最多两位小数 · 成交金额 (GMV) has at most two decimals';

const numberOrRaw = (v: FieldValue | null | undefined): unknown => (v === null || v === undefined ? undefined : v);

/** A grid value of a figure → the MetricRow value (yuan → fen); a bad value passes through for zod to name. */
function figureValue(field: FigureField, v: FieldValue | null | undefined): unknown {
  const raw = numberOrRaw(v);
  if (field !== 'gmv' || typeof raw !== 'number') return raw;
  const fen = raw * 100;
  return Math.abs(fen - Math.round(fen)) < 1e-6 ? Math.round(fen) : fen;
}

/** The day (business time zone) and the community code a person's row names, or what is missing. */
async function identityOf(
  x: PeopleRowsDeps,
  values: Record<string, FieldValue | null | undefined>,
): Promise<{ code: string; day: string } | { missing: true } | { unknown: string }> {
  const date = values.date;
  const link = values.community;
  if (!(date instanceof Date) || !Array.isArray(link) || link.length === 0) return { missing: true };
  const recordId = String(link[0]);
  const community = await repo.byRecordId(x.database.db, recordId);
  if (!community) return { unknown: recordId };
  return { code: community.code, day: calendarDay(date, x.timeZone) };
}

/** The refusal reasons a rejected ingest gives, per field of the grid. */
function refusalsOf(result: IngestResult): Refusal[] {
  return (result.rejected[0]?.errors ?? []).map((error) => {
    const key = error.split(':', 1)[0]!;
    return { key: FIELD_OF_KEY[key] ?? (key === 'community' ? 'community' : 'date'), reason: error };
  });
}

/** Other rows of 每日指标 in the mirror that carry this record number (a day already in the grid). */
async function otherRows(x: PeopleRowsDeps, no: string, recordId: string): Promise<string[]> {
  const { rows } = await x.database.query<{ record_id: string }>(
    `select record_id from ${quote(mirrorTableName('community_daily_metrics'))}
      where ${quote('metric_id')} = $1 and record_id <> $2`,
    [no, recordId],
  );
  return rows.map((r) => r.record_id);
}

/**
 * A row a person adds to 每日指标 by hand: once it names a date, a community and 群成员数, it is validated
 * and stored as that community's figures for that day (source 手工录入), by the same rules as the API: the
 * same figures again change nothing, different ones for a hand-entered day are a correction (audited). A row
 * that cannot be stored stays as typed (nothing is lost) and its author gets one DM per change saying why;
 * fixing the row takes it in. Figures from the API, a file or a Feishu group are never overwritten from the
 * grid, and a day that already has its row is edited there, not added twice.
 */
export async function takeAddedRow(x: PeopleRowsDeps, row: AddedRow): Promise<HeldDay | undefined> {
  const values = row.values as Record<string, FieldValue | null | undefined>;
  // Still being typed in: a row becomes a day once it has its date, its community and the member total.
  if (values.members_total === null || values.members_total === undefined) return undefined;
  const who = await identityOf(x, values);
  if ('missing' in who) return undefined;
  const refuse = async (reasons: string[]) => {
    if (row.operatorOpenId) await x.tell(row.operatorOpenId, `${row.key}:refused`, addedRefusal(reasons));
    return undefined;
  };
  if ('unknown' in who) return refuse(['社群：该社群不在「社群」表中 · 社群: not a community the workflow knows']);
  const no = `${who.code}@${who.day}`;
  const elsewhere = await otherRows(x, no, row.recordId);
  if (elsewhere.length > 0)
    return refuse([`${no} 已有一行，请直接修改那一行 · ${no} already has a row in the table: edit that row`]);
  const held = await x.load(no);
  const input = { community: who.code, date: who.day, refundsFen: held?.refundsFen ?? 0 } as Record<string, unknown>;
  for (const field of Object.keys(FIGURE_FIELDS) as FigureField[])
    input[FIGURE_FIELDS[field]] = figureValue(field, values[field]);
  if (held && held.source !== 'bitable' && !sameAsHeld(input, held)) return refuse([FROM_ELSEWHERE(held.source)]);
  if (typeof input.gmvFen === 'number' && !Number.isInteger(input.gmvFen)) return refuse([TWO_DECIMALS]);
  // Figures equal to a day from elsewhere change nothing (the row becomes that day's); the rest are hand-entered.
  const result = await x.ingest([input], 'bitable', row.at);
  if (result.rejected.length > 0) return refuse(result.rejected[0]!.errors);
  return x.load(no);
}

const sameAsHeld = (input: Record<string, unknown>, held: HeldDay) =>
  Object.values(FIGURE_FIELDS).every((k) => (input[k] ?? 0) === held[k]);

/**
 * A person's edit of a figure on a hand-entered day: a correction by the API's rules (validated, audited).
 * A day from elsewhere, or an edit of the date or the community, is refused and put back by the kit.
 */
export async function takeEditedRow(x: PeopleRowsDeps, edit: TableEdit<HeldDay>): Promise<Refusal[] | void> {
  const held = edit.entity;
  const identity = edit.fields.filter((f) => f.key === 'date' || f.key === 'community');
  const figures = edit.fields.filter((f) => f.key in FIGURE_FIELDS);
  if (held.source !== 'bitable') return edit.fields.map((f) => ({ key: f.key, reason: FROM_ELSEWHERE(held.source) }));
  const refusals: Refusal[] = identity.map((f) => ({ key: f.key, reason: IDENTITY }));
  if (figures.length === 0) return refusals;
  const input: Record<string, unknown> = { community: held.code, date: held.day, refundsFen: held.refundsFen };
  for (const k of Object.values(FIGURE_FIELDS)) input[k] = held[k];
  for (const f of figures) input[FIGURE_FIELDS[f.key as FigureField]] = figureValue(f.key as FigureField, f.after);
  if (figures.some((f) => f.after === null && f.key === 'members_total'))
    return [...refusals, { key: 'members_total', reason: '群成员数不能为空 · 群成员数 is required' }];
  if (typeof input.gmvFen === 'number' && !Number.isInteger(input.gmvFen))
    return [...refusals, { key: 'gmv', reason: TWO_DECIMALS }];
  const result = await x.ingest([input], 'bitable', edit.at);
  return [...refusals, ...refusalsOf(result)];
}

/** The DM for an added row that was not taken in (plain text: the reasons quote people's values). */
export function addedRefusal(reasons: readonly string[]): string {
  return [
    '你在多维表格「每日指标」新加的一行未录入 · The row you added to 每日指标 was not taken in',
    ...reasons.map((r) => `- ${r}`),
    '该行保持原样；改正后会自动录入 · The row stays as you typed it: correct it and it is taken in.',
  ].join('\n');
}
