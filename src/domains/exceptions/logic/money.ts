import { z } from 'zod';
import { bi, err, ok, type DomainProblem, type Result } from '../../shared/bilingual.js';

/** Money is an integer number of fen (分, 1/100 yuan), never negative, never a float. */
export const Fen = z.number().int('must be whole fen').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER);
export type Fen = z.infer<typeof Fen>;

export type MoneyErrorCode = 'empty' | 'negative' | 'malformed' | 'too_precise' | 'too_large';
export type MoneyError = DomainProblem<MoneyErrorCode> & { readonly input: string };

const CURRENCY = /^(?:¥|￥|RMB|CNY|人民币)\s*/i;
const SUFFIX = /\s*(?:元|块|圆|RMB|CNY)$/i;

const fail = (code: MoneyErrorCode, input: string, zh: string, en: string): Result<Fen, MoneyError> =>
  err({ code, input, message: bi(zh, en) });

/**
 * Parses what people type for an amount — `¥1,234.50`, `1234.5元`, `RMB 80`, `12` — into fen,
 * with string arithmetic so 0.1 + 0.2 never happens. A number input is taken as yuan.
 */
export function parseAmountToFen(input: string | number): Result<Fen, MoneyError> {
  const raw = typeof input === 'number' ? String(input) : input;
  // Full-width digits, dot and comma (Chinese input methods) to ASCII.
  let s = raw.trim().replace(/[\uFF10-\uFF19\uFF0E\uFF0C]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
  if (s === '') return fail('empty', raw, '金额为空', 'The amount is empty');
  const SIGN = /^[-−]\s*/;
  let negative = SIGN.test(s);
  s = s.replace(SIGN, '').replace(CURRENCY, '').replace(SUFFIX, '');
  negative ||= SIGN.test(s);
  s = s.replace(SIGN, '').trim();
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return fail('malformed', raw, `无法识别的金额「${raw}」`, `Cannot read the amount "${raw}"`);
  if (negative) return fail('negative', raw, '金额不能为负数', 'The amount must not be negative');
  const decimals = m[2] ?? '';
  if (decimals.length > 2 && /[1-9]/.test(decimals.slice(2))) {
    return fail('too_precise', raw, '金额最多精确到分', 'The amount has more than two decimal places');
  }
  const yuan = m[1]!.replace(/,/g, '');
  const fen = Number(yuan) * 100 + Number(decimals.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) return fail('too_large', raw, '金额过大', 'The amount is too large');
  return ok(fen);
}

/** `¥1,234.50` for cards and replies. */
export function formatFen(fen: Fen): string {
  const yuan = Math.floor(fen / 100).toLocaleString('en-US');
  return `¥${yuan}.${String(fen % 100).padStart(2, '0')}`;
}
