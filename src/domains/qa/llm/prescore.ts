import type { Logger } from '../../../core/logger.js';
import type { Tx } from '../../../db/client.js';
import { EFFECTS_JOB, type EffectsJob, type QaDeps } from '../service/context.js';
import { viewReview } from '../service/review.js';
import { AiAnswer, aiSuggestions, checkAnswer, type AiScore } from './answer.js';
import { jsonOf, RETRYABLE, type Failure, type LlmClient } from './client.js';
import { promptFor } from './prompt.js';

/** Reviews asked about per run, and at once: the worst case (all time out) stays well inside a job's expiry. */
export const PRESCORE_BATCH = 10;
export const PRESCORE_CONCURRENCY = 2;
const MAX_ATTEMPTS = 3;
/**
 * New reviews are looked for among the latest this many (a primary-key range): the run stays cheap
 * with a million reviews, even when none past the last claim can be claimed (all opened at once).
 */
const LOOK_BACK = 5000;

export interface PrescoreRun {
  claimed: number;
  ok: number;
  offered: number;
  failed: Partial<Record<Failure, number>>;
}

/**
 * Claims reviews for the AI: new ones (still to score, card never shown, not calibration — a round
 * measures the inspectors' own judgement) past the last one claimed, then failed ones worth another
 * try and claims left behind by a process that died. A claim is a row insert or a conditional
 * update, so two instances never take the same review.
 */
async function claim(x: QaDeps, now: Date, limit: number): Promise<Array<{ reviewId: number; attempts: number }>> {
  const at = now.toISOString();
  const fresh = await x.database.query<{ review_id: string | number }>(
    `insert into qa_ai_prescores (review_id, status, attempts, started_at)
     select r.id, 'pending', 1, $1::timestamptz from qa_reviews r
      where r.id > greatest(coalesce((select max(review_id) from qa_ai_prescores), 0),
                            coalesce((select max(id) from qa_reviews), 0) - $3)
        and r.state = 'to_score' and (r.opened_at is null or r.card_message_id is not null)
        and r.sample_reason <> 'calibration'
      order by r.id limit $2
     on conflict do nothing returning review_id`,
    [at, limit, LOOK_BACK],
  );
  const again = await x.database.query<{ review_id: string | number; attempts: number }>(
    `update qa_ai_prescores p set status = 'pending', attempts = p.attempts + 1, started_at = $1::timestamptz,
            reason = null, http_status = null, finished_at = null
       from qa_reviews r
      where r.id = p.review_id and r.state = 'to_score' and (r.opened_at is null or r.card_message_id is not null)
        and p.review_id in (
          select review_id from qa_ai_prescores
           where (status = 'failed' and reason = any($3::text[]) and attempts < $4
                  and finished_at < $1::timestamptz - interval '2 minutes')
              or (status = 'pending' and attempts < $4 and started_at < $1::timestamptz - interval '10 minutes')
           order by review_id limit $2)
      returning p.review_id, p.attempts`,
    [at, limit, RETRYABLE, MAX_ATTEMPTS],
  );
  return [
    ...fresh.rows.map((r) => ({ reviewId: Number(r.review_id), attempts: 1 })),
    ...again.rows.map((r) => ({ reviewId: Number(r.review_id), attempts: r.attempts })),
  ];
}

type Outcome = { ok: true; scores: AiScore[]; droppedQuotes: number } | { ok: false; reason: Failure; status?: number };

async function ask(x: QaDeps, llm: LlmClient, reviewId: number): Promise<Outcome & { version: number }> {
  const v = await viewReview(x, reviewId);
  const messages = v.messages.map((m) => ({ seq: m.seq, role: m.role, at: m.at, text: m.text }));
  const done = await llm.complete(promptFor(v.criteria, messages));
  if (!done.ok) return { ...done, version: v.review.version };
  const json = jsonOf(done.content);
  if (json === undefined) return { ok: false, reason: 'bad_json', version: v.review.version };
  const answer = AiAnswer.safeParse(json);
  if (!answer.success) return { ok: false, reason: 'bad_shape', version: v.review.version };
  return { ok: true, ...checkAnswer(answer.data, v.criteria, messages), version: v.review.version };
}

/**
 * Adds the AI's deductions to the review's suggestions (replacing earlier AI ones; the rule checks stay) while it
 * is still to score and either unopened or shown in a card the bot can update: that card is then drawn again
 * in place (effect `scoring_card`, a new version, so "accept all" takes exactly what the card shows). A card
 * the bot cannot update (a chat reply) keeps what it showed.
 */
async function offer(tx: Tx, x: QaDeps, reviewId: number, scores: AiScore[], version: number, at: string) {
  const suggestions = aiSuggestions(scores);
  if (suggestions.length === 0) return false;
  const offered = await tx.query<{ version: number; opened: boolean }>(
    `update qa_reviews set suggestions = (
            select coalesce(jsonb_agg(s), '[]'::jsonb) from jsonb_array_elements(suggestions) s
             where s->>'check' <> 'ai_prescore') || $2::jsonb,
            version = version + 1, updated_at = $4::timestamptz
      where id = $1 and version = $3 and state = 'to_score' and (opened_at is null or card_message_id is not null)
      returning version, opened_at is not null as opened`,
    [reviewId, JSON.stringify(suggestions), version, at],
  );
  const row = offered.rows[0];
  if (!row) return false;
  await tx.query('update qa_ai_prescores set offered = true where review_id = $1', [reviewId]);
  if (row.opened)
    await x.jobs.send<EffectsJob>(
      EFFECTS_JOB,
      { reviewId, version: row.version, effects: [{ type: 'scoring_card' }] },
      { tx },
    );
  return true;
}

