import { eq, sql } from 'drizzle-orm';
import { precheck, type Suggestion } from '../logic/prechecks.js';
import { assign, samplePlan, type Candidate, type Inspector, type Pick } from '../logic/sampling.js';
import { qaReviews } from '../schema.js';
import { EFFECTS_JOB, isInspector, type EffectsJob, type QaDeps } from './context.js';
import { fillPrechecks, messagesOf, precheckBasis, type PrecheckBasis } from './precheck-store.js';
import { currentScorecard } from './scorecard.js';

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

const REVIEW_CHUNK = 500;

/**
 * What the plan reads of a conversation: a period holds 100,000 of them, so one narrow row each, made into its
 * candidate at once (no second copy). `stored`: its pre-check hits came from the store (precheck-store.ts).
 */
interface Unreviewed extends Candidate {
  messageCount: number;
  stored: boolean;
}

const NO_TAGS: string[] = [];

/**
 * Conversations that started in [from, to) and nobody reviewed yet (calibration aside), each with its pre-check
 * hits stored for this scorecard version, policy and message count when there is such a row.
 */
async function unreviewed(
  x: QaDeps,
  from: Date,
  to: Date,
  basis: PrecheckBasis,
  agents: readonly string[],
): Promise<Unreviewed[]> {
  const { rows } = await x.database.query<{
    id: string | number;
    agent_open_id: string;
    channel: string;
    csat: number | null;
    tags: string[] | null;
    message_count: number;
    hits: number | null;
  }>(
    // Most conversations have no tags: null instead of 100,000 empty arrays.
    `select c.id, c.agent_open_id, c.channel, c.csat, nullif(c.tags, '[]'::jsonb) as tags, c.message_count, p.hits
       from qa_conversations c
       left join qa_conversation_prechecks p
         on p.conversation_id = c.id and p.scorecard_version = $3 and p.policy_key = $4
        and p.message_count = c.message_count
      where c.agent_open_id = any($5::text[]) and c.started_at >= $1 and c.started_at < $2
        and not exists (select 1 from qa_reviews r
                         where r.conversation_id = c.id and r.sample_reason <> 'calibration')`,
    [from.toISOString(), to.toISOString(), basis.version, basis.policyKey, agents],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    agent: r.agent_open_id,
    channel: r.channel,
    csat: r.csat,
    tags: r.tags ?? NO_TAGS,
    messageCount: r.message_count,
    precheckHits: r.hits ?? 0,
    stored: r.hits !== null,
  }));
}

/** The agents with conversations in [from, to), in the order the plan takes them. */
async function agentsOf(x: QaDeps, from: Date, to: Date): Promise<string[]> {
  const { rows } = await x.database.query<{ agent: string }>(
    `select distinct agent_open_id as agent from qa_conversations where started_at >= $1 and started_at < $2`,
    [from.toISOString(), to.toISOString()],
  );
  return rows.map((r) => r.agent).sort((a, b) => a.localeCompare(b));
}

/** Agents whose candidates are in memory at once: each agent's draw is its own, so the plan goes agent by agent. */
const AGENT_CHUNK = 40;

/** Hits missing or stale in the store are computed from the messages (and stored) now. */
async function fillMissing(x: QaDeps, rows: Unreviewed[], basis: PrecheckBasis): Promise<void> {
  const missing = rows.filter((r) => !r.stored);
  if (missing.length === 0) return;
  const hits = await fillPrechecks(x.database, basis, missing);
  for (const r of missing) r.precheckHits = hits.get(r.id) ?? 0;
}

/** The picks' pre-check suggestions, which their reviews keep (only the picks' messages are read). */
async function suggestionsOf(
  x: QaDeps,
  picks: ReadonlyArray<{ id: number; channel: string }>,
  basis: PrecheckBasis,
): Promise<Map<number, Suggestion[]>> {
  const out = new Map<number, Suggestion[]>();
  for (let i = 0; i < picks.length; i += REVIEW_CHUNK) {
    const chunk = picks.slice(i, i + REVIEW_CHUNK);
    const messages = await messagesOf(
      x.database,
      chunk.map((c) => c.id),
    );
    for (const c of chunk) out.set(c.id, precheck(messages.get(c.id) ?? [], basis.criteria(c.channel), basis.policy));
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
  const card = await currentScorecard(x, now);
  const policy = await x.settings.policy.get();
  const basis = precheckBasis(card, policy.prechecks);
  // Each agent's draw depends only on their own conversations (samplePlan): a few agents at a time keeps the
  // period's 100,000 candidates out of memory at once, and draws the same plan.
  const agents = await agentsOf(x, input.from, input.to);
  const picks: Pick[] = [];
  let candidates = 0;
  for (let i = 0; i < agents.length; i += AGENT_CHUNK) {
    const chunk = await unreviewed(x, input.from, input.to, basis, agents.slice(i, i + AGENT_CHUNK));
    await fillMissing(x, chunk, basis);
    candidates += chunk.length;
    for (const p of samplePlan(chunk, policy.sampling, seed, policy.precision)) picks.push(p);
  }
  const to = assign(picks, await inspectors(x), seed);
  const result: SamplingResult = {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    seed,
    candidates,
    picked: picks.length,
    created: 0,
    byInspector: {},
    byReason: {},
  };
  const byPick = new Map(picks.map((p) => [p.id, p]));
  const suggestions = await suggestionsOf(x, picks, basis);
  for (let i = 0; i < picks.length; i += REVIEW_CHUNK) {
    // A review per pick, as createReview makes one (a conversation reviewed meanwhile is skipped).
    const created = await x.database.db
      .insert(qaReviews)
      .values(
        picks.slice(i, i + REVIEW_CHUNK).map((p) => ({
          conversationId: p.id,
          scorecardVersion: card.version,
          agentOpenId: p.agent,
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
