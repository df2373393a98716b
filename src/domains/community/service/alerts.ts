import { localDayNumber, isoDateOf, dayNumberOfIsoDate } from '../../../core/zoned-time.js';
import { md } from '../../../core/cards/markdown.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import type { Card } from '../../../core/cards/render.js';
import { detect, platformWide, type History, type Verdict } from '../logic/detect.js';
import type { AlertMetric } from '../logic/alert-policy.js';
import type { DailyFigures } from '../logic/metrics.js';
import { alertRepo, type AlertRow } from '../alert-repository.js';
import { repo } from '../repository.js';
import { communityCards, type AlertLine } from '../cards.js';
import { alertText } from './alert-text.js';
import type { CommunityDeps } from './deps.js';

/** What one day's check found: new alerts, cards sent, and what was held back and why. */
export interface CheckReport {
  day: string;
  checked: number;
  late: number;
  latePlatforms: string[];
  platformNotes: Array<{ platform: string; metric: AlertMetric; communities: number }>;
  muted: number;
  created: number;
  cards: number;
}

/** The day the morning check judges: yesterday in the business time zone. */
export const judgedDay = (now: Date, timeZone: string): number => localDayNumber(timeZone, now.getTime()) - 1;

/**
 * The daily check: every active community's yesterday against its thresholds and its robust
 * baseline; a late feed or a platform-wide change is one note, not a storm; muted metrics are
 * skipped; each community/metric/day is stored once (a re-run adds nothing) and each operator
 * gets one card for the day with all of theirs.
 */
export async function checkAlerts(x: CommunityDeps, now: Date): Promise<CheckReport> {
  const day = judgedDay(now, x.timeZone);
  const iso = isoDateOf(day);
  const policy = await x.settings.alerts.get();
  const communities = (await repo.all(x.database.db)).filter((c) => c.state === 'active');
  const histories = new Map<number, Map<number, DailyFigures>>();
  for (const r of await repo.daysBetween(x.database, isoDateOf(day - 35), iso)) {
    const h = histories.get(r.communityId) ?? new Map<number, DailyFigures>();
    h.set(dayNumberOfIsoDate(r.day)!, r);
    histories.set(r.communityId, h);
  }
  const verdicts: Array<{ communityId: number; platform: string; verdict: Verdict }> = communities.map((c) => ({
    communityId: c.id,
    platform: c.platform,
    verdict: detect((histories.get(c.id) ?? new Map()) as History, day, policy),
  }));
  const wide = platformWide(verdicts, policy);
  const muted = await alertRepo.mutedOn(x.database.db, iso);
  const due = wide.alerts.filter((a) => !muted.has(`${a.communityId}\n${a.metric}`));
  const byId = new Map(communities.map((c) => [c.id, c]));
  const created = await alertRepo.insertOnce(
    x.database.db,
    due.map((a) => ({
      communityId: a.communityId,
      metric: a.metric,
      day: iso,
      kind: a.kind,
      value: a.value,
      baseline: a.baseline,
      score: a.score,
      operatorOpenId: byId.get(a.communityId)?.operatorOpenId ?? null,
      createdAt: now,
    })),
  );
  let cards = 0;
  // Every operator whose alerts for the day have no card yet: the ones just stored, and any stored by an
  // earlier run whose send failed (the alerts are stored once, so a retried check must not rely on
  // `created`). The key makes a send that did go through before its message id was saved one message.
  for (const operator of await alertRepo.operatorsWithoutCard(x.database.db, iso)) {
    const card = await operatorCard(x, operator, iso);
    const sent = await x.feishu.messages.send({
      to: { openId: operator },
      card,
      key: `community:alerts:${iso}:${operator}`,
    });
    await alertRepo.setCardMessage(x.database.db, operator, iso, sent.messageId);
    cards++;
  }
  const report = {
    day: iso,
    checked: verdicts.filter((v) => v.verdict.status === 'checked').length,
    late: verdicts.filter((v) => v.verdict.status === 'late').length,
    latePlatforms: wide.latePlatforms,
    platformNotes: wide.platformNotes,
    muted: wide.alerts.length - due.length,
    created: created.length,
    cards,
  };
  x.log.info(report, 'community alerts checked');
  return report;
}

const STATUS: Record<AlertRow['state'], string> = {
  open: '',
  acknowledged: '已确认 · Acknowledged',
  muted: '已静默 · Muted',
};

/** An operator's card for a day, drawn from the stored alerts (so a click redraws it as it now is). */
export async function operatorCard(x: CommunityDeps, operator: string, day: string): Promise<Card> {
  const policy = await x.settings.alerts.get();
  const alerts = await alertRepo.forOperator(x.database.db, operator, day);
  const shown = alerts.slice(0, policy.maxPerCard);
  const lines: AlertLine[] = shown.map((a) => ({
    id: a.id,
    version: a.version,
    state: a.state,
    text: alertText({
      communityName: a.communityName,
      platform: a.platform,
      metric: a.metric,
      kind: a.kind,
      value: a.value,
      baseline: a.baseline,
    }),
    status: a.state === 'muted' && a.mutedUntil ? `${STATUS.muted}（至 until ${a.mutedUntil}）` : STATUS[a.state],
  }));
  const open = alerts.filter((a) => a.state === 'open').length;
  const intro = md`你运营的社群 ${day} 有 **${alerts.length}** 条预警，待处理 **${open}** 条。· ${
    alerts.length
  } alerts on your communities for ${day}, ${open} open.`;
  return communityCards(x.cards).alerts({ day, intro, lines, more: alerts.length - shown.length });
}

/**
 * 确认 / 静默 N 天 on an alert. The button names the alert's version: the first click moves it, a
 * repeat (double click, Feishu's retry, an old card) changes nothing and is told so.
 */
export async function decideAlert(
  x: CommunityDeps,
  input: { alertId: number; version: number; decision: 'acknowledged' | 'muted'; days?: number; by: string },
  now: Date,
): Promise<{ changed: boolean; alert: AlertRow; card: Card }> {
  const changed = await x.database.transaction(async (tx) => {
    const moved = await alertRepo.decide(tx.db, input.alertId, input.version, input.decision, input.by, now);
    if (moved && input.decision === 'muted') {
      const until = isoDateOf(dayNumberOfIsoDate(moved.day)! + (input.days ?? 7));
      await alertRepo.mute(tx.db, moved.communityId, moved.metric, until, input.by, now);
    }
    return Boolean(moved);
  });
  const alert = await alertRepo.get(x.database.db, input.alertId);
  if (!alert) throw new NotFoundError('预警 alert', input.alertId);
  if (!changed && alert.version === input.version)
    throw new ConflictError('预警状态未能更新，请重试 · The alert could not be updated, please retry');
  const card = alert.operatorOpenId
    ? await operatorCard(x, alert.operatorOpenId, alert.day)
    : communityCards(x.cards).notice('社群预警 · Community alert', md`${STATUS[alert.state]}`);
  return { changed, alert, card };
}