/** Stores the outcome of one claim and offers a good answer's deductions (`offer`). */
async function record(
  x: QaDeps,
  reviewId: number,
  attempts: number,
  o: Outcome & { version: number },
  model: string,
  now: Date,
): Promise<boolean> {
  return x.database.transaction(async (tx) => {
    const at = now.toISOString();
    const stored = await tx.query(
      `update qa_ai_prescores set status = $3, model = $4, reason = $5, http_status = $6, scores = $7::jsonb,
              dropped_quotes = $8, finished_at = $9::timestamptz
        where review_id = $1 and attempts = $2 and status = 'pending' returning review_id`,
      [
        reviewId,
        attempts,
        o.ok ? 'ok' : 'failed',
        model,
        o.ok ? null : o.reason,
        o.ok ? null : (o.status ?? null),
        o.ok ? JSON.stringify(o.scores) : null,
        o.ok ? o.droppedQuotes : 0,
        at,
      ],
    );
    if (!o.ok || stored.rows.length === 0) return false;
    return offer(tx, x, reviewId, o.scores, o.version, at);
  });
}

/** Runs `work` over `items`, at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * One run of the AI pre-score (every minute while LLM_* is set): each claimed review's conversation
 * and scorecard to the model, its answer checked and stored. Whatever the endpoint does — down,
 * slow, rate-limited, garbage — the review goes on without it: the reason is recorded, nothing thrown.
 */
export async function prescorePending(x: QaDeps, llm: LlmClient, now: Date, log: Logger): Promise<PrescoreRun> {
  const claimed = await claim(x, now, PRESCORE_BATCH);
  const run: PrescoreRun = { claimed: claimed.length, ok: 0, offered: 0, failed: {} };
  await pool(claimed, PRESCORE_CONCURRENCY, async ({ reviewId, attempts }) => {
    const o = await askAndRecord(x, llm, reviewId, attempts, now, log);
    if (!o) return;
    if (o.ok) run.ok++;
    else run.failed[o.reason] = (run.failed[o.reason] ?? 0) + 1;
    if (o.offered) run.offered++;
  });
  return run;
}

/** One claimed review: asked, its outcome stored; undefined when it could not be asked (retried when stale). */
async function askAndRecord(
  x: QaDeps,
  llm: LlmClient,
  reviewId: number,
  attempts: number,
  now: Date,
  log: Logger,
): Promise<(Outcome & { offered: boolean }) | undefined> {
  let o: Outcome & { version: number };
  try {
    o = await ask(x, llm, reviewId);
  } catch (err) {
    // Our side (the database, a review gone): the claim is retried once it is stale.
    log.warn({ reviewId, err: err instanceof Error ? err.message : String(err) }, 'ai pre-score not asked');
    return undefined;
  }
  const offered = await record(x, reviewId, attempts, o, llm.model, now);
  if (!o.ok)
    log.info({ reviewId, reason: o.reason, status: o.status, attempts }, 'ai pre-score failed, review goes on');
  return { ...o, offered };
}

/**
 * A review just shown from a card button (e.g. the help card's next review from an empty queue, a review
 * created on the spot): asked now, on the queue, never in the callback. An answer that arrived after the card
 * was shown is offered now; one on its way (the minute's run) is left to finish; a failed one worth another try
 * is taken over. Whatever the endpoint does, the review goes on without it.
 */
export async function prescoreOpened(
  x: QaDeps,
  llm: LlmClient,
  reviewId: number,
  now: Date,
  log: Logger,
): Promise<'offered' | 'failed' | 'skipped'> {
  const at = now.toISOString();
  const [done] = (
    await x.database.query<{ status: string; offered: boolean; scores: AiScore[] | null }>(
      'select status, offered, scores from qa_ai_prescores where review_id = $1',
      [reviewId],
    )
  ).rows;
  if (done?.status === 'ok') {
    if (done.offered || !done.scores) return 'skipped';
    const scores = done.scores;
    const v = await viewReview(x, reviewId);
    const offered = await x.database.transaction((tx) => offer(tx, x, reviewId, scores, v.review.version, at));
    return offered ? 'offered' : 'skipped';
  }
  const claimed = await x.database.query<{ attempts: number }>(
    `insert into qa_ai_prescores as p (review_id, status, attempts, started_at)
     select r.id, 'pending', 1, $2::timestamptz from qa_reviews r
      where r.id = $1 and r.state = 'to_score' and r.card_message_id is not null and r.sample_reason <> 'calibration'
     on conflict (review_id) do update
        set status = 'pending', attempts = p.attempts + 1, started_at = excluded.started_at,
            reason = null, http_status = null, finished_at = null
      where (p.status = 'failed' and p.reason = any($3::text[]) and p.attempts < $4)
         or (p.status = 'pending' and p.attempts < $4 and p.started_at < $2::timestamptz - interval '10 minutes')
     returning p.attempts`,
    [reviewId, at, RETRYABLE, MAX_ATTEMPTS],
  );
  const attempts = claimed.rows[0]?.attempts;
  if (attempts === undefined) return 'skipped';
  const o = await askAndRecord(x, llm, reviewId, attempts, now, log);
  return o?.offered ? 'offered' : o && !o.ok ? 'failed' : 'skipped';
}
