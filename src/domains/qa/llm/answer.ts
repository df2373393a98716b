import { z } from 'zod';
import type { Message, Suggestion } from '../logic/prechecks.js';
import type { Criterion } from '../logic/scorecard.js';

/** The model's score of one criterion, as checked: in range, its quote verified against the conversation. */
export interface AiScore {
  code: string;
  /** Deducted points (a bonus item: points added), 0 … the criterion's max points. */
  points: number;
  na: boolean;
  /** A passage of message `seq`, verified to be in it; null when the model gave none or an invented one. */
  quote: string | null;
  seq: number | null;
  /** The model's reason, cut short; user text (escaped like any other on a card). */
  note: string;
  /** Offered to the inspector as a suggested deduction (a deduction with a verified quote). */
  suggested: boolean;
}

const NOTE_CHARS = 160;
const QUOTE_CHARS = 120;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
const text = z.string().transform((s) => s.trim());

/**
 * What the model is asked to answer. Lenient on what does not matter (numbers as strings, extra
 * fields, missing reasons), strict on the shape: anything else is garbage and the review goes on without it.
 */
export const AiAnswer = z.object({
  criteria: z
    .array(
      z.object({
        code: text.pipe(z.string().min(1).max(64)),
        points: z.coerce.number().finite().nullish(),
        na: z.boolean().nullish(),
        seq: z.coerce.number().int().nullish(),
        evidence: text.nullish(),
        reason: text.nullish(),
      }),
    )
    .max(200),
});
export type AiAnswer = z.infer<typeof AiAnswer>;

const normal = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The message the quote is really in (the one the model named first, else any), or none. */
function findQuote(quote: string, seq: number | null | undefined, messages: readonly Message[]): Message | undefined {
  const q = normal(quote);
  if (q.length === 0 || q.length > 2000) return undefined;
  const named = messages.find((m) => m.seq === seq);
  if (named && normal(named.text).includes(q)) return named;
  return messages.find((m) => normal(m.text).includes(q));
}

/**
 * Checks the model's answer against the review: criteria not on the review's scorecard are ignored
 * (the first answer per criterion counts), points rounded and clamped to 0 … max points, N/A only
 * where the criterion allows it, and every quote looked up in the conversation — one that is not
 * there is dropped (and counted), so the card never shows words the agent did not write.
 */
export function checkAnswer(
  answer: AiAnswer,
  criteria: readonly Criterion[],
  messages: readonly Message[],
): { scores: AiScore[]; droppedQuotes: number } {
  const byCode = new Map(criteria.map((c) => [c.code.toUpperCase(), c]));
  const seen = new Set<string>();
  const scores: AiScore[] = [];
  let droppedQuotes = 0;
  for (const a of answer.criteria) {
    const c = byCode.get(a.code.toUpperCase());
    if (!c || seen.has(c.code)) continue;
    const na = a.na === true && c.naAllowed && !c.bonus;
    if (!na && (a.points === null || a.points === undefined)) continue;
    seen.add(c.code);
    const points = na ? 0 : Math.min(c.maxPoints, Math.max(0, Math.round(a.points!)));
    const found = a.evidence ? findQuote(a.evidence, a.seq, messages) : undefined;
    if (a.evidence && !found) droppedQuotes++;
    scores.push({
      code: c.code,
      points,
      na,
      quote: found ? cut(normal(a.evidence!), QUOTE_CHARS) : null,
      seq: found?.seq ?? null,
      note: cut(a.reason ?? '', NOTE_CHARS),
      suggested: !na && !c.bonus && points > 0 && !!found,
    });
  }
  return { scores, droppedQuotes };
}

/** The AI's deductions as the card's suggestions, beside the rule pre-checks. */
export function aiSuggestions(scores: readonly AiScore[]): Suggestion[] {
  return scores
    .filter((s) => s.suggested)
    .map((s) => ({
      check: 'ai_prescore' as const,
      code: s.code,
      points: s.points,
      seq: s.seq!,
      quote: s.quote!,
      detail: s.note ? `AI：${s.note}` : 'AI 建议 · AI suggestion',
    }));
}
