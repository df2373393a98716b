import { describe, expect, it } from 'vitest';
import {
  CaseKindsConfig,
  defaultKindsConfig,
  findKind,
  missingRequiredFields,
} from '../../../../src/domains/exceptions/logic/kinds.js';

describe('case kinds', () => {
  it('ships the eight kinds of the issue with owning team, priority and warehouse fields', () => {
    const config = defaultKindsConfig();
    expect(config.kinds.map((k) => [k.id, k.label.zh, k.team, k.priority, k.requiredFields])).toEqual([
      ['refund_dispute', '退款维权', 'refund_dispute', 'P1', ['return_tracking_number']],
      ['lost', '丢件', 'logistics', 'P2', ['tracking_number']],
      ['damaged', '破损', 'customer_service', 'P2', ['tracking_number', 'damage_photos']],
      ['delayed', '物流停滞', 'logistics', 'P3', ['tracking_number']],
      ['wrong_or_missing_item', '错漏发', 'warehouse', 'P2', ['tracking_number', 'packing_video']],
      ['returned_without_after_sale', '退回无售后', 'warehouse', 'P3', ['return_tracking_number']],
      ['address_problem', '地址异常', 'customer_service', 'P2', ['tracking_number']],
      ['loss_recovery', '资损追款', 'finance', 'P3', ['tracking_number']],
    ]);
  });

  it('finds a kind by id, Chinese label or English label', () => {
    const config = defaultKindsConfig();
    expect(findKind(config, 'damaged')).toMatchObject({ ok: true, value: { id: 'damaged' } });
    expect(findKind(config, '丢件')).toMatchObject({ ok: true, value: { id: 'lost' } });
    expect(findKind(config, 'Lost parcel')).toMatchObject({ ok: true, value: { id: 'lost' } });
  });

  it('refuses an unknown kind and lists the known ones', () => {
    const result = findKind(defaultKindsConfig(), '失踪');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('unknown_kind');
    expect(result.error.message.zh).toBe(
      '未知的异常类型「失踪」，可选：退款维权、丢件、破损、物流停滞、错漏发、退回无售后、地址异常、资损追款',
    );
  });

  it('lists the required fields still empty', () => {
    const damaged = findKind(defaultKindsConfig(), 'damaged');
    if (!damaged.ok) throw new Error('damaged is a default kind');
    expect(missingRequiredFields(damaged.value, {})).toEqual(['tracking_number', 'damage_photos']);
    expect(missingRequiredFields(damaged.value, { tracking_number: 'SF1234567890123', damage_photos: ' ' })).toEqual(['damage_photos']);
  });

  it('accepts a configured list and rejects unknown fields and duplicate ids', () => {
    const custom = CaseKindsConfig.parse({
      kinds: [{ id: 'customs_hold', label: { zh: '清关异常', en: 'Held at customs' }, team: 'logistics', priority: 'P1', requiredFields: ['tracking_number'] }],
    });
    expect(custom.kinds.map((k) => k.id)).toEqual(['customs_hold']);
    expect(() =>
      CaseKindsConfig.parse({ kinds: [{ id: 'x', label: { zh: '甲', en: 'X' }, team: 't', priority: 'P1', requiredFields: ['invoice'] }] }),
    ).toThrow(/unknown field invoice/);
    const dup = { id: 'x', label: { zh: '甲', en: 'X' }, team: 't', priority: 'P1' };
    expect(() => CaseKindsConfig.parse({ kinds: [dup, dup] })).toThrow(/kind ids must be unique/);
  });
});
