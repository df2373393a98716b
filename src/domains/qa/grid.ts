import { and, eq, isNull } from 'drizzle-orm';
import type { FieldValue } from '../../bitable/codec-values.js';
import { AppError, ForbiddenError, ValidationError } from '../../core/errors.js';
import type { AddedRow, BitableMirror, Refusal, TableEdit } from '../../mirror/index.js';
import { computeScore, type Mark } from './logic/score.js';
import { qaRepo, type ReviewItemRow, type ReviewRow } from './repository.js';
import { qaReviews } from './schema.js';
import { isInspector, isQaLead, reviewNo, type QaDeps } from './service/context.js';
import { scoreReview } from './service/review.js';
import { criteriaOf } from './service/scorecard.js';
import { causeReader, itemCauseEdit, unknownCause } from './grid-root-cause.js';

/**
 * Scoring in the Bitable review view (issue 10 point 5), through the kit's seam (mirror.table):
 * - the inspector adds 评分明细 rows for a review (质检记录, 标准项, 扣分 or 不适用, 说明): these are
 *   people's rows without a 明细编号 (the kit hands them to `onAdd`); each is checked as it is typed
 *   (who, which review, the criterion on the review's scorecard, points range, N/A allowed) and a bad
 *   one is answered with a DM, the row left as typed (the kit cannot put back a row it does not hold);
 * - ticking 提交评分 on the 质检记录 row scores the review through the card's own `scoreReview` (same
 *   validation, same version check: a second tick or a redelivered event scores once) from those rows;
 *   a refused submit is unticked by the kit and the editor gets one DM saying why;
 * - once scored, the bot writes its fields back (得分, 结论, 状态, 质检用时…) and numbers the deducted
 *   rows (明细编号) in place; what people typed in 说明 stays theirs.
 * The review's clock (time spent) starts when the card is shown (`nextReview`) or, in the grid, when the
 * inspector's first row for it arrives: Feishu sends no event for opening a row (UNCONFIRMED that none exists).
 */
export interface QaGridIntake {
  /** The QA service's dependencies (bound late: the service is made after its tables are declared). */
  deps: () => QaDeps;
}

/** 质检评语 (`comments`) is the inspector's: the grid submit takes it, the bot never writes over it (bitable.ts). */
export const REVIEW_PEOPLE = ['training_topics', 'grid_submit', 'grid_accept', 'comments'] as const;
export const ITEM_PEOPLE = ['deducted', 'na', 'comment', 'evidence', 'root_cause'] as const;

const REVIEWS = 'qa_reviews';
const ITEMS = 'qa_review_items';
const SCORECARD = 'qa_scorecard';

const ALREADY_SCORED = (no: string) =>
  `${no} 已评分，改分请走申诉 · ${no} is already scored; a change goes through an appeal`;

/** One 评分明细 row a person added for a review, as the mirror holds it. */
interface Draft {
  recordId: string;
  code: string | null;
  points: number | null;
  na: boolean;
  note: string | null;
  /** 根因 as typed (a name of `qa.root_causes`, checked at the submit). */
  cause: string | null;
  /** 修改人 (Feishu fills it; UNCONFIRMED that the mirror's copy is always current when the submit arrives). */
  editor: string | null;
}

const numberOf = (v: FieldValue | null | undefined): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
const textOf = (v: FieldValue | null | undefined): string | null =>
  typeof v === 'string' ? v.trim() || null : typeof v === 'number' ? String(v) : null;
