import { readFileSync } from 'node:fs';
import { TableTemplate } from '../../src/bitable/template-schema.js';

/** Official payloads copied from /work/shared/feishu-samples (CI has no access to that folder). */
export function loadSample<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/feishu-samples/${name}`, import.meta.url), 'utf8')) as T;
}

const options = (...names: string[]) => ({ options: names.map((name, i) => ({ key: `option_${i + 1}`, name })) });

/**
 * A table whose display names are the ones in the search and batch_create examples
 * (bitable.records.search.response.json, bitable.records.batch_create.request.json), plus an email,
 * a formula and a lookup field so every kind the codec knows appears once.
 */
export const sampleTable = TableTemplate.parse({
  key: 'sample',
  name: '示例表',
  description: 'Field names of the official search and batch_create examples.',
  domain: 'shared',
  primaryField: 'text',
  fields: [
    { key: 'text', name: '文本', description: 'Plain text.', type: 1 },
    { key: 'multiline', name: '多行文本', description: 'Text with a mention.', type: 1 },
    { key: 'barcode', name: '条码', description: 'Barcode.', type: 1, ui_type: 'Barcode' },
    { key: 'email', name: '邮箱', description: 'Email.', type: 1, ui_type: 'Email' },
    { key: 'number', name: '数字', description: 'Number.', type: 2, property: { formatter: '0.0000' } },
    {
      key: 'currency',
      name: '货币',
      description: 'Currency.',
      type: 2,
      ui_type: 'Currency',
      property: { currency_code: 'CNY' },
    },
    {
      key: 'rating',
      name: '评分',
      description: 'Rating.',
      type: 2,
      ui_type: 'Rating',
      property: { min: 0, max: 5, rating: { symbol: 'star' } },
    },
    {
      key: 'progress',
      name: '进度',
      description: 'Progress.',
      type: 2,
      ui_type: 'Progress',
      property: { min: 0, max: 1 },
    },
    {
      key: 'single',
      name: '单选',
      description: 'Single select.',
      type: 3,
      property: options('选项1', '选项2', '选项3'),
    },
    { key: 'multi', name: '多选', description: 'Multi select.', type: 4, property: options('选项1', '选项2', '选项3') },
    { key: 'date', name: '日期', description: 'Date.', type: 5 },
    { key: 'checkbox', name: '复选框', description: 'Checkbox.', type: 7 },
    { key: 'people', name: '人员', description: 'People.', type: 11, property: { multiple: true } },
    { key: 'groups', name: '群组', description: 'Group chats.', type: 23 },
    { key: 'phone', name: '电话号码', description: 'Phone.', type: 13 },
    { key: 'link', name: '超链接', description: 'Hyperlink.', type: 15 },
    { key: 'files', name: '附件', description: 'Attachments.', type: 17 },
    {
      key: 'one_way',
      name: '单向关联',
      description: 'One-way link.',
      type: 18,
      property: { table: 'sample', multiple: true },
    },
    {
      key: 'two_way',
      name: '双向关联',
      description: 'Two-way link.',
      type: 21,
      property: { table: 'sample', back_field_name: '双向关联', multiple: true },
    },
    { key: 'place', name: '地理位置', description: 'Location.', type: 22 },
    {
      key: 'formula',
      name: '公式',
      description: 'Formula.',
      type: 20,
      property: { formula_expression: '{number} * 2' },
    },
    { key: 'lookup', name: '查找引用', description: 'Lookup.', type: 19 },
    { key: 'created_at', name: '创建时间', description: 'Created time.', type: 1001 },
    { key: 'updated_at', name: '最后更新时间', description: 'Modified time.', type: 1002 },
    { key: 'created_by', name: '创建人', description: 'Created by.', type: 1003 },
    { key: 'updated_by', name: '修改人', description: 'Modified by.', type: 1004 },
    { key: 'serial', name: '自动编号', description: 'Auto number.', type: 1005 },
  ],
  views: [{ key: 'all', name: '全部', type: 'grid', description: 'Everything.' }],
});

/** The deprecated list example names its fields in English (bitable.records.list.response.json). */
export const listSampleTable = TableTemplate.parse({
  key: 'list_sample',
  name: '列表示例',
  description: 'Field names of the official list example.',
  domain: 'shared',
  primaryField: 'primary',
  fields: [
    { key: 'primary', name: 'primary', description: 'Primary text.', type: 1 },
    { key: 'text', name: 'text', description: 'Text.', type: 1 },
    { key: 'barcode', name: 'barcode', description: 'Barcode.', type: 1, ui_type: 'Barcode' },
    { key: 'number', name: 'number', description: 'Number.', type: 2 },
    {
      key: 'currency',
      name: 'currency',
      description: 'Currency.',
      type: 2,
      ui_type: 'Currency',
      property: { currency_code: 'CNY' },
    },
    { key: 'progress', name: 'progress', description: 'Progress.', type: 2, ui_type: 'Progress' },
    {
      key: 'single_select',
      name: 'single_select',
      description: 'Single select.',
      type: 3,
      property: options('option_1', 'option_2'),
    },
    {
      key: 'multi_select',
      name: 'multi_select',
      description: 'Multi select.',
      type: 4,
      property: options('option_1', 'option_2'),
    },
    { key: 'date', name: 'date', description: 'Date.', type: 5 },
    { key: 'checkbox', name: 'checkbox', description: 'Checkbox.', type: 7 },
    { key: 'user', name: 'user', description: 'People.', type: 11 },
    { key: 'phone', name: 'phone', description: 'Phone.', type: 13 },
    { key: 'url', name: 'url', description: 'Hyperlink.', type: 15 },
    { key: 'attachment', name: 'attachment', description: 'Attachments.', type: 17 },
    {
      key: 'single_link',
      name: 'single_link',
      description: 'One-way link.',
      type: 18,
      property: { table: 'list_sample' },
    },
    {
      key: 'duplex_link',
      name: 'duplex_link',
      description: 'Two-way link.',
      type: 21,
      property: { table: 'list_sample', back_field_name: 'duplex_link' },
    },
    { key: 'location', name: 'location', description: 'Location.', type: 22 },
    { key: 'formula', name: 'formula', description: 'Formula.', type: 20, property: { formula_expression: 'TRUE()' } },
    { key: 'lookup', name: 'lookup', description: 'Lookup.', type: 19 },
    { key: 'created_time', name: 'created_time', description: 'Created time.', type: 1001 },
    { key: 'modified_time', name: 'modified_time', description: 'Modified time.', type: 1002 },
    { key: 'created_user', name: 'created_user', description: 'Created by.', type: 1003 },
    { key: 'modified_user', name: 'modified_user', description: 'Modified by.', type: 1004 },
    { key: 'auto_number', name: 'auto_number', description: 'Auto number.', type: 1005 },
    { key: 'custom_auto_number', name: 'custom_auto_number', description: 'Custom auto number.', type: 1005 },
  ],
  views: [{ key: 'all', name: 'all', type: 'grid', description: 'Everything.' }],
});
