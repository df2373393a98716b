import { z } from 'zod';

/**
 * The contract number rule, e.g. `HT-{YYYY}-{type}-{seq}`: {YYYY} the year of intake (business
 * time zone), {MM} the month, {type} the contract type code, {seq} a counter per everything
 * before it (so each year and type counts from 1). `{seq:5}` pads to five digits (default 4).
 */
export const NumberRule = z.object({
  pattern: z
    .string()
    .min(1)
    .max(80)
    .refine((p) => /\{seq(:\d)?\}/.test(p), '编号规则须包含 {seq} · the rule needs {seq}')
    .default('HT-{YYYY}-{type}-{seq}'),
  typeCodes: z.record(z.string(), z.string().max(12)).default({
    purchase: 'CG',
    sales: 'XS',
    framework: 'KJ',
    service: 'FW',
    lease: 'ZL',
    marketing: 'TG',
    logistics: 'WL',
    nda: 'BM',
    other: 'QT',
  }),
});
export type NumberRule = z.infer<typeof NumberRule>;

export interface NumberParts {
  year: number;
  month: number;
  type: string;
}

/** The counter scope: the rule with every placeholder but {seq} filled in. */
export function sequenceScope(rule: NumberRule, parts: NumberParts): string {
  return fill(rule, parts).replace(/\{seq(:\d)?\}/g, '{seq}');
}

export function formatNumber(rule: NumberRule, parts: NumberParts, seq: number): string {
  return fill(rule, parts).replace(/\{seq(?::(\d))?\}/g, (_, width?: string) =>
    String(seq).padStart(Number(width ?? 4), '0'),
  );
}

function fill(rule: NumberRule, parts: NumberParts): string {
  const code = rule.typeCodes[parts.type] ?? parts.type.toUpperCase();
  return rule.pattern
    .replaceAll('{YYYY}', String(parts.year))
    .replaceAll('{YY}', String(parts.year % 100).padStart(2, '0'))
    .replaceAll('{MM}', String(parts.month).padStart(2, '0'))
    .replaceAll('{type}', code);
}

/** CNY per unit of each currency, for the chain's bands and the budget (finance edits them). */
export const FxRates = z.object({
  rates: z.record(z.string(), z.number().positive()).default({ CNY: 1, USD: 7.1, HKD: 0.91, EUR: 7.7 }),
});
export type FxRates = z.infer<typeof FxRates>;
