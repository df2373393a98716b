import { describe, expect, it } from 'vitest';
import {
  ApprovalBands,
  DEFAULT_APPROVAL_CONFIG,
  mayDecide,
  nextApproverRole,
  requiredApprover,
} from '../../../../src/domains/exceptions/logic/approvals.js';
import { formatFen, parseAmountToFen } from '../../../../src/domains/exceptions/logic/money.js';

const fen = (input: string | number) => {
  const r = parseAmountToFen(input);
  return r.ok ? r.value : r.error.code;
};

describe('parsing amounts into fen', () => {
  it('reads the ways people type yuan', () => {
    expect(fen('¥1,234.50')).toBe(123450);
    expect(fen('1234.5元')).toBe(123450);
    expect(fen('￥0.01')).toBe(1);
    expect(fen('RMB 80')).toBe(8000);
    expect(fen('１２３．４元')).toBe(12340);
    expect(fen('200块')).toBe(20000);
    expect(fen(12)).toBe(1200);
  });

  it('avoids floating-point drift', () => {
    expect(fen('0.29')).toBe(29);
    expect(fen('1.230')).toBe(123);
  });

  it('rejects negative, malformed, over-precise and huge amounts with bilingual messages', () => {
    expect(fen('-5')).toBe('negative');
    expect(fen('¥-5')).toBe('negative');
    expect(fen('−5元')).toBe('negative');
    expect(fen('1.234')).toBe('too_precise');
    expect(fen('1,23')).toBe('malformed');
    expect(fen('abc')).toBe('malformed');
    expect(fen('')).toBe('empty');
    expect(fen('99999999999999999')).toBe('too_large');
    expect(parseAmountToFen('-5')).toEqual({
      ok: false,
      error: {
        code: 'negative',
        input: '-5',
        message: { zh: '金额不能为负数', en: 'The amount must not be negative' },
      },
    });
  });

  it('formats fen for cards', () => {
    expect(formatFen(123450)).toBe('¥1,234.50');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(1_000_000_00)).toBe('¥1,000,000.00');
  });
});

describe('approval bands', () => {
  const approver = (amountFen: number) => {
    const r = requiredApprover(DEFAULT_APPROVAL_CONFIG.refund, amountFen);
    return r.ok ? r.value : r.error.code;
  };

  it('passes refunds up to ¥200 automatically and routes larger ones by band, bounds inclusive', () => {
    expect(approver(0)).toBe('auto');
    expect(approver(200_00)).toBe('auto');
    expect(approver(200_01)).toBe('lead');
    expect(approver(2_000_00)).toBe('lead');
    expect(approver(2_000_01)).toBe('manager');
    expect(approver(10_000_00)).toBe('manager');
    expect(approver(10_000_01)).toBe('finance_director');
  });

  it('refuses negative or fractional fen', () => {
    expect(approver(-1)).toBe('invalid_amount');
    expect(approver(1.5)).toBe('invalid_amount');
  });

  it('validates configured bands: rising amounts, only the last open-ended', () => {
    expect(() => ApprovalBands.parse([{ upToFen: 100, approver: 'auto' }])).toThrow(/open-ended/);
    expect(() =>
      ApprovalBands.parse([
        { upToFen: 500, approver: 'auto' },
        { upToFen: 100, approver: 'lead' },
        { upToFen: null, approver: 'manager' },
      ]),
    ).toThrow(/rise/);
  });

  it('escalates an approval up the ladder and lets only the designated role decide', () => {
    expect(nextApproverRole('lead')).toBe('manager');
    expect(nextApproverRole('manager')).toBe('finance_director');
    expect(nextApproverRole('finance_director')).toBeNull();
    expect(mayDecide('manager', ['manager'])).toBe(true);
    expect(mayDecide('lead', ['manager'])).toBe(false);
  });
});
