import { z } from 'zod';
import { formatAt } from './card-text.js';
import { exceptionCards } from './cards.js';
import { summaryVars } from './summary-text.js';
import { repo } from './repository.js';
import { caseNo, rulesOf } from './service/context.js';
import type { ExceptionService } from './service/index.js';

/** Scheduled work as plain functions of (service, now): the schedules in index.ts call these. */

/** Every few minutes: remind the warehouse, then climb the escalation ladder where due. */
export async function sweep(svc: ExceptionService, now: Date): Promise<{ nudges: number; escalations: number }> {
  const nudges = await svc.sweepNudges(now);
  const escalations = await svc.sweepEscalations(now);
  return { nudges, escalations };
}

const dateIn = (now: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);

/** The morning summary card, to each team lead who owns a kind of case. */
export async function sendDailySummary(svc: ExceptionService, now: Date): Promise<number> {
  const x = svc.deps;
  const rules = await rulesOf(x);
  const report = await svc.report({ days: 30 }, now);
  const date = dateIn(now, x.config.timeZone);
  const card = exceptionCards(x.cards).summary(summaryVars(report, rules.kinds, date));
  const leads = new Set<string>();
  for (const teamKey of new Set(rules.kinds.kinds.map((k) => k.team))) {
    const lead = (await x.directory.team(teamKey))?.leadOpenId;
    if (lead) leads.add(lead);
  }
  for (const openId of leads) await x.feishu.messages.send({ to: { openId }, card, key: `exceptions:summary:${date}:${openId}` });
  x.log.info({ leads: leads.size, open: report.openCount }, 'daily summary sent');
  return leads.size;
}

export const ClaimPolicy = z.object({
  /** A claim with no activity for this many days is stale. */
  staleAfterDays: z.number().int().positive().default(3),
  /** Remind its owner at most this often. */
  remindEveryDays: z.number().int().positive().default(1),
});

const DAY = 86_400_000;

/** Reminds owners of recovery claims nobody has touched for a while, once per interval. */
export async function remindStaleClaims(svc: ExceptionService, now: Date): Promise<number> {
  const x = svc.deps;
  const policy = await x.directory.setting('exceptions.claims', ClaimPolicy);
  const staleBefore = now.getTime() - policy.staleAfterDays * DAY;
  const cards = exceptionCards(x.cards);
  let sent = 0;
  for (const claim of await repo.openClaims(x.database.db)) {
    if (claim.lastActivityAt.getTime() > staleBefore || !claim.ownerOpenId) continue;
    if (!(await repo.markClaimReminded(x.database.db, claim.id, now, new Date(now.getTime() - policy.remindEveryDays * DAY + 60_000)))) continue;
    const idle = Math.floor((now.getTime() - claim.lastActivityAt.getTime()) / DAY);
    const content = [
      `**工单 Case** ${caseNo(claim.caseId)} · **追款 Claim** #${claim.id}`,
      `**索赔 Claimed** ¥${(claim.claimFen / 100).toFixed(2)} · **已追回 Recovered** ¥${(claim.recoveredFen / 100).toFixed(2)}`,
      `**已 ${idle} 天无进展 · No progress for ${idle} days**（上次 Last ${formatAt(claim.lastActivityAt, x.config.timeZone)}）`,
    ].join('\n');
    const card = cards.claimReminder({ no: caseNo(claim.caseId), counterparty: `${claim.counterpartyType} ${claim.counterparty}`.trim(), content });
    await x.feishu.messages.send({ to: { openId: claim.ownerOpenId }, card, key: `exceptions:claim:${claim.id}:reminder:${dateIn(now, x.config.timeZone)}` });
    sent++;
  }
  return sent;
}
