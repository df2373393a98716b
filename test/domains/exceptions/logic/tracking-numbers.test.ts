import { describe, expect, it } from 'vitest';
import { parseTrackingNumber } from '../../../../src/domains/exceptions/logic/tracking-numbers.js';
import { extractTrackingReply } from '../../../../src/domains/exceptions/logic/tracking-reply.js';

const carrierOf = (raw: string) => {
  const r = parseTrackingNumber(raw);
  return r.ok ? { carrier: r.value.carrier, number: r.value.number, candidates: r.value.candidates } : r.error.code;
};

describe('tracking numbers', () => {
  it('recognises letter-prefixed numbers of SF, JD, YTO and J&T', () => {
    expect(carrierOf('SF1234567890123')).toEqual({ carrier: 'SF', number: 'SF1234567890123', candidates: ['SF'] });
    expect(carrierOf('SF123456789012')).toMatchObject({ carrier: 'SF' });
    expect(carrierOf('JDVA12345678901')).toMatchObject({ carrier: 'JD' });
    expect(carrierOf('YT1234567890123')).toMatchObject({ carrier: 'YTO' });
    expect(carrierOf('JT3012345678901')).toMatchObject({ carrier: 'JT' });
  });

  it('normalizes lower case, spaces, dashes and full-width characters typed on a phone', () => {
    expect(carrierOf('sf 1234-5678-9012 3')).toMatchObject({ carrier: 'SF', number: 'SF1234567890123' });
    expect(carrierOf('ＳＦ１２３４５６７８９０１２３')).toMatchObject({ carrier: 'SF', number: 'SF1234567890123' });
  });

  it('recognises digits-only numbers of ZTO, STO and Yunda by their ranges', () => {
    expect(carrierOf('73123456789012')).toMatchObject({ carrier: 'ZTO' });
    expect(carrierOf('773123456789012')).toMatchObject({ carrier: 'STO' });
    expect(carrierOf('4312345678901')).toMatchObject({ carrier: 'YUNDA' });
  });

  it('checks the UPU check digit of an international EMS number', () => {
    expect(carrierOf('EA123456785CN')).toMatchObject({ carrier: 'EMS' });
    expect(carrierOf('EA123456784CN')).toBe('bad_check_digit');
  });

  it('lists every candidate carrier for an ambiguous number, and lets the order name the carrier', () => {
    expect(carrierOf('1012345678901')).toEqual({
      carrier: null,
      number: '1012345678901',
      candidates: ['EMS', 'YUNDA'],
    });
    const hinted = parseTrackingNumber('1012345678901', 'EMS');
    expect(hinted.ok && hinted.value.carrier).toBe('EMS');
  });

  it('rejects a number that does not fit the carrier of the order', () => {
    const r = parseTrackingNumber('YT1234567890123', 'SF');
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'carrier_mismatch',
        input: 'YT1234567890123',
        message: {
          zh: '「YT1234567890123」不是顺丰的单号格式',
          en: '"YT1234567890123" is not a SF Express tracking number',
        },
      },
    });
  });

  it('rejects empty, malformed and too-short numbers with a typed error', () => {
    expect(carrierOf('  ')).toBe('empty');
    expect(carrierOf('SF123*456')).toBe('invalid_characters');
    expect(carrierOf('SF12345')).toBe('unrecognized_format');
    expect(carrierOf('13812345678')).toBe('unrecognized_format');
  });
});

describe('reading a tracking number from a chat reply', () => {
  const read = (text: string, field?: 'tracking_number' | 'return_tracking_number') => {
    const r = extractTrackingReply(text, field);
    if (r === null) return null;
    return r.ok
      ? { field: r.value.field, number: r.value.number.number, carrier: r.value.number.carrier }
      : r.error.code;
  };

  it('reads 单号, 运单号 and 快递单号 as the outbound tracking number', () => {
    expect(read('单号 SF1234567890123')).toEqual({
      field: 'tracking_number',
      number: 'SF1234567890123',
      carrier: 'SF',
    });
    expect(read('运单号：YT1234567890123 已发出')).toEqual({
      field: 'tracking_number',
      number: 'YT1234567890123',
      carrier: 'YTO',
    });
    expect(read('快递单号是 ＪＴ３０１２３４５６７８９０１')).toEqual({
      field: 'tracking_number',
      number: 'JT3012345678901',
      carrier: 'JT',
    });
  });

  it('reads 退货单号 and "return tracking" as the return tracking number', () => {
    expect(read('退货单号：SF1234567890123')).toMatchObject({ field: 'return_tracking_number' });
    expect(read('return tracking no. YT1234567890123')).toMatchObject({
      field: 'return_tracking_number',
      carrier: 'YTO',
    });
  });

  it('reads English labels', () => {
    expect(read('tracking: JDVA12345678901')).toMatchObject({ field: 'tracking_number', carrier: 'JD' });
    expect(read('Tracking number is YT1234567890123')).toMatchObject({ field: 'tracking_number', carrier: 'YTO' });
  });

  it('files a bare number under the field the case is waiting for', () => {
    expect(read('SF1234567890123', 'return_tracking_number')).toMatchObject({ field: 'return_tracking_number' });
  });

  it('explains a malformed labelled number — the 10-digit SF example is too short', () => {
    expect(read('单号 SF1234567890')).toBe('unrecognized_format');
  });

  it('ignores chat without a number, and does not take a phone number for one', () => {
    expect(read('好的，马上查')).toBeNull();
    expect(read('单号还没有，下午给')).toBeNull();
    expect(read('联系电话 13812345678')).toBeNull();
  });
});
