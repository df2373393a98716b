import { isDeepStrictEqual } from 'node:util';
import { ForbiddenError } from '../../../core/errors.js';
import { criteriaFor, type Criterion } from '../logic/scorecard.js';
import { qaRepo, type ScorecardVersionRow } from '../repository.js';
import { qaScorecardVersions } from '../schema.js';
import { isQaLead, type QaDeps } from './context.js';

export interface Published {
  version: number;
  created: boolean;
  criteria: Criterion[];
}

/**
 * Publishes the draft (评分标准 as it is now) as a new version when it differs from the latest;
 * reviews already made keep theirs. Two publishers at once make one version (the primary key).
 */
export async function publishDraft(x: QaDeps, by: string, now: Date, note?: string): Promise<Published> {
  const draft = (await x.settings.scorecard.get()).criteria;
  for (let attempt = 0; attempt < 3; attempt++) {
    const latest = await qaRepo.latestScorecard(x.database.db);
    if (latest && isDeepStrictEqual(latest.criteria, draft))
      return { version: latest.version, created: false, criteria: latest.criteria };
    const version = (latest?.version ?? 0) + 1;
    const inserted = await x.database.db
      .insert(qaScorecardVersions)
      .values({ version, criteria: draft, publishedBy: by, publishedAt: now, note: note ?? null })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return { version, created: true, criteria: draft };
  }
  const latest = await qaRepo.latestScorecard(x.database.db);
  return { version: latest!.version, created: false, criteria: latest!.criteria };
}

/** The chat/API publish: only the QA lead. */
export async function publishAs(x: QaDeps, openId: string, now: Date, note?: string): Promise<Published> {
  if (!isQaLead(await x.directory.person(openId)))
    throw new ForbiddenError('只有质检主管可以发布评分标准 · Only the QA lead can publish the scorecard');
  return publishDraft(x, openId, now, note);
}

/** The version new reviews are scored with: the latest published (the draft becomes version 1 on first use). */
export async function currentScorecard(x: QaDeps, now: Date): Promise<ScorecardVersionRow> {
  const latest = await qaRepo.latestScorecard(x.database.db);
  if (latest) return latest;
  await publishDraft(x, 'system', now, '初始版本 initial version');
  return (await qaRepo.latestScorecard(x.database.db))!;
}

/** The criteria a review is scored with: its own scorecard version, for its conversation's channel. */
export async function criteriaOf(x: QaDeps, version: number, channel: string): Promise<Criterion[]> {
  const card = await qaRepo.scorecard(x.database.db, version);
  return card ? criteriaFor({ criteria: card.criteria }, channel) : [];
}
