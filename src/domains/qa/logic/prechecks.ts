import { z } from 'zod';
import type { Criterion } from './scorecard.js';

export const ROLES = ['customer', 'agent', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Message {
  seq: number;
  role: Role;
  at: Date;
  text: string;
}

/** The pre-check rules (规则配置 / defaults): thresholds, phrases and the criterion each check deducts from. */
export const PrecheckPolicy = z.object({
  firstResponseSeconds: z.number().int().positive().default(60),
  gapSeconds: z.number().int().positive().default(180),
  greetings: z.array(z.string().min(1)).default(['您好', '你好', '亲', '欢迎', 'hello', 'hi']),
  closings: z.array(z.string().min(1)).default(['感谢', '谢谢', '祝您', '再见', '还有其他', '满意', 'thank']),
  forbidden: z.array(z.string().min(1)).default([]),
  criteria: z
    .object({
      response: z.string().default('PRO-01'),
      greeting: z.string().default('ATT-01'),
      closing: z.string().default('COM-01'),
      forbidden: z.string().default('ATT-02'),
    })
    .prefault({}),
});
export type PrecheckPolicy = z.infer<typeof PrecheckPolicy>;

export const CHECKS = [
  'first_response',
  'longest_gap',
  'forbidden_phrase',
  'missing_greeting',
  'missing_closing',
  // The optional AI pre-score's deductions (qa/llm), offered beside the rule checks.
  'ai_prescore',
] as const;
export type CheckKind = (typeof CHECKS)[number];

/** A finding offered to the inspector as a suggested deduction, quoting the message it is about. */
export interface Suggestion {
  check: CheckKind;
  code: string;
  points: number;
  seq: number;
  quote: string;
  detail: string;
}

const QUOTE_CHARS = 120;
const quoteOf = (m: Message) => (m.text.length > QUOTE_CHARS ? `${m.text.slice(0, QUOTE_CHARS)}…` : m.text);
const has = (text: string, phrases: readonly string[]) => {
  const t = text.toLowerCase();
  return phrases.find((p) => t.includes(p.toLowerCase()));
};
const minutes = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} 分 ${s % 60} 秒` : `${s} 秒`);

/**
 * Checks a conversation before a person looks at it. Each finding names the criterion it would
 * deduct from and quotes its message; a criterion not on the review's scorecard gets no finding.
 * Several findings on one criterion suggest one deduction (the largest, `suggestedMarks`), not their sum.
 */
export function precheck(
  messages: readonly Message[],
  criteria: readonly Criterion[],
  policy: PrecheckPolicy,
): Suggestion[] {
  const byCode = new Map(criteria.map((c) => [c.code, c]));
  const out: Suggestion[] = [];
  const add = (check: CheckKind, code: string, points: number, m: Message, detail: string) => {
    const c = byCode.get(code);
    if (!c || c.bonus) return;
    out.push({
      check,
      code,
      points: Math.min(c.maxPoints, Math.max(1, Math.round(points))),
      seq: m.seq,
      quote: quoteOf(m),
      detail,
    });
  };
  const sorted = [...messages].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
  const agent = sorted.filter((m) => m.role === 'agent');
  const rc = byCode.get(policy.criteria.response);

  // First response: the customer's first message to the agent's first reply after it.
  const firstCustomer = sorted.find((m) => m.role === 'customer');
  if (firstCustomer) {
    const reply = sorted.find((m) => m.role === 'agent' && m.at >= firstCustomer.at);
    const waited = Math.round(((reply?.at ?? sorted.at(-1)!.at).getTime() - firstCustomer.at.getTime()) / 1000);
    if (!reply)
      add(
        'first_response',
        policy.criteria.response,
        rc?.maxPoints ?? 1,
        firstCustomer,
        '客服未回复 · the agent never replied',
      );
    else if (waited > policy.firstResponseSeconds) {
      const over = waited / policy.firstResponseSeconds;
      add(
        'first_response',
        policy.criteria.response,
        over >= 5 ? (rc?.maxPoints ?? 1) : over >= 2 ? 2 : 1,
        firstCustomer,
        `首次响应 ${minutes(waited)}（标准 ${minutes(policy.firstResponseSeconds)}） · first response ${waited}s`,
      );
    }
  }

  // Longest wait: a customer message to the agent's next reply (the first one is counted above).
  let longest: { m: Message; seconds: number } | undefined;
  let waitingSince: Message | undefined;
  for (const m of sorted) {
    if (m.role === 'customer' && !waitingSince) waitingSince = m;
    else if (m.role === 'agent' && waitingSince) {
      const seconds = Math.round((m.at.getTime() - waitingSince.at.getTime()) / 1000);
      if (waitingSince !== firstCustomer && (!longest || seconds > longest.seconds))
        longest = { m: waitingSince, seconds };
      waitingSince = undefined;
    }
  }
  if (longest && longest.seconds > policy.gapSeconds) {
    add(
      'longest_gap',
      policy.criteria.response,
      longest.seconds >= policy.gapSeconds * 3 ? 2 : 1,
      longest.m,
      `最长等待 ${minutes(longest.seconds)}（标准 ${minutes(policy.gapSeconds)}） · longest wait ${longest.seconds}s`,
    );
  }

  // Forbidden phrases: the policy's list counts against its criterion; a criterion's own keywords against itself.
  const phraseSets: [string, readonly string[]][] = [
    [policy.criteria.forbidden, policy.forbidden],
    ...criteria.filter((c) => c.keywords.length > 0).map((c) => [c.code, c.keywords] as [string, readonly string[]]),
  ];
  for (const [code, phrases] of phraseSets) {
    if (phrases.length === 0) continue;
    for (const m of agent) {
      const hit = has(m.text, phrases);
      if (hit) {
        add('forbidden_phrase', code, byCode.get(code)?.redLine ? 1 : 2, m, `禁用语「${hit}」 · forbidden phrase`);
        break;
      }
    }
  }

  if (agent[0] && !has(agent[0].text, policy.greetings))
    add('missing_greeting', policy.criteria.greeting, 1, agent[0], '开场没有问候语 · no greeting in the first reply');
  const last = agent.at(-1);
  if (last && !has(last.text, policy.closings))
    add('missing_closing', policy.criteria.closing, 1, last, '结束时没有结束语 · no closing in the last reply');

  return out;
}

/** The deduction suggested per criterion: the largest of its findings. */
export function suggestedMarks(suggestions: readonly Suggestion[]): Map<string, number> {
  const marks = new Map<string, number>();
  for (const s of suggestions) marks.set(s.code, Math.max(marks.get(s.code) ?? 0, s.points));
  return marks;
}
