import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { BitableMirror, FieldOwner, TableSeam, TableSpec } from '../../mirror/index.js';
import { RESULT_NAME, STATE_NAME, type AppealState } from './logic/review.js';
import { qaRepo, type AppealRow, type ReviewItemRow, type ReviewRow } from './repository.js';
import { qaAppeals, qaReviewItems, qaReviews } from './schema.js';
import { appealNo, parseReviewNo, reviewNo, type ReviewMirror } from './service/context.js';
import { itemDraftIntake, itemEdit, ITEM_PEOPLE, REVIEW_PEOPLE, reviewIntake, type QaGridIntake } from './grid.js';

/**
 * 质检记录, 评分明细 and 申诉, declared once: the bot owns what the workflow decides (scores,
 * states, people, times); people keep the columns they fill in (training topics, evidence).
 */
export const REVIEWS_TABLE = 'qa_reviews';
export const ITEMS_TABLE = 'qa_review_items';
export const APPEALS_TABLE = 'qa_appeals';

const owners = (people: readonly string[], bot: readonly string[]): Record<string, FieldOwner> =>
  Object.fromEntries([...people.map((k) => [k, 'people' as const]), ...bot.map((k) => [k, 'bot' as const])]);

const REVIEW_OWNERS = owners(REVIEW_PEOPLE, [
  'review_no',
  'conversation_id',
  'conversation_url',
  'channel',
  'shop',
  'agent',
  'agent_team',
  'inspector',
  'conversation_at',
  'sampled_at',
  'due_date',
  'sample_reason',
  'state',
  'score',
  'result',
  'red_line_hit',
  'scorecard_version',
  'seconds_spent',
  'items',
  'acknowledged_at',
  'appeals',
  'calibration_batch',
  'created_at',
  'updated_at',
]);
// 扣分 / 不适用 / 说明 are the inspector's: typed in the rows they add to score from the grid (grid.ts).
const ITEM_OWNERS = owners(ITEM_PEOPLE, [
  'item_no',
  'review',
  'criterion',
  'red_line_hit',
  'inspector',
  'created_at',
  'updated_by',
]);
const APPEAL_OWNERS = owners(
  ['evidence'],
  [
    'appeal_no',
    'review',
    'agent',
    'reason',
    'state',
    'reviewer',
    'decision_note',
    'original_score',
    'revised_score',
    'submitted_at',
    'due_at',
    'decided_at',
    'created_at',
  ],
);

// The template's 渠道 options; a channel without an option (a new one is data) leaves the cell empty.
const CHANNEL_OPTION: Readonly<Record<string, string>> = {
  tmall: '天猫',
  jd: '京东',
  douyin: '抖音',
  pinduoduo: '拼多多',
  xiaohongshu: '小红书',
  wechat_mini: '微信小程序',
  offline_store: '线下门店',
  private_community: '私域社群',
  wecom: '企业微信',
  feishu_helpdesk: '飞书服务台',
};
const REASON_OPTION: Readonly<Record<string, string>> = {
  random: '随机抽样',
  precheck: '规则预检',
  bad_rating: '差评',
  complaint: '投诉',
  calibration: '校准',
};
const APPEAL_STATE: Readonly<Record<AppealState, string>> = {
  open: '复核中',
  upheld: '维持原判',
  overturned: '改判',
  adjusted: '部分改判',
  expired: '复核中',
};

/**
 * A review as its 质检记录 row is written. 质检评语 (`comments`) is the inspector's column (grid.ts), so the bot leaves
 * it out of its rows, except `gridComment`: the comment given on the scoring card, written once (tableMirror).
 */
export type ReviewEntity = ReviewRow & { gridComment?: string };

const causeName = async (grid: QaGridIntake, key: string) =>
  (await grid.deps().settings.rootCauses.get()).names[key] ?? key;
const DAY_MS = 86_400_000;
const dueDate = async (grid: QaGridIntake, sampledAt: Date) =>
  new Date(sampledAt.getTime() + (await grid.deps().settings.policy.get()).reviewDueDays * DAY_MS);
const itemNo = (i: Pick<ReviewItemRow, 'reviewId' | 'code'>) => `${reviewNo(i.reviewId)}-${i.code}`;

