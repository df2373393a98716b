import { bi, err, ok, type Bilingual, type DomainProblem, type Result } from '../../shared/bilingual.js';

export type CarrierCode = 'SF' | 'JD' | 'YTO' | 'ZTO' | 'STO' | 'YUNDA' | 'EMS' | 'JT';

export interface CarrierFormat {
  readonly code: CarrierCode;
  readonly name: Bilingual;
  readonly patterns: readonly RegExp[];
}

/**
 * Number formats of the major Chinese carriers, matched on the normalized number.
 * Letter-prefixed formats identify the carrier; all-digit formats are heuristics from the
 * carriers' public ranges and can overlap, so a digits-only number may have several candidates.
 * Verify against current carrier documentation when a carrier changes its ranges.
 */
export const CARRIER_FORMATS: readonly CarrierFormat[] = [
  { code: 'SF', name: bi('顺丰', 'SF Express'), patterns: [/^SF\d{12,13}$/] },
  { code: 'JD', name: bi('京东', 'JD Logistics'), patterns: [/^JD[A-Z]{0,2}\d{10,15}$/] },
  { code: 'YTO', name: bi('圆通', 'YTO Express'), patterns: [/^YT\d{10,16}$/] },
  { code: 'JT', name: bi('极兔', 'J&T Express'), patterns: [/^JT\d{10,15}$/] },
  // China Post EMS: UPU S10 (EA123456785CN) or 13 digits starting 1 or 9.
  { code: 'EMS', name: bi('邮政EMS', 'China Post EMS'), patterns: [/^[A-Z]{2}\d{9}[A-Z]{2}$/, /^[19]\d{12}$/] },
  // ZTO: 12 digits (older) or 14 digits starting 7.
  { code: 'ZTO', name: bi('中通', 'ZTO Express'), patterns: [/^[1-7]\d{11}$/, /^7\d{13}$/] },
  // STO: 15 digits starting 77, or 12–13 digits with its classic prefixes.
  {
    code: 'STO',
    name: bi('申通', 'STO Express'),
    patterns: [/^77\d{13}$/, /^(?:268|368|468|568|668|868|888|900)\d{9,10}$/],
  },
  // Yunda: 13 or 15 digits.
  { code: 'YUNDA', name: bi('韵达', 'Yunda Express'), patterns: [/^[1-5]\d{12}$/, /^[3-5]\d{14}$/] },
];

export interface TrackingNumber {
  readonly number: string;
  /** The carrier when the format identifies exactly one; null when several fit. */
  readonly carrier: CarrierCode | null;
  readonly candidates: readonly CarrierCode[];
}

export type TrackingNumberErrorCode =
  'empty' | 'invalid_characters' | 'unrecognized_format' | 'carrier_mismatch' | 'bad_check_digit';
export type TrackingNumberError = DomainProblem<TrackingNumberErrorCode> & { readonly input: string };

/** Full-width letters and digits (from Chinese input methods) to ASCII, upper case, no spaces or dashes. */
export function normalizeTrackingNumber(raw: string): string {
  return raw
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000-]/g, '')
    .toUpperCase();
}

/** UPU S10 check digit over the 8 serial digits. */
function s10CheckDigitOk(n: string): boolean {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const digits = n.slice(2, 10).split('').map(Number);
  const sum = digits.reduce((acc, d, i) => acc + d * weights[i]!, 0);
  const check = 11 - (sum % 11);
  const expected = check === 10 ? 0 : check === 11 ? 5 : check;
  return Number(n[10]) === expected;
}

const problem = (code: TrackingNumberErrorCode, input: string, zh: string, en: string): TrackingNumberError => ({
  code,
  input,
  message: bi(zh, en),
});

/**
 * Validates a tracking number and names its carrier. `carrierHint` (e.g. from the order)
 * narrows an ambiguous digits-only number and rejects one that cannot be that carrier's.
 */
export function parseTrackingNumber(
  raw: string,
  carrierHint?: CarrierCode,
  formats: readonly CarrierFormat[] = CARRIER_FORMATS,
): Result<TrackingNumber, TrackingNumberError> {
  const n = normalizeTrackingNumber(raw);
  if (n === '') return err(problem('empty', raw, '单号为空', 'The tracking number is empty'));
  if (!/^[A-Z0-9]+$/.test(n)) {
    return err(
      problem(
        'invalid_characters',
        raw,
        `单号「${raw}」只能包含字母和数字`,
        `Tracking number "${raw}" may contain only letters and digits`,
      ),
    );
  }
  const candidates = formats.filter((f) => f.patterns.some((p) => p.test(n))).map((f) => f.code);
  if (candidates.length === 0) {
    return err(
      problem(
        'unrecognized_format',
        raw,
        `无法识别的单号「${raw}」，请核对`,
        `Unrecognized tracking number "${raw}"; please check it`,
      ),
    );
  }
  if (/^[A-Z]{2}\d{9}[A-Z]{2}$/.test(n) && !s10CheckDigitOk(n)) {
    return err(
      problem('bad_check_digit', raw, `单号「${raw}」校验位不正确`, `Tracking number "${raw}" has a wrong check digit`),
    );
  }
  if (carrierHint) {
    if (!candidates.includes(carrierHint)) {
      const name = formats.find((f) => f.code === carrierHint)?.name ?? bi(carrierHint, carrierHint);
      return err(
        problem(
          'carrier_mismatch',
          raw,
          `「${raw}」不是${name.zh}的单号格式`,
          `"${raw}" is not a ${name.en} tracking number`,
        ),
      );
    }
    return ok({ number: n, carrier: carrierHint, candidates: [carrierHint] });
  }
  return ok({ number: n, carrier: candidates.length === 1 ? candidates[0]! : null, candidates });
}
