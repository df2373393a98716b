import { desc } from 'drizzle-orm';
import type { Card } from '../../../core/cards/render.js';
import { isoDateOf, localDayNumber } from '../../../core/zoned-time.js';
import { rng } from '../logic/sampling.js';
import { qaCalibrationRounds } from '../schema.js';
import { calibrationReport, startRound } from './calibration.js';
import { isInspector, isQaLead, type QaDeps } from './context.js';
import { lastWeek } from './digest.js';

/**
 * Monday's blind calibration round: `qa.policy.calibrationRound.conversations` of last week's
 * reviewed conversations (seeded by the week, spread over channels), for every inspector and the
 * QA lead, whose scores are the reference. Named by the week, so a second run adds nothing. Skipped
 * (with the reason) when it is switched off (0), there is no QA lead, fewer than one inspector
 * besides them, or nothing was reviewed last week.
 */
export async function startWeeklyRound(
  x: QaDeps,
  now: Date,
): Promise<{ round: number; name: string; created: number } | { skipped: string }> {
  const wanted = (await x.settings.policy.get()).calibrationRound.conversations;
  if (wanted === 0) return { skipped: 'switched off (qa.policy.calibrationRound.conversations = 0)' };
  const people = (await x.directory.people()).filter((p) => p.active);
  const lead = people
    .filter((p) => isQaLead(p))
    .map((p) => p.openId)
    .sort()[0];
  if (!lead) return { skipped: 'no QA lead in 人员与角色' };
  const inspectors = people.filter((p) => isInspector(p) && !isQaLead(p)).map((p) => p.openId);
  if (inspectors.length === 0) return { skipped: 'no inspector besides the QA lead' };
  const week = lastWeek(x.config.timeZone, now);
  const name = `周校准 Weekly calibration ${week.label}`;
  const { rows } = await x.database.query<{ channel: string; external_id: string; id: number }>(
    `select c.channel, c.external_id, c.id::int as id from qa_conversations c
      where c.started_at >= $1 and c.started_at < $2
        and exists (select 1 from qa_reviews r where r.conversation_id = c.id and r.score is not null
                      and r.sample_reason <> 'calibration')
      order by c.id`,
    [week.from.toISOString(), week.to.toISOString()],
  );
  if (rows.length === 0) return { skipped: `nothing was reviewed in ${week.label}` };
  // Seeded by the round's name: the same week draws the same set. Channels take turns so each one is in it.
  const random = rng(name);
  const byChannel = new Map<string, typeof rows>();
  for (const r of rows.map((r) => ({ r, k: random() })).sort((a, b) => a.k - b.k || a.r.id - b.r.id))
    byChannel.set(r.r.channel, [...(byChannel.get(r.r.channel) ?? []), r.r]);
  const picked: typeof rows = [];
  const queues = [...byChannel.values()];
  for (let i = 0; picked.length < Math.min(wanted, rows.length); i++) {
    const next = queues[i % queues.length]!.shift();
    if (next) picked.push(next);
  }
  const r = await startRound(
    x,
    {
      name,
      conversations: picked.map((c) => ({ channel: c.channel, externalId: c.external_id })),
      inspectors,
      lead,
      by: lead,
    },
    now,
  );
  return { round: r.round, name: r.name, created: r.created };
}

/** What the reminder needs to draw a card (cards stay out of the service). */
export interface ReminderRender {
  card(waiting: number): Card;
}

/**
 * Each inspector with calibration reviews still to score gets one DM a day until they are done
 * (keyed by the day: a repeat of the schedule sends nothing twice).
 */
export async function remindCalibration(
  x: QaDeps,
  render: ReminderRender,
  now: Date,
): Promise<{ reminded: Record<string, number> }> {
  const { rows } = await x.database.query<{ inspector: string; n: number }>(
    `select inspector_open_id as inspector, count(*)::int as n from qa_reviews
      where calibration_round_id is not null and state = 'to_score' and inspector_open_id is not null
      group by 1 order by 1`,
  );
  const day = isoDateOf(localDayNumber(x.config.timeZone, now.getTime()));
  const reminded: Record<string, number> = {};
  for (const r of rows) {
    if (!isInspector(await x.directory.person(r.inspector))) continue;
    await x.feishu.messages.send({
      to: { openId: r.inspector },
      card: render.card(Number(r.n)),
      key: `qa:calibration-reminder:${day}:${r.inspector}`,
    });
    reminded[r.inspector] = Number(r.n);
  }
  return { reminded };
}

export interface AlignmentPoint {
  round: number;
  name: string;
  at: string;
  scored: number;
  bias: number | null;
  deviation: number | null;
  passAgreement: number | null;
  kappa: number | null;
}

/** Each inspector's alignment with the reference over the last `rounds` rounds, oldest first. */
export async function alignmentOverTime(
  x: QaDeps,
  rounds: number,
): Promise<{ rounds: number; inspectors: Array<{ inspector: string; name: string; points: AlignmentPoint[] }> }> {
  const recent = await x.database.db
    .select({ id: qaCalibrationRounds.id, createdAt: qaCalibrationRounds.createdAt })
    .from(qaCalibrationRounds)
    .orderBy(desc(qaCalibrationRounds.id))
    .limit(rounds);
  const series = new Map<string, { name: string; points: AlignmentPoint[] }>();
  for (const round of recent.reverse()) {
    const report = await calibrationReport(x, round.id, null);
    for (const i of report.inspectors) {
      const s = series.get(i.inspector) ?? { name: i.name, points: [] };
      s.points.push({
        round: report.round,
        name: report.name,
        at: round.createdAt.toISOString(),
        scored: i.scored,
        bias: i.bias,
        deviation: i.deviation,
        passAgreement: i.passAgreement,
        kappa: i.kappa,
      });
      series.set(i.inspector, s);
    }
  }
  return {
    rounds: recent.length,
    inspectors: [...series].map(([inspector, s]) => ({ inspector, ...s })),
  };
}
