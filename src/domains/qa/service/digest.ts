import { instantAtLocal, isoDateOf, localDayNumber, weekdayOf } from '../../../core/zoned-time.js';
import type { Card } from '../../../core/cards/render.js';
import type { QaDeps } from './context.js';
import { isQaLead } from './context.js';
import { COUNTED } from '../rollup-store.js';
import { summary, type QaSummary } from './reports.js';

/** What the digest needs to draw a card (report-text and cards stay out of the service). */
export interface DigestRender {
  card(title: string, week: QaSummary, previous: QaSummary | null, version: number | null): Card;
}

/** The last full week (Monday to Sunday, business time zone) before `now`, and the one before it. */
export function lastWeek(timeZone: string, now: Date) {
  const today = localDayNumber(timeZone, now.getTime());
  const monday = today - ((weekdayOf(today) + 6) % 7) - 7;
  const at = (day: number) => new Date(instantAtLocal(timeZone, day, 0));
  return {
    label: `${isoDateOf(monday)} – ${isoDateOf(monday + 6)}`,
    from: at(monday),
    to: at(monday + 7),
    previousFrom: at(monday - 7),
  };
}

/** The newest scorecard version scored in [from, to): trends compare only reviews of that version. */
async function versionOf(x: QaDeps, from: Date, to: Date, team?: string): Promise<number | null> {
  const { rows } = await x.database.query<{ v: number | null }>(
    `select max(r.scorecard_version)::int as v from qa_reviews r join qa_conversations c on c.id = r.conversation_id
      where r.scored_at >= $1 and r.scored_at < $2 and r.score is not null and ${COUNTED}
        and ($3::text is null or c.team_key = $3)`,
    [from.toISOString(), to.toISOString(), team ?? null],
  );
  return rows[0]?.v ?? null;
}

/**
 * Monday's digest: each team lead gets their team's last week beside the week before (same scorecard
 * version), the QA lead every team's. Sent by DM (figures name agents), once per week and person.
 */
export async function sendWeeklyDigest(x: QaDeps, render: DigestRender, now: Date) {
  const week = lastWeek(x.config.timeZone, now);
  const period = async (team?: string) => {
    const version = await versionOf(x, week.from, week.to, team);
    const f = { ...(team ? { team } : {}), ...(version ? { version } : {}) };
    const current = await summary(x, { from: week.from, to: week.to, ...f });
    const previous = version ? await summary(x, { from: week.previousFrom, to: week.from, ...f }) : null;
    return { current, previous, version };
  };
  const sends: Array<{ to: string; scope: string; title: string; p: Awaited<ReturnType<typeof period>> }> = [];
  for (const team of await x.directory.teams()) {
    if (!team.leadOpenId) continue;
    const p = await period(team.key);
    if (!p.current.totals) continue;
    sends.push({ to: team.leadOpenId, scope: team.key, title: `质检周报 Weekly QA · ${team.name} · ${week.label}`, p });
  }
  const leads = (await x.directory.people()).filter((p) => isQaLead(p));
  if (leads.length > 0) {
    const p = await period();
    for (const lead of leads)
      sends.push({ to: lead.openId, scope: '*', title: `质检周报 Weekly QA · 全部 All · ${week.label}`, p });
  }
  for (const s of sends)
    await x.feishu.messages.send({
      to: { openId: s.to },
      card: render.card(s.title, s.p.current, s.p.previous, s.p.version),
      key: `qa:digest:${week.from.toISOString()}:${s.to}:${s.scope}`,
    });
  return { week: week.label, sent: sends.length };
}
