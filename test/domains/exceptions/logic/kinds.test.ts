import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../../src/bitable/load-templates.js';
import { TEMPLATES_DIR } from '../../../../src/mirror/mirror-context.js';
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
      ['refund_dispute', '退款纠纷/拒付', 'refund_dispute', 'P1', ['return_tracking_number']],
      ['lost', '丢件', 'logistics', 'P2', ['tracking_number']],
      ['damaged', '破损', 'customer_service', 'P2', ['tracking_number', 'damage_photos']],
      ['delayed', '延误/物流停滞', 'logistics', 'P3', ['tracking_number']],
      ['wrong_or_missing_item', '错发/漏发', 'warehouse', 'P2', ['tracking_number', 'packing_video']],
      ['returned_without_after_sale', '无售后退回件', 'warehouse', 'P3', ['return_tracking_number']],
      ['address_problem', '地址问题', 'customer_service', 'P2', ['tracking_number']],
      ['loss_recovery', '资损追款', 'finance', 'P3', ['tracking_number']],
    ]);
  });

  it('finds a kind by id, Chinese label or English label', () => {
    const config = defaultKindsConfig();
    expect(findKind(config, 'damaged')).toMatchObject({ ok: true, value: { id: 'damaged' } });
    expect(findKind(config, '丢件')).toMatchObject({ ok: true, value: { id: 'lost' } });
    expect(findKind(config, 'Lost parcel')).toMatchObject({ ok: true, value: { id: 'lost' } });
  });

  it('accepts the older names and each half of a two-part name in chat, and shows one name', () => {
    const config = defaultKindsConfig();
    for (const [typed, id] of [
      ['退款维权', 'refund_dispute'],
      ['拒付', 'refund_dispute'],
      ['退款纠纷/拒付', 'refund_dispute'],
      ['错漏发', 'wrong_or_missing_item'],
      ['漏发', 'wrong_or_missing_item'],
      ['退回无售后', 'returned_without_after_sale'],
      ['物流停滞', 'delayed'],
      ['地址异常', 'address_problem'],
    ] as const) {
      expect(findKind(config, typed), typed).toMatchObject({ ok: true, value: { id } });
    }
    const names = config.kinds.map((k) => k.label.zh);
    for (const k of config.kinds) for (const alias of k.aliases) expect(names, alias).not.toContain(alias);
  });

  it('names each kind as 异常件工单 and 规则配置 name their 异常类型 options (one name per kind)', async () => {
    const templates = await loadTemplates(TEMPLATES_DIR);
    const optionsOf = (table: string, field: string) => {
      const f = templates.table(table).fields.find((x) => x.key === field);
      return f && f.type === 3 ? f.property.options.map((o) => [o.key, o.name]) : [];
    };
    const kinds = defaultKindsConfig().kinds.map((k) => [k.id, k.label.zh]);
    expect(optionsOf('exceptions', 'kind')).toEqual(kinds);
    expect(optionsOf('settings', 'exception_kind')).toEqual(kinds);
  });

  it('refuses an unknown kind and lists the known ones', () => {
    const result = findKind(defaultKindsConfig(), '失踪');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('unknown_kind');
    expect(result.error.message.zh).toBe(
      '未知的异常类型「失踪」，可选：退款纠纷/拒付、丢件、破损、延误/物流停滞、错发/漏发、无售后退回件、地址问题、资损追款',
    );
  });

  it('lists the required fields still empty', () => {
    const damaged = findKind(defaultKindsConfig(), 'damaged');
    if (!damaged.ok) throw new Error('damaged is a default kind');
    expect(missingRequiredFields(damaged.value, {})).toEqual(['tracking_number', 'damage_photos']);
    expect(missingRequiredFields(damaged.value, { tracking_number: 'SF1234567890123', damage_photos: ' ' })).toEqual([
      'damage_photos',
    ]);
  });

  it('accepts a configured list and rejects unknown fields and duplicate ids', () => {
    const custom = CaseKindsConfig.parse({
      kinds: [
        {
          id: 'customs_hold',
          label: { zh: '清关异常', en: 'Held at customs' },
          team: 'logistics',
          priority: 'P1',
          requiredFields: ['tracking_number'],
        },
      ],
    });
    expect(custom.kinds.map((k) => k.id)).toEqual(['customs_hold']);
    expect(() =>
      CaseKindsConfig.parse({
        kinds: [{ id: 'x', label: { zh: '甲', en: 'X' }, team: 't', priority: 'P1', requiredFields: ['invoice'] }],
      }),
    ).toThrow(/unknown field invoice/);
    const dup = { id: 'x', label: { zh: '甲', en: 'X' }, team: 't', priority: 'P1' };
    expect(() => CaseKindsConfig.parse({ kinds: [dup, dup] })).toThrow(/kind ids must be unique/);
  });
});
