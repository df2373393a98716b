import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, recordMentions, unknownFieldNames } from '../../src/bitable/codec.js';
import { isReadOnlyKind, kindOf } from '../../src/bitable/field-kinds.js';
import { listSampleTable, loadSample, sampleTable } from './sample-templates.js';

type Fields = Record<string, unknown>;
interface Page {
  data: { items: { fields: Fields }[] };
}

const search = loadSample<Page>('bitable.records.search.response.json').data.items[0]!.fields;
const list = loadSample<Page>('bitable.records.list.response.json').data.items[0]!.fields;
const batchCreate = loadSample<{ records: { fields: Fields }[] }>('bitable.records.batch_create.request.json').records;

describe('the official search example', () => {
  it('decodes every field exactly', () => {
    expect(decodeRecord(sampleTable, search)).toStrictEqual({
      text: null,
      multiline: '多行文本内容1@张三',
      barcode: '123',
      email: null,
      number: 2323.2323,
      currency: 1,
      rating: 3,
      progress: 0.66,
      single: '选项1',
      multi: ['选项1', '选项2'],
      date: new Date(1690992000000),
      checkbox: true,
      people: search['人员'],
      groups: search['群组'],
      phone: '131xxxx6666',
      link: { text: 'Lark多维表格官网', link: 'https://bitable.larksuite.com' },
      files: search['附件'],
      one_way: ['recnVYsuqV'],
      two_way: ['recqLvMaXT', 'recrdld32q'],
      place: {
        lng: 116.397755,
        lat: 39.903179,
        name: '天安门广场',
        address: '东长安街',
        full_address: '天安门广场，北京市东城区东长安街',
        adname: '东城区',
        cityname: '北京市',
        pname: '北京市',
      },
      formula: null,
      lookup: [],
      created_at: new Date(1691049973000),
      updated_at: new Date(1702455191000),
      created_by: (search['创建人'] as unknown[])[0],
      updated_by: (search['修改人'] as unknown[])[0],
      serial: '17',
    });
    expect(unknownFieldNames(sampleTable, search)).toEqual([]);
  });

  it('keeps the @-mention of a text cell', () => {
    expect(recordMentions(sampleTable, search)).toStrictEqual({
      multiline: [{ mentionType: 'User', token: 'ou_2910013f1e6456f16a0ce75ede950a0a', name: '张三', text: '@张三' }],
    });
  });

  it('re-encodes what it read into the batch_create write shapes', () => {
    const decoded = decodeRecord(sampleTable, search);
    const writable = Object.fromEntries(
      sampleTable.fields
        // The example's phone number is masked ("131xxxx6666"): readable, but not a number to write back.
        .filter((f) => !isReadOnlyKind(kindOf(f)) && f.key !== 'phone')
        .map((f) => [f.key, decoded[f.key] ?? undefined]),
    );
    expect(() => encodeRecord(sampleTable, { phone: decoded.phone })).toThrow(/电话号码.*131xxxx6666/);
    const fields = encodeRecord(sampleTable, writable);
    const written = batchCreate[0]!.fields;
    for (const name of ['人员', '群组', '地理位置', '多选', '复选框', '单选', '评分'])
      expect(fields[name], name).toStrictEqual(written[name]);
    expect(fields['单向关联']).toStrictEqual(['recnVYsuqV']);
    expect(fields['附件']).toStrictEqual([{ file_token: 'Vl3FbVkvnowlgpxpqsAbBrtFcrd' }]);
    expect(fields['超链接']).toStrictEqual({ text: 'Lark多维表格官网', link: 'https://bitable.larksuite.com' });
    expect(fields['日期']).toBe(1690992000000);
  });
});

describe('the official list example (deprecated API)', () => {
  it('decodes every field exactly, numbers given as strings included', () => {
    expect(decodeRecord(listSampleTable, list)).toStrictEqual({
      primary: 'primary',
      text: 'text',
      barcode: '123',
      number: 100,
      currency: 1,
      progress: 0.66,
      single_select: 'option_1',
      multi_select: ['option_1', 'option_2'],
      date: new Date(1674206443000),
      checkbox: true,
      user: list['user'],
      phone: '13126166666',
      url: { text: 'lark', link: 'https://bitable.larksuite.com' },
      attachment: list['attachment'],
      single_link: ['recnVYsuqV'],
      duplex_link: ['recG70uhxh'],
      location: {
        lng: 116.397755,
        lat: 39.903179,
        name: '天安门广场',
        address: '东长安街',
        full_address: '天安门广场，北京市东城区东长安街',
        adname: '东城区',
        cityname: '北京市',
        pname: '北京市',
      },
      formula: 'false',
      lookup: ['text'],
      created_time: new Date(1675244156000),
      modified_time: new Date(1677556020000),
      created_user: list['created_user'],
      modified_user: list['modified_user'],
      auto_number: '17',
      custom_auto_number: '017no20230201',
    });
  });
});

describe('the official batch_create example', () => {
  const values = {
    text: '文本内容',
    barcode: 'qawqe',
    number: 100,
    currency: 3,
    rating: 3,
    progress: 0.25,
    single: '选项1',
    multi: ['选项1', '选项2'],
    date: new Date(1674206443000),
    checkbox: true,
    people: ['ou_2910013f1e6456f16a0ce75ede950a0a', 'ou_e04138c9633dd0d2ea166d79f548ab5d'],
    groups: [{ id: 'oc_cd07f55f14d6f4a4f1b51504e7e97f48' }],
    phone: '13026162666',
    link: { text: '飞书多维表格官网', link: 'https://www.feishu.cn/product/base' },
    files: ['Vl3FbVkvnowlgpxpqsAbBrtFcrd'],
    one_way: ['recHTLvO7x', 'recbS8zb2m'],
    two_way: ['recHTLvO7x', 'recbS8zb2m'],
    place: { lng: 116.397755, lat: 39.903179 },
  };

  it('is exactly what encodeRecord produces, record by record', () => {
    expect(encodeRecord(sampleTable, values)).toStrictEqual(batchCreate[0]!.fields);
    expect(encodeRecord(sampleTable, { text: '文本内容2' })).toStrictEqual(batchCreate[1]!.fields);
  });

  it('reads back as the values that were written', () => {
    expect(decodeRecord(sampleTable, batchCreate[0]!.fields)).toMatchObject({
      ...values,
      people: values.people.map((id) => ({ id })),
      files: [{ file_token: 'Vl3FbVkvnowlgpxpqsAbBrtFcrd' }],
      multiline: null,
      created_by: null,
    });
  });
});
