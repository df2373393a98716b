import { and, eq, sql, type SQLWrapper } from 'drizzle-orm';
import type { FieldValue } from '../../bitable/codec-values.js';
import type { Refusal, TableEdit } from '../../mirror/index.js';
import type { ReviewItemRow } from './repository.js';
import { qaReviewItems } from './schema.js';
import { markRollupDirty } from './rollup-store.js';
import { EFFECTS_JOB, isQaLead, reviewNo, type EffectsJob, type QaDeps } from './service/context.js';

/**
 * 评分明细's 根因 (root cause, issue 10 §8): a single select whose options are the `qa.root_causes` names.
 * A person may type a new option in the grid; only the QA lead's list counts (a name, or its key).
 */
export type CauseOf = (typed: FieldValue | null | undefined) => { key: string | null } | { unknown: string };

export async function causeReader(
  x: Pick<QaDeps, 'settings'>,
): Promise<{ names: Record<string, string>; of: CauseOf }> {
  const names = (await x.settings.rootCauses.get()).names;
  const byName = new Map(Object.entries(names).map(([key, name]) => [name, key]));
  const of: CauseOf = (typed) => {
    const t = typeof typed === 'string' ? typed.trim() : Array.isArray(typed) ? String(typed[0] ?? '').trim() : '';
    if (!t) return { key: null };
    const key = byName.get(t) ?? (t in names ? t : undefined);
    return key ? { key } : { unknown: t };
  };
  return { names, of };
}

const isDistinctFrom = (column: SQLWrapper, value: string | null) => sql`${column} is distinct from ${value}`;

export const unknownCause = (typed: string, names: Record<string, string>) =>
  `根因「${typed}」不在质检主管设定的列表中（${Object.values(names).join('、')}） · ` +
  `"${typed}" is not one of the QA lead's root causes`;

/**
 * A scored 评分明细 row: 扣分 / 不适用 are the workflow's (put back); 根因 is the inspector's (or the QA lead's)
 * to set or change at any time — an unknown one, or someone else's change, is put back with a DM.
 */
export async function itemCauseEdit(
  x: QaDeps,
  edit: TableEdit<ReviewItemRow>,
  review: { inspectorOpenId: string | null; version: number },
): Promise<Refusal[]> {
  const field = edit.fields.find((f) => f.key === 'root_cause');
  if (!field) return [];
  const by = edit.operatorOpenId;
  if (by !== review.inspectorOpenId && !isQaLead(by ? await x.directory.person(by) : null))
    return [
      {
        key: 'root_cause',
        reason: `只有 ${reviewNo(edit.entity.reviewId)} 的质检员或质检主管可以改根因 · only the inspector or the QA lead`,
      },
    ];
  const { names, of } = await causeReader(x);
  const cause = of(field.after);
  if ('unknown' in cause) return [{ key: 'root_cause', reason: unknownCause(cause.unknown, names) }];
  await x.database.transaction(async (tx) => {
    const changed = await tx.db
      .update(qaReviewItems)
      .set({ rootCause: cause.key })
      .where(and(eq(qaReviewItems.id, edit.entity.id), isDistinctFrom(qaReviewItems.rootCause, cause.key)))
      .returning({ id: qaReviewItems.id });
    if (changed.length === 0) return;
    // The root-cause report reads the stored rollup: the review's cells are summed again by the follow-up job.
    // The agent's feedback DM shows each deduction's cause: drawn again with the new one (feedback.ts).
    await markRollupDirty(tx, [edit.entity.reviewId]);
    await x.jobs.send<EffectsJob>(
      EFFECTS_JOB,
      {
        reviewId: edit.entity.reviewId,
        version: review.version,
        effects: [{ type: 'rollup' }, { type: 'feedback_card', key: edit.key }],
      },
      { tx },
    );
  });
  return [];
}
