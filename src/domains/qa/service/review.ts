import type { SqlExecutor } from '../../../db/client.js';
import { and, eq, sql } from 'drizzle-orm';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors.js';
import { precheck, suggestedMarks, type Message, type Suggestion } from '../logic/prechecks.js';
import type { SampleReason } from '../logic/review.js';
import { computeScore, type Mark, type ScoreResult } from '../logic/score.js';
import type { Criterion } from '../logic/scorecard.js';
import { qaRepo, type ConversationRow, type MessageRow, type ReviewItemRow, type ReviewRow } from '../repository.js';
import { qaReviewItems, qaReviews } from '../schema.js';
import {
  EFFECTS_JOB,
  isInspector,
  isQaLead,
  PRESCORE_OPENED_JOB,
  reviewNo,
  type Effect,
  type EffectsJob,
  type PrescoreOpenedJob,
  type QaDeps,
} from './context.js';
import { criteriaOf, currentScorecard } from './scorecard.js';
import { markRollupDirty } from '../rollup-store.js';

/** Everything the scoring and feedback cards show about one review. */
export interface ReviewView {
  review: ReviewRow;
  no: string;
  conversation: ConversationRow;
  messages: MessageRow[];
  criteria: Criterion[];
  suggestions: Suggestion[];
  items: ReviewItemRow[];
}

const asMessages = (rows: MessageRow[]): Message[] =>
  rows.map((m) => ({ seq: m.seq, role: m.role, at: m.at, text: m.text }));

export async function viewReview(x: QaDeps, id: number): Promise<ReviewView> {
  const review = await qaRepo.review(x.database.db, id);
  if (!review) throw new NotFoundError('质检记录 review', reviewNo(id));
  const conversation = (await qaRepo.conversation(x.database.db, review.conversationId))!;
  const [messages, criteria, items] = await Promise.all([
    qaRepo.messages(x.database.db, conversation.id),
    criteriaOf(x, review.scorecardVersion, conversation.channel),
    qaRepo.items(x.database.db, review.id),
  ]);
  return { review, no: reviewNo(review.id), conversation, messages, criteria, suggestions: review.suggestions, items };
}

