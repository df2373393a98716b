import { z } from 'zod';
import { bi, type Bilingual } from '../../shared/bilingual.js';
import { isTerminal, type CaseState } from './case.js';
import type { CaseClock } from './clocks.js';

/** The ladder, in order: owner before breach, lead at breach, manager after. */
export const ESCALATION_STEPS = ['warn_owner', 'notify_lead', 'notify_manager'] as const;
export type EscalationStep = (typeof ESCALATION_STEPS)[number];
export type EscalationRecipient = 'owner' | 'lead' | 'manager';

/** The highest rung among the steps sent, or null when none was. */
export function topStep(steps: readonly EscalationStep[]): EscalationStep | null {
  return [...ESCALATION_STEPS].reverse().find((s) => steps.includes(s)) ?? null;
}

export const EscalationPolicy = z
  .object({
    /** Share of the shown clock used before the owner is warned. */
    warnAtFraction: z.number().gt(0).lt(1).default(0.8),
    /** Minutes past the due time (in the shown clock's unit) before the manager hears of it. */
    managerAfterMinutes: z.number().int().positive().default(240),
  })
  .default({ warnAtFraction: 0.8, managerAfterMinutes: 240 });
export type EscalationPolicy = z.infer<typeof EscalationPolicy>;
export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = EscalationPolicy.parse(undefined);

export interface Escalation {
  readonly step: EscalationStep;
  readonly recipient: EscalationRecipient;
  readonly message: Bilingual;
  readonly at: Date;
  readonly manual: boolean;
}

const RECIPIENT: Readonly<Record<EscalationStep, EscalationRecipient>> = {
  warn_owner: 'owner',
  notify_lead: 'lead',
  notify_manager: 'manager',
};

function messageFor(step: EscalationStep, clock: CaseClock, manual: boolean): Bilingual {
  const clockName = clock.which === 'platform' ? bi('平台时限', 'platform deadline') : bi('SLA时限', 'SLA');
  const used = Math.round(clock.fractionUsed * 100);
  if (manual)
    return bi(
      `已手动升级此异常件（${clockName.zh}已用 ${used}%）`,
      `Escalated by hand (${used}% of the ${clockName.en} used)`,
    );
  switch (step) {
    case 'warn_owner':
      return bi(`${clockName.zh}已用 ${used}%，请尽快处理`, `${used}% of the ${clockName.en} used; please act soon`);
    case 'notify_lead':
      return bi(`${clockName.zh}已到期，请组长跟进`, `The ${clockName.en} is due; lead, please follow up`);
    case 'notify_manager':
      return bi(`${clockName.zh}已超时，升级至经理`, `The ${clockName.en} is overdue; escalated to the manager`);
  }
}

function isDue(step: EscalationStep, clock: CaseClock, policy: EscalationPolicy): boolean {
  switch (step) {
    case 'warn_owner':
      return clock.fractionUsed >= policy.warnAtFraction;
    case 'notify_lead':
      return clock.remainingMinutes <= 0;
    case 'notify_manager':
      return -clock.remainingMinutes >= policy.managerAfterMinutes;
  }
}

/**
 * Ladder steps due now and not yet sent, in ladder order. Idempotent: feeding the
 * returned steps back in as `alreadySent` yields nothing new until another step is due.
 * A finished case escalates no further.
 */
export function dueEscalations(
  c: { readonly state: CaseState },
  clock: CaseClock,
  alreadySent: Iterable<EscalationStep>,
  now: Date,
  policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY,
): Escalation[] {
  if (clock.status === 'stopped' || isTerminal(c.state)) return [];
  const sent = new Set(alreadySent);
  return ESCALATION_STEPS.filter((step) => !sent.has(step) && isDue(step, clock, policy)).map((step) => ({
    step,
    recipient: RECIPIENT[step],
    message: messageFor(step, clock, false),
    at: now,
    manual: false,
  }));
}

/**
 * The 升级 Escalate button: the next rung above the owner not yet notified
 * (lead, then manager), or null when the ladder is exhausted.
 */
export function manualEscalation(
  clock: CaseClock,
  alreadySent: Iterable<EscalationStep>,
  now: Date,
): Escalation | null {
  const sent = new Set(alreadySent);
  const step = ESCALATION_STEPS.find((s) => s !== 'warn_owner' && !sent.has(s));
  return step
    ? { step, recipient: RECIPIENT[step], message: messageFor(step, clock, true), at: now, manual: true }
    : null;
}
