import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { precheck, type Message, type Suggestion } from '../logic/prechecks.js';
import { assign, samplePlan, type Candidate, type Inspector } from '../logic/sampling.js';
import { qaConversations, qaReviews } from '../schema.js';
import { EFFECTS_JOB, isInspector, type EffectsJob, type QaDeps } from './context.js';
import { criteriaOf, currentScorecard } from './scorecard.js';

export interface SamplingResult {
  from: string;
  to: string;
  seed: string;
  candidates: number;
  picked: number;
  created: number;
  byInspector: Record<string, number>;
  byReason: Record<string, number>;
}

const CHUNK = 5_000;
const REVIEW_CHUNK = 500;

/** What the plan reads of a conversation: a period holds 100,000 of them, so only these columns. */
interface Unreviewed {
  id: number;
  agentOpenId: string;
  channel: string;
  csat: number | null;
  tags: string[];
}

/** Conversations that started in [from, to) and nobody reviewed yet (calibration aside). */
async function unreviewed(x: QaDeps, from: Date, to: Date): Promise<Unreviewed[]> {
  const reviewed = x.database.db
    .select({ one: sql`1` })
    .from(qaReviews)
    .where(sql`${qaReviews.sampleReason} <> 'calibration' and ${qaReviews.conversationId} = ${qaConversations.id}`);
  return x.database.db
    .select({
      id: qaConversations.id,
      agentOpenId: qaConversations.agentOpenId,
      channel: qaConversations.channel,
      csat: qaConversations.csat,
      tags: qaConversations.tags,
    })
    .from(qaConversations)
    .where(and(gte(qaConversations.startedAt, from), lt(qaConversations.startedAt, to), sql`not exists (${reviewed})`));
}

/**
 * Each conversation's pre-check suggestions with the current scorecard (criteria per channel), as `keep` wants
 * them: the period's count how many (its draw weight); a pick's review keeps the suggestions themselves.
 */
async function prechecked<T>(
  x: QaDeps,
  rows: Unreviewed[],
  version: number,
  keep: (s: Suggestion[]) => T,
): Promise<Map<number, T>> {
  const policy = (await x.settings.policy.get()).prechecks;
  const criteria = new Map<string, Awaited<ReturnType<typeof criteriaOf>>>();
  for (const channel of new Set(rows.map((r) => r.channel)))
    criteria.set(channel, await criteriaOf(x, version, channel));
  const out = new Map<number, T>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    // Plain SQL, only the columns the checks read: the period's messages are most of the plan's reading.
    const { rows: messages } = await x.database.query<Message & { conversation_id: number }>(
      `select conversation_id::int as conversation_id, seq, role, "at", text from qa_messages
        where conversation_id = any($1::bigint[]) order by conversation_id, seq`,
      [chunk.map((c) => c.id)],
    );
    const byConversation = new Map<number, Message[]>();
    for (const m of messages) {
      const list = byConversation.get(m.conversation_id);
      const message = { seq: m.seq, role: m.role, at: new Date(m.at), text: m.text };
      if (list) list.push(message);
      else byConversation.set(m.conversation_id, [message]);
    }
    for (const c of chunk)
      out.set(c.id, keep(precheck(byConversation.get(c.id) ?? [], criteria.get(c.channel)!, policy)));
  }
  return out;
}

/** Inspectors with the reviews already waiting for them; a person's 渠道 (comma-separated) names their channels. */
async function inspectors(x: QaDeps): Promise<Inspector[]> {
  const people = (await x.directory.people()).filter((p) => isInspector(p));
  const loads = await x.database.db
    .select({ inspector: qaReviews.inspectorOpenId, n: sql<number>`count(*)::int` })
    .from(qaReviews)
    .where(eq(qaReviews.state, 'to_score'))
    .groupBy(qaReviews.inspectorOpenId);
  const load = new Map(loads.map((l) => [l.inspector, Number(l.n)]));
  return people.map((p) => ({
    openId: p.openId,
    load: load.get(p.openId) ?? 0,
    channels: (p.channel ?? '').split(/[,，|、\s]+/).filter(Boolean),
  }));
}

/**
 * The sampling plan for conversations that started in [from, to): drawn by `samplePlan` (per-agent
 * quota over channels, risk-weighted, reproducible from the seed), assigned by `assign` (least load
 * among inspectors of the channel); each pick becomes a review waiting for its inspector, with the
 * chance it was picked. A conversation already reviewed is never picked again; running a period twice
 * adds only what is still unreviewed.
 */
export async function runSampling(
  x: QaDeps,
  input: { from: Date; to: Date; seed?: string },
  now: Date,
): Promise<SamplingResult> {
  const seed = input.seed ?? `${input.from.toISOString()}/${input.to.toISOString()}`;
  const rows = await unreviewed(x, input.from, input.to);
  const card = await currentScorecard(x, now);
  const hits = await prechecked(x, rows, card.version, (s) => s.length);
  const candidates: Candidate[] = rows.map((c) => ({
    id: c.id,
    agent: c.agentOpenId,
    channel: c.channel,
    csat: c.csat,
    tags: c.tags,
    precheckHits: hits.get(c.id) ?? 0,
  }));
  const policy = await x.settings.policy.get();
  const picks = samplePlan(candidates, policy.sampling, seed, policy.precision);
  const to = assign(picks, await inspectors(x), seed);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const result: SamplingResult = {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    seed,
    candidates: candidates.length,
    picked: picks.length,
    created: 0,
    byInspector: {},
    byReason: {},
  };
  const byPick = new Map(picks.map((p) => [p.id, p]));
  const suggestions = await prechecked(
    x,
    picks.map((p) => byId.get(p.id)!),
    card.version,
    (s) => s,
  );
  for (let i = 0; i < picks.length; i += REVIEW_CHUNK) {
    // A review per pick, as createReview makes one (a conversation reviewed meanwhile is skipped).
    const created = await x.database.db
      .insert(qaReviews)
      .values(
        picks.slice(i, i + REVIEW_CHUNK).map((p) => ({
          conversationId: p.id,
          scorecardVersion: card.version,
          agentOpenId: byId.get(p.id)!.agentOpenId,
          inspectorOpenId: to.get(p.id) ?? null,
          sampleReason: p.reason,
          inclusionProbability: p.probability,
          suggestions: suggestions.get(p.id) ?? [],
          createdAt: now,
          updatedAt: now,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: qaReviews.id, version: qaReviews.version, conversationId: qaReviews.conversationId });
    // Their 质检记录 rows now, so the inspectors can score them in Bitable too (grid.ts).
    if (created.length > 0)
      await x.jobs.sendMany<EffectsJob>(
        EFFECTS_JOB,
        created.map((r) => ({ reviewId: r.id, version: r.version, effects: [{ type: 'mirror' }] })),
      );
    for (const r of created) {
      const p = byPick.get(r.conversationId)!;
      const inspector = to.get(p.id);
      result.created++;
      if (inspector) result.byInspector[inspector] = (result.byInspector[inspector] ?? 0) + 1;
      result.byReason[p.reason] = (result.byReason[p.reason] ?? 0) + 1;
    }
  }
  return result;
}
