import type { Result } from '../../shared/bilingual.js';
import {
  normalizeTrackingNumber,
  parseTrackingNumber,
  type TrackingNumber,
  type TrackingNumberError,
} from './tracking-numbers.js';

export type TrackingField = 'tracking_number' | 'return_tracking_number';

export interface TrackingReply {
  readonly field: TrackingField;
  readonly number: TrackingNumber;
}

// Longest labels first so 退货单号 wins over 单号 at the same position.
const RETURN_LABEL = String.raw`退货(?:运|快递|物流)?单号|退回单号|退件单号|return\s*(?:tracking\s*)?(?:no\.?|number|#)?`;
const OUTBOUND_LABEL = String.raw`(?:快递|物流|运|发货)?单号|tracking\s*(?:no\.?|number|#)?|waybill(?:\s*no\.?)?`;
const SEPARATOR = String.raw`\s*(?:[:：=#]|是|为|is)?\s*`;
// A token with at least one digit, so filler words after a label are not taken for a number.
const LETTER = String.raw`A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A-`; // ASCII and full-width letters, and '-'
const DIGIT = String.raw`0-9\uFF10-\uFF19`; // ASCII and full-width digits
const TOKEN = `((?=[${LETTER}]*[${DIGIT}])[${LETTER}${DIGIT}]{2,40})`;
const LABELLED = new RegExp(`(${RETURN_LABEL})|(${OUTBOUND_LABEL})`, 'iu');
const LABELLED_NUMBER = new RegExp(`(?:(${RETURN_LABEL})|(${OUTBOUND_LABEL}))${SEPARATOR}${TOKEN}`, 'iu');
const BARE_TOKEN = /[A-Za-z0-9\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]{8,40}/gu;

/**
 * Reads a tracking number out of a chat reply: `单号 SF1234567890123`, `tracking: YT…`,
 * `退货单号：…`. A reply that is only a number goes to `defaultField` (the field the case
 * waits for). Returns null when the text holds nothing that looks like one, and the
 * validation error when a labelled number is malformed — so the bot can say what is wrong.
 */
export function extractTrackingReply(
  text: string,
  defaultField: TrackingField = 'tracking_number',
): Result<TrackingReply, TrackingNumberError> | null {
  const match = LABELLED_NUMBER.exec(text);
  if (match) {
    const field: TrackingField = match[1] ? 'return_tracking_number' : 'tracking_number';
    const parsed = parseTrackingNumber(match[3] ?? '');
    return parsed.ok ? { ok: true, value: { field, number: parsed.value } } : parsed;
  }
  if (LABELLED.test(text)) return null;
  const tokens = [...text.matchAll(BARE_TOKEN)]
    .map((m) => m[0])
    .filter((t) => /\d{6}/.test(normalizeTrackingNumber(t)));
  if (tokens.length !== 1) return null;
  const parsed = parseTrackingNumber(tokens[0]!);
  return parsed.ok ? { ok: true, value: { field: defaultField, number: parsed.value } } : null;
}
