import { z } from 'zod';
import type { SourceInput } from '../../../core/settings.js';
import { Category, Criterion, type Scorecard } from '../logic/scorecard.js';

/** 评分标准: one row per criterion, as the mirror decodes it (selects as names). */
export const SCORECARD_TABLE = 'qa_scorecard';

const Text = z
  .string()
  .nullish()
  .transform((s) => (s?.trim() ? s.trim() : null));
const Num = z.number().nullish();
const Row = z.looseObject({
  criterion: Text,
  code: Text,
  category: Text,
  weight: Num,
  max_points: Num,
  red_line: z.boolean().nullish(),
  na_allowed: z.boolean().nullish(),
  bonus: z.boolean().nullish(),
  channels: z.array(z.string()).nullish(),
  guideline: Text,
  precheck_keywords: Text,
  sort_order: Num,
  enabled: z.boolean().nullish(),
});

/**
 * 评分标准 rows → the draft scorecard the QA lead publishes (undefined when the table is empty:
 * the built-in scorecard holds). A row that cannot be used is reported and left out; a repeated
 * code keeps the latest edit. Publishing (发布评分标准) turns the draft into a new version.
 */
export function scorecardFromTable(input: SourceInput): Scorecard | undefined {
  const byCode = new Map<string, Criterion>();
  for (const r of input.rows) {
    const parsed = Row.safeParse(r.values);
    if (!parsed.success) {
      input.problem(
        r.recordId,
        `无法读取该行 unreadable row: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
      continue;
    }
    const row = parsed.data;
    if (row.enabled === false) continue;
    const name = row.criterion ?? row.code ?? '该行';
    const category = Category.safeParse(input.optionKey('category', row.category));
    const candidate = {
      code: row.code ?? '',
      name: row.criterion ?? '',
      category: category.success ? category.data : undefined,
      weight: row.weight ?? (row.red_line ? 0 : undefined),
      maxPoints: row.max_points ?? 1,
      guide: row.guideline ?? '',
      naAllowed: row.na_allowed ?? false,
      bonus: row.bonus ?? false,
      redLine: row.red_line ?? false,
      channels: (row.channels ?? []).map((c) => input.optionKey('channels', c) ?? c),
      keywords: (row.precheck_keywords ?? '')
        .split(/[,，、;；]/)
        .map((k) => k.trim())
        .filter(Boolean),
      order: row.sort_order ?? 0,
    };
    const c = Criterion.safeParse(candidate);
    if (!c.success) {
      const issue = c.error.issues[0];
      input.problem(
        r.recordId,
        `${name}：${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}（该项未纳入评分标准 left out of the scorecard）`,
      );
      continue;
    }
    if (c.data.weight === 0 && !c.data.redLine) {
      input.problem(r.recordId, `${name}：分值须大于 0 · weight must be above 0`);
      continue;
    }
    if (c.data.bonus && c.data.redLine) {
      input.problem(r.recordId, `${name}：加分项不能同时是红线项 · a bonus item cannot be a red line`);
      continue;
    }
    byCode.set(c.data.code.toUpperCase(), c.data);
  }
  const criteria = [...byCode.values()];
  if (input.rows.length === 0) return undefined;
  if (!criteria.some((c) => !c.bonus)) {
    input.problem(
      input.rows[0]!.recordId,
      '评分标准中没有可用的评分项，沿用内置标准 · no usable criterion: the built-in scorecard holds',
    );
    return undefined;
  }
  return { criteria };
}
