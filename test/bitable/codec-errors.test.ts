import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../src/bitable/codec.js';
import {
  FieldValueError,
  ReadOnlyFieldError,
  RecordCodecError,
  UnknownFieldError,
} from '../../src/bitable/codec-errors.js';
import { loadTemplates } from '../../src/bitable/load-templates.js';
import type { TableTemplate } from '../../src/bitable/template-schema.js';
import { sampleTable } from './sample-templates.js';

let exceptions: TableTemplate;
beforeAll(async () => {
  exceptions = (await loadTemplates(new URL('../../bitable-templates/', import.meta.url))).table('exceptions');
});

function encodeError(template: TableTemplate, values: Record<string, unknown>, options = {}): RecordCodecError {
  try {
    encodeRecord(template, values, options);
  } catch (error) {
    if (error instanceof RecordCodecError) return error;
    throw error;
  }
  throw new Error('expected encodeRecord to fail');
}

describe('encodeRecord', () => {
  it('writes a new exception case keyed by Chinese display names', () => {
    expect(
      encodeRecord(exceptions, {
        title: '顾客称包裹破损',
        kind: '破损',
        priority: 'P2 高',
        state: '新建',
        order_no: 'TB20240501001',
        owner: ['ou_2910013f1e6456f16a0ce75ede950a0a'],
        team: ['recTeam0001'],
        amount_at_risk: 199.9,
        platform_deadline: new Date('2024-05-03T10:00:00+08:00'),
        description: undefined,
        resolution: null,
      }),
    ).toStrictEqual({
      摘要: '顾客称包裹破损',
      异常类型: '破损',
      优先级: 'P2 高',
      状态: '新建',
      订单号: 'TB20240501001',
      负责人: [{ id: 'ou_2910013f1e6456f16a0ce75ede950a0a' }],
      处理团队: ['recTeam0001'],
      涉及金额: 199.9,
      平台截止时间: 1714701600000,
      处理结果: null,
    });
  });

  it('reports every bad field at once, naming the field, the value and the reason', () => {
    const error = encodeError(exceptions, {
      amount_at_risk: '199',
      kind: '丢失了',
      owner: ['ou_a', 'ou_b'],
      created_at: 1,
      colour: 'red',
    });
    expect(error.table).toBe('exceptions');
    expect(error.direction).toBe('encode');
    expect(error.status).toBe(422);
    expect(error.issues.map((i) => [i.constructor, i.field.key, i.value])).toEqual([
      [FieldValueError, 'amount_at_risk', '199'],
      [FieldValueError, 'kind', '丢失了'],
      [FieldValueError, 'owner', ['ou_a', 'ou_b']],
      [ReadOnlyFieldError, 'created_at', 1],
      [UnknownFieldError, 'colour', 'red'],
    ]);
    expect(error.issues[0]!.reason).toBe('expected a finite number');
    expect(error.issues[1]!.reason).toMatch(/^not an option; options are 退款纠纷\/拒付, 丢件/);
    expect(error.issues[2]!.reason).toBe('this field takes at most one value');
    expect(error.message).toContain(
      '字段「涉及金额」(amount_at_risk) 的值无效 invalid value "199": expected a finite number',
    );
    expect(error.message).toContain('字段「创建时间」(created_at) 只读，不能写入 is read-only');
  });

  it('lets a caller write an option staff added in Bitable when asked to', () => {
    expect(encodeRecord(exceptions, { kind: '新类型' }, { allowUnknownOptions: true })).toEqual({ 异常类型: '新类型' });
  });

  it('refuses values Feishu would reject', () => {
    const reasons = (values: Record<string, unknown>) =>
      encodeError(sampleTable, values).issues.map((i) => `${i.field.key}: ${i.reason}`);
    expect(
      reasons({
        rating: 6,
        progress: 1.5,
        date: new Date('not a date'),
        one_way: ['123'],
        link: { text: '官网', link: 'not a url' },
        place: { lng: 200, lat: 10 },
        email: 'someone@',
        multi: ['选项1', '选项1'],
        people: [{ name: '张三' }],
        checkbox: 'yes',
      }),
    ).toEqual([
      'rating: expected a value between 0 and 5',
      'progress: expected a value between 0 and 1',
      'date: invalid Date',
      'one_way: expected a record_id such as recXXXXXX',
      'link: the link is not a URL',
      'place: expected "lng,lat" with lng in [-180, 180] and lat in [-90, 90]',
      'email: expected an email address',
      'multi: an option is repeated',
      'people: expected id strings or {id} objects',
      'checkbox: expected true or false',
    ]);
  });
});

describe('decodeRecord', () => {
  it('reports cells it cannot read with the field and the raw value', () => {
    let error: unknown;
    try {
      decodeRecord(sampleTable, { 数字: 'abc', 日期: 'yesterday', 文本: 'fine' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordCodecError);
    expect((error as RecordCodecError).issues.map((i) => [i.problem, i.field.name, i.value])).toEqual([
      ['undecodable', '数字', 'abc'],
      ['undecodable', '日期', 'yesterday'],
    ]);
  });

  it('ignores columns staff added that the template does not know', () => {
    expect(decodeRecord(sampleTable, { 文本: 'a', 自定义列: 'x' }).text).toBe('a');
  });
});
