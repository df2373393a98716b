import { calendarDay } from '../../core/zoned-time.js';
import { exceptionCards } from './cards.js';
import { summaryVars } from './summary-text.js';
import { rulesOf } from './service/context.js';
import type { ExceptionService } from './service/index.js';

/** Scheduled work as plain functions of (service, now): the schedules in index.ts call these. */

/** Every few minutes: remind the warehouse, then climb the escalation ladder where due. */
export async function sweep(svc: ExceptionService, now: Date): Promise<{ nudges: number; escalations: number }> {
  await svc.backfillResults(now);
  const nudges = await svc.sweepNudges(now);
  const escalations = await svc.sweepEscalations(now);
  return { nudges, escalations };
}

/** The morning summary card, to each team lead who owns a kind of case. */
export async function sendDailySummary(svc: ExceptionService, now: Date): Promise<number> {
  const x = svc.deps;
  const rules = await rulesOf(x);
  const report = await svc.report({ days: 30 }, now);
  const date = calendarDay(now, x.config.timeZone);
  const card = exceptionCards(x.cards).summary(summaryVars(report, rules.kinds, date));
  const leads = new Set<string>();
  for (const teamKey of new Set(rules.kinds.kinds.map((k) => k.team))) {
    const lead = (await x.directory.team(teamKey))?.leadOpenId;
    if (lead) leads.add(lead);
  }
  for (const openId of leads)
    await x.feishu.messages.send({ to: { openId }, card, key: `exceptions:summary:${date}:${openId}` });
  x.log.info({ leads: leads.size, open: report.openCount }, 'daily summary sent');
  return leads.size;
}

export { ClaimPolicy } from './logic/claims.js';

/**
 * Queues a reminder to each owner of a recovery claim nobody has touched for a while (see service/claim-reminders.ts).
 */
export async function remindStaleClaims(svc: ExceptionService, now: Date): Promise<number> {
  return svc.queueClaimReminders(now);
}