const idsOf = (v: FieldValue | null | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The drafts of one review: its 评分明细 rows without a 明细编号, with their criterion's code. */
async function draftsOf(x: QaDeps, mirror: BitableMirror, reviewRecordId: string): Promise<Draft[]> {
  const items = `"${mirror.tableName(ITEMS)}"`;
  const scorecard = `"${mirror.tableName(SCORECARD)}"`;
  const { rows } = await x.database.query<{
    record_id: string;
    code: string | null;
    deducted: number | null;
    na: boolean | null;
    comment: string | null;
    cause: string | null;
    editor: string | null;
  }>(
    `select i.record_id, (select s.code from ${scorecard} s where s.record_id = i.criterion[1]) as code,
            i.deducted::float8 as deducted, i.na, i.comment::text as comment, i.root_cause::text as cause,
            i.updated_by->>'id' as editor
       from ${items} i
      where $1 = any(i.review) and coalesce(i.item_no, '') = ''
      order by i.record_id`,
    [reviewRecordId],
  );
  return rows.map((r) => ({
    recordId: r.record_id,
    code: r.code,
    points: r.deducted === null ? null : Number(r.deducted),
    na: r.na === true,
    note: r.comment?.trim() || null,
    cause: r.cause?.trim() || null,
    editor: r.editor,
  }));
}

/** The person may score this review: its inspector or the QA lead (scoreReview's rule, checked early). */
async function mayScore(x: QaDeps, review: ReviewRow, by: string | undefined): Promise<void> {
  const person = by ? await x.directory.person(by) : null;
  if (review.inspectorOpenId !== by && !isQaLead(person))
    throw new ForbiddenError('这条质检分配给了其他质检员 · This review is assigned to another inspector');
  if (!isInspector(person)) throw new ForbiddenError('只有质检员可以评分 · Only QA inspectors can score');
}

/** The 评分明细 row a person added for this review and criterion, if any: the bot numbers it in place. */
export async function draftRecordOf(
  x: Pick<QaDeps, 'database'>,
  mirror: BitableMirror,
  reviewRecordId: string,
  code: string,
): Promise<string | undefined> {
  const { rows } = await x.database.query<{ record_id: string }>(
    `select i.record_id from "${mirror.tableName(ITEMS)}" i
      where $1 = any(i.review) and coalesce(i.item_no, '') = ''
        and exists (select 1 from "${mirror.tableName(SCORECARD)}" s where s.record_id = i.criterion[1] and s.code = $2)
      order by i.record_id limit 1`,
    [reviewRecordId, code],
  );
  return rows[0]?.record_id;
}

const markOf = (d: Draft): Mark | null =>
  d.code === null || (!d.na && d.points === null) ? null : { code: d.code, points: d.na ? 0 : d.points!, na: d.na };

/** The 质检记录 row: a tick of 提交评分 scores the review; anything else of the person's is theirs. */
export function reviewIntake(intake: QaGridIntake, mirror: BitableMirror) {
  return async function onEdit(edit: TableEdit<ReviewRow>): Promise<Refusal[]> {
    const x = intake.deps();
    const review = edit.entity;
    const no = reviewNo(review.id);
    const submit = edit.fields.find((f) => f.key === 'grid_submit');
    if (!submit) return commentKept(x, edit);
    if (review.state !== 'to_score') return [{ key: 'grid_submit', reason: ALREADY_SCORED(no) }];
    if (submit.after !== true) return []; // unticked before submitting: nothing to do
    await mayScore(x, review, edit.operatorOpenId);
    const drafts = await draftsOf(x, mirror, review.bitableRecordId ?? edit.recordId);
    // A row someone else last changed is not the inspector's judgement: the submit waits until it is removed.
    for (const editor of new Set(drafts.map((d) => d.editor)))
      if (editor && editor !== review.inspectorOpenId && !isQaLead(await x.directory.person(editor)))
        throw new ForbiddenError(
          `评分明细中有一行由无权评分的人修改，请删除或重填 · a row in 评分明细 was last changed by someone who may not score ${no}`,
        );
    const unknown = drafts.filter((d) => d.code === null);
    if (unknown.length > 0)
      throw new ValidationError(
        `评分明细有 ${unknown.length} 行未选标准项 · ${unknown.length} row(s) in 评分明细 have no 标准项`,
      );
    const marks: Mark[] = [];
    const notes: Record<string, string> = {};
    const rootCauses: Record<string, string> = {};
    const causes = await causeReader(x);
    for (const d of drafts) {
      const m = markOf(d);
      if (m) marks.push(m);
      if (d.code && d.note) notes[d.code] = d.note;
      const cause = causes.of(d.cause);
      if ('unknown' in cause) throw new ValidationError(`${d.code}：${unknownCause(cause.unknown, causes.names)}`);
      if (d.code && cause.key) rootCauses[d.code] = cause.key;
    }
    const row = (await mirror.read(REVIEWS, edit.recordId))?.values;
    const accept = row?.grid_accept === true;
    // The card's own path: validation, red line, N/A rescaling, time spent, version check (scores once).
    await scoreReview(
      x,
      {
        reviewId: review.id,
        version: review.version,
        marks,
        notes,
        rootCauses,
        // 质检评语 as typed in the row: it reaches the agent's feedback card as a card's comment does (escaped there).
        comment: textOf(row?.comments) ?? '',
        accept,
        by: edit.operatorOpenId!,
      },
      edit.at,
    );
    return [];
  };
}

/**
 * 质检评语 changed on a scored review: the person's column, so it stays as typed (never put back or written over),
 * but the agent got the comment with the score; the editor is told that this change stays in the grid. A value
 * the review already holds (the bot's own write echoed) says nothing.
 */
async function commentKept(x: QaDeps, edit: TableEdit<ReviewRow>): Promise<Refusal[]> {
  const comment = edit.fields.find((f) => f.key === 'comments');
  const review = edit.entity;
  if (!comment || review.state === 'to_score' || !edit.operatorOpenId || !x.feishu.messages) return [];
  if ((textOf(comment.after) ?? '') === (review.comment ?? '')) return [];
  const no = reviewNo(review.id);
  await x.feishu.messages.send({
    to: { openId: edit.operatorOpenId },
    key: `${edit.key}:comment-kept`,
    text:
      `${no} 的质检评语已随评分发给客服；这次修改只保存在多维表格中，不会再发给客服。改分请走申诉。\n` +
      `The comment of ${no} reached the agent with the score; this change stays in the grid and is not sent again.`,
  });
  return [];
}

/**
 * 评分明细: a scored row's points are the workflow's (an appeal changes them); 说明 stays the person's; 根因 is
 * the inspector's to set later too (grid-root-cause.ts).
 */
export function itemEdit(intake: QaGridIntake) {
  return async function onEdit(edit: TableEdit<ReviewItemRow>): Promise<Refusal[]> {
    const no = reviewNo(edit.entity.reviewId);
    const points = edit.fields
      .filter((f) => f.key === 'deducted' || f.key === 'na')
      .map((f) => ({ key: f.key, reason: ALREADY_SCORED(no) }));
    const x = intake.deps();
    const review = await qaRepo.review(x.database.db, edit.entity.reviewId);
    return [...points, ...(review ? await itemCauseEdit(x, edit, review) : [])];
  };
}

/** A row the inspector adds (or edits) before submitting: checked now, taken at 提交评分. */
export function itemDraftIntake(intake: QaGridIntake, mirror: BitableMirror) {
  return async function onAdd(row: AddedRow): Promise<undefined> {
    const x = intake.deps();
    const reviewRecord = idsOf(row.values.review)[0];
    const criterionRecord = idsOf(row.values.criterion)[0];
    const points = numberOf(row.values.deducted);
    const na = row.values.na === true;
    // Not a deduction yet: the person fills the row cell by cell (no message meanwhile).
    if (!reviewRecord || !criterionRecord || (points === null && !na)) return undefined;
    const review = (
      await x.database.db.select().from(qaReviews).where(eq(qaReviews.bitableRecordId, reviewRecord)).limit(1)
    )[0];
    if (!review) return undefined;
    const no = reviewNo(review.id);
    const problems: string[] = [];
    try {
      if (review.state !== 'to_score') throw new ValidationError(ALREADY_SCORED(no));
      await mayScore(x, review, row.operatorOpenId);
      const code = textOf(
        (
          await x.database.query<{ code: string | null }>(
            `select code::text as code from "${mirror.tableName(SCORECARD)}" where record_id = $1`,
            [criterionRecord],
          )
        ).rows[0]?.code ?? null,
      );
      const [criteria, policy] = await Promise.all([
        criteriaOf(
          x,
          review.scorecardVersion,
          (await qaRepo.conversation(x.database.db, review.conversationId))!.channel,
        ),
        x.settings.policy.get(),
      ]);
      // The same rules as the submit: on the review's scorecard version, points in range, N/A where allowed.
      computeScore(criteria, [{ code: code ?? '?', points: na ? 0 : points!, na }], policy);
      const causes = await causeReader(x);
      const cause = causes.of(row.values.root_cause);
      if ('unknown' in cause) problems.push(unknownCause(cause.unknown, causes.names));
      // The time spent starts with the inspector's first row for the review (as the card starts it when shown).
      await x.database.db
        .update(qaReviews)
        .set({ openedAt: row.at })
        .where(and(eq(qaReviews.id, review.id), isNull(qaReviews.openedAt)));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problems.push(err.message);
    }
    if (problems.length > 0 && row.operatorOpenId && x.feishu.messages)
      await x.feishu.messages.send({
        to: { openId: row.operatorOpenId },
        key: `${row.key}:refused`,
        text: [
          `多维表格「评分明细」中 ${no} 的这行扣分不会被采纳，请修改 · This row of 评分明细 for ${no} cannot be used:`,
          ...problems.map((p) => `- ${p}`),
        ].join('\n'),
      });
    return undefined;
  };
}
