import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { precheck } from '../logic/prechecks.js';
import { assign, samplePlan, type Candidate, type Inspector } from '../logic/sampling.js';
import type { ConversationRow } from '../repository.js';
import { qaConversations, qaMessages, qaReviews } from '../schema.js';
import { EFFECTS_JOB, isInspector, type EffectsJob, type QaDeps } from './context.js';
import { createReview } from './review.js';
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

const CHUNK = 500;

/** Conversations that started in [from, to) and nobody reviewed yet (calibration aside). */
async function unreviewed(x: QaDeps, from: Date, to: Date): Promise<ConversationRow[]> {
  const reviewed = x.database.db
    .select({ one: sql`1` })
    .from(qaReviews)
    .where(sql`${qaReviews.sampleReason} <> 'calibration' and ${qaReviews.conversationId} = ${qaConversations.id}`);
  return x.database.db
    .select()
    .from(qaConversations)
    .where(and(gte(qaConversations.startedAt, from), lt(qaConversations.startedAt, to), sql`not exists (${reviewed})`));
}

/** How many pre-checks flag each conversation (the current scorecard's criteria per channel). */
async function precheckHits(x: QaDeps, rows: ConversationRow[], now: Date): Promise<Map<number, number>> {
  const card = await currentScorecard(x, now);
  const policy = (await x.settings.policy.get()).prechecks;
  const criteria = new Map<string, Awaited<ReturnType<typeof criteriaOf>>>();
  const hits = new Map<number, number>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const messages = await x.database.db
      .select({
        conversationId: qaMessages.conversationId,
        seq: qaMessages.seq,
        role: qaMessages.role,
        at: qaMessages.at,
        text: qaMessages.text,
      })
      .from(qaMessages)
      .where(
        inArray(
          qaMessages.conversationId,
          chunk.map((c) => c.id),
        ),
      )
      .orderBy(qaMessages.conversationId, qaMessages.seq);
    const byConversation = new Map<number, typeof messages>();
    for (const m of messages)
      byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
    for (const c of chunk) {
      if (!criteria.has(c.channel)) criteria.set(c.channel, await criteriaOf(x, card.version, c.channel));
      hits.set(c.id, precheck(byConversation.get(c.id) ?? [], criteria.get(c.channel)!, policy).length);
    }
  }
  return hits;
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
  const hits = await precheckHits(x, rows, now);
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
  for (const p of picks) {
    const inspector = to.get(p.id) ?? null;
    const review = await createReview(x, byId.get(p.id)!, inspector, p.reason, now, p.probability);
    if (!review) continue;
    // Its 质检记录 row now, so the inspector can score it in Bitable too (grid.ts).
    await x.jobs.send<EffectsJob>(EFFECTS_JOB, {
      reviewId: review.id,
      version: review.version,
      effects: [{ type: 'mirror' }],
    });
    result.created++;
    if (inspector) result.byInspector[inspector] = (result.byInspector[inspector] ?? 0) + 1;
    result.byReason[p.reason] = (result.byReason[p.reason] ?? 0) + 1;
  }
  return result;
}
