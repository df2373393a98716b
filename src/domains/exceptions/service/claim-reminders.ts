import { joinMarkdown, md } from '../../../core/cards/markdown.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { formatAt } from '../card-text.js';
import { exceptionCards } from '../cards.js';
import { repo } from '../repository.js';
import { caseNo, EFFECTS_JOB, type EffectsJob, type ExceptionDeps } from './context.js';

const DAY = 86_400_000;
/** Claims read per page and marked per transaction: the sweep never holds every open claim. */
export const CLAIM_PAGE = 100;

/**
 * Reminds owners of recovery claims nobody has touched for a while, once per interval. Each claim
 * is marked reminded and its reminder queued in ONE transaction (the outbox): a crash leaves both
 * or neither, a retried job sends under the same key, and a second sweep finds it marked.
 * Returns how many reminders were queued.
 */
export async function queueClaimReminders(x: ExceptionDeps, now: Date): Promise<number> {
  const policy = await x.settings.claims.get();
  const window = {
    staleBefore: new Date(now.getTime() - policy.staleAfterDays * DAY),
    // A minute's slack, so a daily schedule that fires a few seconds early still reminds.
    remindedBefore: new Date(now.getTime() - policy.remindEveryDays * DAY + 60_000),
  };
  let queued = 0;
  let afterId = 0;
  for (;;) {
    const page = await repo.staleClaimsPage(x.database.db, { ...window, afterId, limit: CLAIM_PAGE });
    for (const claim of page) {
      const marked = await x.database.transaction(async (tx) => {
        const row = await repo.markClaimReminded(tx.db, claim.id, now, window);
        if (!row) return false; // touched, closed or reminded meanwhile (another instance)
        const job: EffectsJob = {
          caseId: row.caseId,
          caseNo: caseNo(row.caseId),
          version: 0,
          effects: [{ type: 'claim_reminder', claimId: row.id, at: now.toISOString() }],
        };
        await x.jobs.send<EffectsJob>(EFFECTS_JOB, job, { tx });
        return true;
      });
      if (marked) queued++;
    }
    if (page.length < CLAIM_PAGE) break;
    afterId = page[page.length - 1]!.id;
  }
  if (queued > 0) x.log.info({ queued }, 'stale claim reminders queued');
  return queued;
}

/** The reminder DM, from the queue. Skipped when the claim was closed or worked on since. */
export async function sendClaimReminder(x: ExceptionDeps, claimId: number, atIso: string): Promise<void> {
  const claim = await repo.getClaim(x.database.db, claimId);
  const at = new Date(atIso);
  if (
    !claim ||
    !claim.ownerOpenId ||
    !['open', 'partially_recovered'].includes(claim.state) ||
    claim.lastActivityAt > at
  )
    return;
  const idle = Math.floor((at.getTime() - claim.lastActivityAt.getTime()) / DAY);
  const content = joinMarkdown([
    md`**工单 Case** ${caseNo(claim.caseId)} · **追款 Claim** #${claim.id}`,
    md`**索赔 Claimed** ¥${(claim.claimFen / 100).toFixed(2)} · **已追回 Recovered** ¥${(
      claim.recoveredFen / 100
    ).toFixed(2)}`,
    md`**已 ${idle} 天无进展 · No progress for ${idle} days**（上次 Last ${formatAt(claim.lastActivityAt, x.config.timeZone)}）`,
  ]);
  const card = exceptionCards(x.cards).claimReminder({
    no: caseNo(claim.caseId),
    counterparty: `${claim.counterpartyType} ${claim.counterparty}`.trim(),
    content,
  });
  // The day of the reminder names it: a retried job (or a re-queued one the same day) is one message.
  await x.feishu.messages.send({
    to: { openId: claim.ownerOpenId },
    card,
    key: `exceptions:claim:${claim.id}:reminder:${calendarDay(at, x.config.timeZone)}`,
  });
}
