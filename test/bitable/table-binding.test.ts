import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { UserRef } from '../../src/bitable/codec-values.js';
import { formulaReferences, renderFormula } from '../../src/bitable/formula.js';
import { loadTemplates, TemplateError, type TemplateSet } from '../../src/bitable/load-templates.js';
import { bindTable } from '../../src/bitable/table-binding.js';

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplates(new URL('../../bitable-templates/', import.meta.url));
});

const caseFields = {
  case_no: 'auto_number',
  order_no: 'text',
  owner: 'user',
  amount_at_risk: 'currency',
  sla_due: 'date',
  recovery_claims: 'duplex_link',
} as const;

describe('bindTable', () => {
  it('gives a domain typed rows from raw Feishu fields', () => {
    const exceptions = bindTable(templates.table('exceptions'), caseFields);
    const row = exceptions.decode({
      工单号: 'EX202405010001',
      订单号: [{ type: 'text', text: 'TB123' }],
      负责人: [{ id: 'ou_1', name: '张三' }],
      涉及金额: 88.5,
      SLA截止时间: 1714701600000,
      追款记录: { link_record_ids: ['recA1'] },
    });
    expect(row).toStrictEqual({
      case_no: 'EX202405010001',
      order_no: 'TB123',
      owner: [{ id: 'ou_1', name: '张三' }],
      amount_at_risk: 88.5,
      sla_due: new Date(1714701600000),
      recovery_claims: ['recA1'],
    });
    expectTypeOf(row.owner).toEqualTypeOf<UserRef[]>();
    expectTypeOf(row.sla_due).toEqualTypeOf<Date | null>();
    expect(exceptions.fieldName('sla_due')).toBe('SLA截止时间');
  });

  it('encodes only writable bound fields', () => {
    const exceptions = bindTable(templates.table('exceptions'), caseFields);
    expect(exceptions.encode({ order_no: 'TB9', owner: ['ou_2'], sla_due: null })).toEqual({ 订单号: 'TB9', 负责人: [{ id: 'ou_2' }], SLA截止时间: null });
    // @ts-expect-error case_no is an auto number: not writable, so not in the input type.
    expect(() => exceptions.encode({ case_no: 'EX1' })).toThrow(/只读/);
  });

  it('fails at start-up when a template no longer matches the kinds a domain expects', () => {
    expect(() => bindTable(templates.table('exceptions'), { order_no: 'number', ghost: 'text' })).toThrow(TemplateError);
    expect(() => bindTable(templates.table('exceptions'), { order_no: 'number' })).toThrow(/field "order_no" is text, not number/);
  });
});

describe('formula references', () => {
  it('name fields by key and render to whatever provisioning resolves them to', () => {
    const expression = '{amount_refunded} - {amount_recovered}';
    expect(formulaReferences(expression)).toEqual(['amount_refunded', 'amount_recovered']);
    expect(renderFormula(expression, (key) => `bitable::$table[tblX].$field[fld_${key}]`)).toBe(
      'bitable::$table[tblX].$field[fld_amount_refunded] - bitable::$table[tblX].$field[fld_amount_recovered]',
    );
  });
});