function reviewSpec(db: Db, grid?: QaGridIntake & { mirror: BitableMirror }): TableSpec<ReviewEntity> {
  return {
    owner: REVIEW_OWNERS,
    recordNo: 'review_no',
    label: '质检记录',
    numberOf: (r) => reviewNo(r.id),
    async load(no) {
      const id = parseReviewNo(no);
      return id ? qaRepo.review(db, id) : undefined;
    },
    async toRow(r, links) {
      const c = (await qaRepo.conversation(db, r.conversationId))!;
      const team = c.teamKey ? await links('teams', 'code', c.teamKey) : undefined;
      return {
        review_no: reviewNo(r.id),
        conversation_id: c.externalId,
        ...(c.url ? { conversation_url: { link: c.url, text: c.externalId } } : {}),
        channel: CHANNEL_OPTION[c.channel] ?? null,
        shop: c.shop,
        agent: [r.agentOpenId],
        ...(team ? { agent_team: [team] } : {}),
        inspector: r.inspectorOpenId ? [r.inspectorOpenId] : [],
        conversation_at: c.startedAt,
        sampled_at: r.createdAt,
        // Sampled + qa.policy reviewDueDays while it waits (the dashboard counts it overdue after the same time);
        // a scored review's cell keeps the day it had. Left out without the running workflow's settings (sync).
        ...(grid && r.state === 'to_score' ? { due_date: await dueDate(grid, r.createdAt) } : {}),
        sample_reason: REASON_OPTION[r.sampleReason] ?? null,
        state: STATE_NAME[r.state],
        score: r.score,
        result: r.result ? RESULT_NAME[r.result] : null,
        red_line_hit: r.redLineHit,
        scorecard_version: r.scorecardVersion,
        seconds_spent: r.secondsSpent,
        // 质检评语 is people's: only the card's comment, once, into an empty cell (tableMirror), never over typing.
        ...(r.gridComment ? { comments: r.gridComment } : {}),
        acknowledged_at: r.acknowledgedAt,
        // Ticked once scored (from the grid or the card): a tick on a scored review changes nothing.
        grid_submit: r.state !== 'to_score',
      };
    },
    ...(grid ? { onEdit: reviewIntake(grid, grid.mirror) } : {}),
    recordIdOf: (r) => r.bitableRecordId,
    async onWritten(r, written) {
      if (written.recordId !== r.bitableRecordId)
        await db.update(qaReviews).set({ bitableRecordId: written.recordId }).where(eq(qaReviews.id, r.id));
    },
  };
}

function itemSpec(db: Db, grid?: QaGridIntake & { mirror: BitableMirror }): TableSpec<ReviewItemRow> {
  return {
    owner: ITEM_OWNERS,
    recordNo: 'item_no',
    label: '评分明细',
    numberOf: itemNo,
    async load(no) {
      const m = /^(QA\d+)-(.+)$/.exec(no);
      const id = m ? parseReviewNo(m[1]!) : null;
      return id ? (await qaRepo.items(db, id)).find((i) => i.code === m![2]) : undefined;
    },
    async toRow(i, links) {
      const review = await links(REVIEWS_TABLE, 'review_no', reviewNo(i.reviewId));
      const criterion = await links('qa_scorecard', 'code', i.code);
      const r = await qaRepo.review(db, i.reviewId);
      return {
        item_no: itemNo(i),
        ...(review ? { review: [review] } : {}),
        ...(criterion ? { criterion: [criterion] } : {}),
        deducted: i.points,
        na: i.na,
        red_line_hit: i.redLineHit,
        // 说明 is the person's once the row exists (a row they added, or one the bot made with it).
        ...(i.bitableRecordId
          ? {}
          : { comment: [i.note, i.quote ? `「${i.quote}」` : null].filter(Boolean).join('\n') || null }),
        inspector: r?.inspectorOpenId ? [r.inspectorOpenId] : [],
        // 根因 by its name now (the QA lead's list); without the running module (sync) it is left as it is.
        ...(grid ? { root_cause: i.rootCause ? await causeName(grid, i.rootCause) : null } : {}),
      };
    },
    recordIdOf: (i) => i.bitableRecordId,
    async onWritten(i, written) {
      if (written.recordId !== i.bitableRecordId)
        await db.update(qaReviewItems).set({ bitableRecordId: written.recordId }).where(eq(qaReviewItems.id, i.id));
    },
    ...(grid ? { onEdit: itemEdit(grid), onAdd: itemDraftIntake(grid, grid.mirror) } : {}),
  };
}

