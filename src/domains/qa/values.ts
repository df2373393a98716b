import { z } from 'zod';
import { ROLES } from './logic/prechecks.js';

/** Boundary schemas: API bodies and card values are parsed here once; inside, types are trusted. */

export const LIMITS = {
  externalId: 128,
  shop: 100,
  agent: 100,
  text: 5000,
  messages: 2000,
  batch: 500,
  tag: 40,
  tags: 20,
  orderId: 64,
  orderIds: 20,
  note: 1000,
  reason: 2000,
} as const;

const Id = (max: number) => z.string().trim().min(1).max(max);
const Instant = z.iso.datetime({ offset: true });

export const MessageInput = z.object({
  role: z.enum(ROLES),
  at: Instant,
  text: z.string().max(LIMITS.text),
  sender: Id(LIMITS.agent).optional(),
});

export const ConversationInput = z.object({
  channel: Id(40),
  externalId: Id(LIMITS.externalId),
  shop: Id(LIMITS.shop).optional(),
  /** The agent's Feishu open_id, or their name as in 人员与角色 when it is unique. */
  agent: Id(LIMITS.agent),
  csat: z.number().int().min(1).max(5).nullable().optional(),
  orderIds: z.array(Id(LIMITS.orderId)).max(LIMITS.orderIds).default([]),
  tags: z.array(Id(LIMITS.tag)).max(LIMITS.tags).default([]),
  url: z.url().max(500).optional(),
  messages: z.array(MessageInput).min(1).max(LIMITS.messages),
});
export type ConversationInput = z.infer<typeof ConversationInput>;

export const ConversationsBody = z.object({ conversations: z.array(ConversationInput).min(1).max(LIMITS.batch) });

const Num = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** The scoring card's buttons name the review and the version they were drawn for. */
export const ScoreValue = z.object({
  action: z.literal('qa.score'),
  reviewId: Num,
  version: Num,
  accept: z.boolean().optional(),
});
export const NextValue = z.object({ action: z.literal('qa.next') });
export const AckValue = z.object({ action: z.literal('qa.ack'), reviewId: Num, version: Num });
export const AppealOpenValue = z.object({ action: z.literal('qa.appeal-form'), reviewId: Num, version: Num });
export const AppealValue = z.object({ action: z.literal('qa.appeal'), reviewId: Num, version: Num });
export const DecideValue = z.object({
  action: z.literal('qa.decide'),
  appealId: Num,
  version: Num,
  decision: z.enum(['uphold', 'overturn', 'adjust']),
});

/** A sampling run: conversations that started in [from, to); the same seed draws the same plan. */
export const SamplingBody = z
  .object({ from: Instant, to: Instant, seed: z.string().trim().min(1).max(100).optional() })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: 'from must be before to', path: ['to'] })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 93 * 86_400_000, {
    message: 'at most 93 days at once',
    path: ['to'],
  });

/** How many reviews a period needs per channel / team / agent for a margin at a confidence level. */
export const SampleSizesBody = z
  .object({
    from: Instant,
    to: Instant,
    by: z.enum(['all', 'channel', 'team', 'agent']).default('channel'),
    margin: z.number().gt(0).max(0.5).optional(),
    confidence: z.number().min(0.5).max(0.999).optional(),
    expectedRate: z.number().gt(0).lt(1).optional(),
  })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: 'from must be before to', path: ['to'] });

/** A calibration round: the same conversations for several inspectors; the lead's scores are the reference. */
export const CalibrationBody = z.object({
  name: z.string().trim().min(1).max(100),
  conversations: z
    .array(z.object({ channel: z.string().trim().min(1).max(40), externalId: z.string().trim().min(1).max(200) }))
    .min(1)
    .max(50),
  inspectors: z.array(Id(LIMITS.agent)).min(1).max(30),
  lead: Id(LIMITS.agent).optional(),
  by: Id(LIMITS.agent),
});

export const PublishBody = z.object({ by: Id(LIMITS.agent), note: z.string().max(LIMITS.note).optional() });

/**
 * The scoring form: `m_<code>` = points or `na`, `n_<code>` = the inspector's note, `r_<code>` = the
 * deduction's root cause (a key of `qa.root_causes`), `comment`.
 */
export function marksFromForm(form: Record<string, unknown>): {
  marks: { code: string; points: number; na: boolean }[];
  notes: Record<string, string>;
  rootCauses: Record<string, string>;
  comment: string;
} {
  const marks: { code: string; points: number; na: boolean }[] = [];
  const notes: Record<string, string> = {};
  const rootCauses: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    if (typeof value !== 'string' || value === '') continue;
    if (key.startsWith('m_')) {
      const code = key.slice(2);
      if (value === 'na') marks.push({ code, points: 0, na: true });
      else marks.push({ code, points: Number(value), na: false });
    } else if (key.startsWith('n_')) notes[key.slice(2)] = value.trim().slice(0, LIMITS.note);
    else if (key.startsWith('r_')) rootCauses[key.slice(2)] = value.trim().slice(0, 40);
  }
  const comment = typeof form.comment === 'string' ? form.comment.trim() : '';
  return { marks, notes, rootCauses, comment };
}

/** Select values `<prefix><code>` → marks (the appeal form's proposals, the decision card's adjustments). */
export function picks(form: Record<string, unknown>, prefix: string): { code: string; points: number }[] {
  return Object.entries(form).flatMap(([key, value]) =>
    key.startsWith(prefix) && typeof value === 'string' && /^\d+$/.test(value)
      ? [{ code: key.slice(prefix.length), points: Number(value) }]
      : [],
  );
}
export const textOf = (form: Record<string, unknown>, key: string): string =>
  typeof form[key] === 'string' ? (form[key] as string).trim() : '';
