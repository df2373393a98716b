import { md, mention, trusted, type Markdown } from '../../../core/cards/markdown.js';
import { DECISION_NAME } from '../cards.js';
import { qaRepo } from '../repository.js';
import { appealView } from './appeals.js';
import type { QaDeps } from './context.js';

/** The feedback card's 申诉结果 line for a decided appeal (the latest decision, who made it, their note). */
export async function appealStatusLine(x: QaDeps, appealId: number): Promise<Markdown> {
  const a = await appealView(x, appealId);
  const last = a.decisions.at(-1);
  return md`**申诉结果 Appeal** ${trusted(last ? DECISION_NAME[last.decision] : '-')} · ${mention(
    a.deciderOpenId,
  )}：${a.decisionNote ?? ''}`;
}

/** The line for a review whose appeal is decided, so a card drawn again later (a root cause changed) keeps it. */
export async function decidedAppealLine(x: QaDeps, reviewId: number): Promise<Markdown | undefined> {
  const appeal = await qaRepo.appealOfReview(x.database.db, reviewId);
  return appeal && appeal.state !== 'open' ? appealStatusLine(x, appeal.id) : undefined;
}