/** A review of `conversation` for `inspector`, scored with the current scorecard; pre-checks run now. */
export async function createReview(
  x: QaDeps,
  conversation: ConversationRow,
  inspector: string | null,
  reason: SampleReason,
  now: Date,
  inclusionProbability: number | null = null,
  calibrationRoundId: number | null = null,
): Promise<ReviewRow | undefined> {
  const card = await currentScorecard(x, now);
  const criteria = await criteriaOf(x, card.version, conversation.channel);
  const policy = (await x.settings.policy.get()).prechecks;
  const suggestions = precheck(asMessages(await qaRepo.messages(x.database.db, conversation.id)), criteria, policy);
  const inserted = await x.database.db
    .insert(qaReviews)
    .values({
      conversationId: conversation.id,
      scorecardVersion: card.version,
      agentOpenId: conversation.agentOpenId,
      inspectorOpenId: inspector,
      sampleReason: reason,
      inclusionProbability,
      calibrationRoundId,
      suggestions,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  return inserted[0];
}

/**
 * The inspector's next review: their oldest one still to score, else the oldest conversation
 * nobody reviewed (claimed for them; two inspectors at once never get the same one). Marks the
 * moment the card is shown, so the time spent is measured. `shownIn`: the message the card goes into
 * (a card button's callback names it); with the AI pre-score on, a review not yet pre-scored is asked
 * now, off the callback path, and its card there updated in place when the answer comes (llm/prescore.ts).
 */
export async function nextReview(
  x: QaDeps,
  inspector: string,
  now: Date,
  shownIn?: string,
): Promise<ReviewView | undefined> {
  if (!isInspector(await x.directory.person(inspector)))
    throw new ForbiddenError('只有质检员可以质检 · Only QA inspectors can score conversations');
  let review = await qaRepo.nextToScore(x.database.db, inspector);
  for (let attempt = 0; !review && attempt < 5; attempt++) {
    const conversation = await qaRepo.oldestUnreviewed(x.database.db);
    if (!conversation) return undefined;
    review = await createReview(x, conversation, inspector, 'manual', now);
  }
  if (!review) return undefined;
  // The clock of "time spent" starts the first time the card is shown.
  if (!review.openedAt)
    await x.database.db
      .update(qaReviews)
      .set({ openedAt: sql`coalesce(${qaReviews.openedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(qaReviews.id, review.id));
  if (shownIn) await scoringCardShown(x, review, shownIn);
  return viewReview(x, review.id);
}

/**
 * The review's scoring card went into `messageId` (a card button's message, or the chat reply `质检` sent: the
 * core's reply gives its id): recorded, so the AI pre-score, asked now on the queue with LLM_* set, updates that
 * card in place when it answers (llm/prescore.ts). Calibration reviews are never asked.
 */
export async function scoringCardShown(
  x: QaDeps,
  review: Pick<ReviewRow, 'id' | 'sampleReason'>,
  messageId: string,
): Promise<void> {
  await x.database.db.update(qaReviews).set({ cardMessageId: messageId }).where(eq(qaReviews.id, review.id));
  if (x.config.llm && review.sampleReason !== 'calibration')
    await x.jobs.send<PrescoreOpenedJob>(PRESCORE_OPENED_JOB, { reviewId: review.id });
}

export interface ScoreInput {
  reviewId: number;
  /** The review version the card was drawn for. */
  version: number;
  /** Marks from the form (criteria left out: no deduction); with `accept`, every suggestion is taken. */
  marks: Mark[];
  notes: Record<string, string>;
  /** Per deducted criterion, why (a key of `qa.root_causes`); optional, left out for the rest. */
  rootCauses?: Record<string, string>;
  comment: string;
  accept: boolean;
  by: string;
}

export const STALE = 'stale_version';
export const isStale = (err: unknown): boolean =>
  err instanceof ConflictError && (err.details as { code?: string } | undefined)?.code === STALE;

/**
 * Scores a review: the marks (plus every suggestion when accepted in one click) against the
 * review's own scorecard version; total, N/A rescaling, bonus and red line by `computeScore`;
 * the time spent from the card being shown. Conditional on the version: a double click, a retry
 * or an old card scores once, the repeat gets a `stale_version` conflict.
 */
export async function scoreReview(
  x: QaDeps,
  input: ScoreInput,
  now: Date,
): Promise<{ view: ReviewView; score: ScoreResult }> {
  const view = await viewReview(x, input.reviewId);
  const { review } = view;
  if (review.version !== input.version || review.state !== 'to_score') {
    throw new ConflictError(`${view.no} 已评分或卡片已过期 · already scored or the card is outdated`, {
      code: STALE,
      reviewId: review.id,
    });
  }
  const person = await x.directory.person(input.by);
  if (review.inspectorOpenId !== input.by && !isQaLead(person))
    throw new ForbiddenError('这条质检分配给了其他质检员 · This review is assigned to another inspector');
  if (!isInspector(person)) throw new ForbiddenError('只有质检员可以评分 · Only QA inspectors can score');
  const suggested = suggestedMarks(view.suggestions);
  const marks = new Map(input.marks.map((m) => [m.code, m]));
  if (input.accept)
    for (const [code, points] of suggested)
      if (!marks.get(code)?.points && !marks.get(code)?.na) marks.set(code, { code, points });
  const policy = await x.settings.policy.get();
  const score = computeScore(view.criteria, [...marks.values()], policy);
  const byCode = new Map(view.criteria.map((c) => [c.code, c]));
  const causes = await checkRootCauses(x, input.rootCauses ?? {});
  const quoteOf = (code: string) =>
    view.suggestions
      .filter((s) => s.code === code)
      .map((s) => s.quote)
      .join(' / ') || null;
  const seconds = review.openedAt ? Math.max(0, Math.round((now.getTime() - review.openedAt.getTime()) / 1000)) : null;
  if (input.comment.length > 2000)
    throw new ValidationError('评语最多 2000 字 · comment is limited to 2000 characters', { field: 'comment' });
  await x.database.transaction(async (tx) => {
    const updated = await tx.db
      .update(qaReviews)
      .set({
        state: 'scored',
        score: score.score,
        result: score.result,
        redLineHit: score.redLineHit,
        comment: input.comment || null,
        scoredAt: now,
        secondsSpent: seconds,
        inspectorOpenId: review.inspectorOpenId ?? input.by,
        version: review.version + 1,
        updatedAt: now,
      })
      .where(and(eq(qaReviews.id, review.id), eq(qaReviews.version, review.version)))
      .returning();
    if (!updated[0])
      throw new ConflictError(`${view.no} 已评分 · already scored`, { code: STALE, reviewId: review.id });
    await tx.db.insert(qaReviewItems).values(
      score.marks.map((m) => {
        const c = byCode.get(m.code)!;
        const fromSuggestion = suggested.has(m.code) && suggested.get(m.code) === m.points && m.points > 0;
        return {
          reviewId: review.id,
          code: m.code,
          points: m.points,
          na: m.na,
          redLineHit: c.redLine && m.points > 0,
          fromSuggestion,
          quote: m.points > 0 && !c.bonus ? quoteOf(m.code) : null,
          note: input.notes[m.code]?.slice(0, 1000) || null,
          // A cause explains lost points: kept on deductions only (a cause left on a 0 or a bonus is dropped).
          rootCause: m.points > 0 && !c.bonus && !m.na ? (causes[m.code] ?? null) : null,
        };
      }),
    );
    // A calibration review measures the inspector, not the agent: no feedback card.
    const feedback = review.sampleReason === 'calibration' ? [] : [{ type: 'feedback' as const }];
    await markRollupDirty(tx, [review.id]);
    // The comment also goes into 质检评语 when that cell is still empty (a card submit; the grid's is there already).
    const mirror = input.comment ? [{ type: 'mirror' as const, comment: true as const }] : [];
    await queueEffects(x, tx, review.id, review.version + 1, [...feedback, { type: 'rollup' }, ...mirror]);
  });
  return { view: await viewReview(x, review.id), score };
}

/** The root causes of a scoring, each a key of `qa.root_causes` (a stale card or a forged value is refused). */
async function checkRootCauses(x: QaDeps, given: Record<string, string>): Promise<Record<string, string>> {
  const names = (await x.settings.rootCauses.get()).names;
  for (const [code, key] of Object.entries(given))
    if (!(key in names))
      throw new ValidationError(`${code}：未知的根因「${key}」· unknown root cause`, { field: `r_${code}` });
  return given;
}

export async function queueEffects(
  x: QaDeps,
  tx: SqlExecutor,
  reviewId: number,
  version: number,
  effects: Effect[],
): Promise<void> {
  // Every change ends with the review's rows written (once: a caller may name its own mirror effect).
  const mirror: Effect[] = effects.some((e) => e.type === 'mirror') ? [] : [{ type: 'mirror' }];
  await x.jobs.send<EffectsJob>(EFFECTS_JOB, { reviewId, version, effects: [...effects, ...mirror] }, { tx });
}