function appealSpec(db: Db): TableSpec<AppealRow> {
  return {
    owner: APPEAL_OWNERS,
    recordNo: 'appeal_no',
    label: '申诉',
    numberOf: (a) => appealNo(a.id),
    async load(no) {
      const m = /^SS-?0*(\d{1,12})$/i.exec(no.trim());
      return m ? qaRepo.appeal(db, Number(m[1])) : undefined;
    },
    async toRow(a, links) {
      const review = await links(REVIEWS_TABLE, 'review_no', reviewNo(a.reviewId));
      return {
        appeal_no: appealNo(a.id),
        ...(review ? { review: [review] } : {}),
        agent: [a.agentOpenId],
        reason: a.reason,
        state: APPEAL_STATE[a.state],
        reviewer: a.deciderOpenId ? [a.deciderOpenId] : [],
        decision_note: a.decisionNote,
        original_score: a.originalScore,
        revised_score: a.revisedScore,
        submitted_at: a.submittedAt,
        due_at: a.stepDueAt,
        decided_at: a.decidedAt,
      };
    },
    recordIdOf: (a) => a.bitableRecordId,
    async onWritten(a, written) {
      if (written.recordId !== a.bitableRecordId)
        await db.update(qaAppeals).set({ bitableRecordId: written.recordId }).where(eq(qaAppeals.id, a.id));
    },
  };
}

/**
 * Rows only (write and repair) for `feishu-ops sync`; with `grid` (the running module) inspectors'
 * scoring in 质检记录 / 评分明细 is taken in too (grid.ts).
 */
export function declareQaTables(mirror: BitableMirror, db: Db, grid?: QaGridIntake) {
  const intake = grid ? { ...grid, mirror } : undefined;
  return {
    mirror,
    reviews: mirror.table(REVIEWS_TABLE, reviewSpec(db, intake)),
    items: mirror.table(ITEMS_TABLE, itemSpec(db, intake)),
    appeals: mirror.table(APPEALS_TABLE, appealSpec(db)),
  };
}

/** After every committed change: the review's row, its deductions' rows, its appeal's row. */
export function tableMirror(
  db: Db,
  tables: {
    mirror: Pick<BitableMirror, 'read'>;
    reviews: TableSeam<ReviewEntity>;
    items: TableSeam<ReviewItemRow>;
    appeals: TableSeam<AppealRow>;
  },
  /** The row an inspector added in the grid for a review's criterion (numbered in place, not duplicated). */
  draftOf?: (reviewRecordId: string, code: string) => Promise<string | undefined>,
): ReviewMirror {
  return {
    async onReviewChanged(reviewId, options = {}) {
      const review = await qaRepo.review(db, reviewId);
      if (!review) return;
      await tables.reviews.write(review);
      const reviewRecord = (await qaRepo.review(db, reviewId))?.bitableRecordId;
      if (options.comment && review.comment && reviewRecord)
        await writeCommentOnce(tables, { ...review, bitableRecordId: reviewRecord }, review.comment);
      for (const item of await qaRepo.items(db, reviewId)) {
        if (item.points <= 0) continue;
        const draft =
          !item.bitableRecordId && reviewRecord && draftOf ? await draftOf(reviewRecord, item.code) : undefined;
        if (draft) {
          // The person's row becomes the deduction's row: recorded first, so their 说明 is left as typed.
          await db.update(qaReviewItems).set({ bitableRecordId: draft }).where(eq(qaReviewItems.id, item.id));
          await tables.items.write({ ...item, bitableRecordId: draft });
        } else await tables.items.write(item);
      }
      const appeal = await qaRepo.appealOfReview(db, reviewId);
      if (appeal) await tables.appeals.write(appeal);
    },
  };
}

/**
 * 质检评语 is the inspector's column: a grid submit takes the comment from it (grid.ts) and the bot never writes over
 * it. A review scored on the card still shows its comment there: the bot writes it once, in the write that follows
 * that submit (effect `mirror` with `comment`), and only into an empty cell. A cell a person typed in is theirs; a
 * retry of the same effect finds the cell filled and writes nothing. (A person typing into the cell in the moment
 * between this read and the write would be overwritten: the write is milliseconds after the read.)
 */
async function writeCommentOnce(
  tables: { mirror: Pick<BitableMirror, 'read'>; reviews: TableSeam<ReviewEntity> },
  review: ReviewRow & { bitableRecordId: string },
  comment: string,
): Promise<void> {
  const held = (await tables.mirror.read(REVIEWS_TABLE, review.bitableRecordId))?.values.comments;
  if (typeof held === 'string' ? held.trim() !== '' : held !== null && held !== undefined) return;
  await tables.reviews.write({ ...review, gridComment: comment }, { only: ['comments'] });
}
