import { beforeAll, describe, expect, it } from 'vitest';
import {
  creationOrder,
  fieldPayload,
  NotProvisionableError,
  type PayloadRefs,
} from '../../src/bitable/field-payload.js';
import { loadTemplates, type TemplateSet } from '../../src/bitable/load-templates.js';
import { tokenDate, viewQuery, ViewQueryError } from '../../src/bitable/view-query.js';
import { sampleTable } from './sample-templates.js';
import { matches } from '../../src/sandbox/bitable/filter.js';

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplates(new URL('../../bitable-templates/', import.meta.url));
});

const refs: PayloadRefs = {
  tableId: (key) => `tbl_${key}`,
  fieldRef: (key) => `bitable::$table[tbl_x].$field[fld_${key}]`,
};
const payloadOf = (table: string, key: string) =>
  fieldPayload(
    templates.table(table).fields.find((f) => f.key === key)!,
    refs,
  );

describe('template fields as Feishu create-field bodies', () => {
  it('resolve link targets and formula references to ids and drop our option keys', () => {
    expect(payloadOf('exceptions', 'team')).toEqual({
      field_name: '处理团队',
      type: 18,
      property: { table_id: 'tbl_teams', multiple: false },
      description: { text: 'Team that owns the case; its group gets the case card.' },
    });
    expect(payloadOf('exceptions', 'recovery_claims').property).toEqual({
      table_id: 'tbl_recovery_claims',
      back_field_name: '关联工单',
      multiple: true,
    });
    expect(payloadOf('exceptions', 'net_loss').property).toEqual({
      formula_expression:
        'bitable::$table[tbl_x].$field[fld_amount_refunded] - bitable::$table[tbl_x].$field[fld_amount_recovered]',
      formatter: '0.00',
    });
    expect(payloadOf('exceptions', 'amount_at_risk')).toMatchObject({
      type: 2,
      ui_type: 'Currency',
      property: { currency_code: 'CNY' },
    });
    expect(payloadOf('business_calendar', 'day_type').property).toEqual({
      options: [
        { name: '工作日', color: 0 },
        { name: '节假日', color: 1 },
        { name: '调休上班', color: 2 },
      ],
    });
  });

  it('exist for every field of every template', () => {
    for (const table of templates.tables)
      for (const f of table.fields) expect(() => fieldPayload(f, refs), `${table.key}.${f.key}`).not.toThrow();
  });

  it('refuse a lookup field, which the API cannot create', () => {
    expect(() =>
      fieldPayload(
        sampleTable.fields.find((f) => f.type === 19)!,
        refs,
      ),
    ).toThrow(NotProvisionableError);
  });

  it('come in an order Feishu accepts: primary, plain fields, links, then formulas', () => {
    const order = creationOrder(templates.table('exceptions').fields).map((f) => f.type);
    // The record number the bot writes (EX000048) is the primary column.
    expect(order[0]).toBe(1);
    expect(order.indexOf(18)).toBeGreaterThan(order.lastIndexOf(1));
    expect(order.indexOf(20)).toBeGreaterThan(order.lastIndexOf(21));
  });
});

describe('template views as searches', () => {
  // Tuesday 2026-05-12 15:00 in Shanghai.
  const context = { now: new Date('2026-05-12T15:00:00+08:00'), timeZone: 'Asia/Shanghai', me: 'ou_owner' };
  const ms = (iso: string) => String(new Date(iso).getTime());

  it('my open exceptions: mine, not finished, soonest due first', () => {
    expect(viewQuery(templates.table('exceptions'), 'my_open', context)).toEqual({
      filter: {
        conjunction: 'and',
        conditions: [
          { field_name: '负责人', operator: 'is', value: ['ou_owner'] },
          { field_name: '状态', operator: 'isNot', value: ['已解决'] },
          { field_name: '状态', operator: 'isNot', value: ['已关闭'] },
          { field_name: '状态', operator: 'isNot', value: ['已取消'] },
        ],
      },
      sort: [{ field_name: '最近截止时间', desc: false }],
    });
  });

  it('contracts expiring in 30 days: from today to 30 days on, in business days', () => {
    const conditions = viewQuery(templates.table('contracts'), 'expiring_30d', context).filter?.conditions;
    expect(conditions).toContainEqual({
      field_name: '到期日期',
      operator: 'isGreaterEqual',
      value: ['ExactDate', ms('2026-05-12T00:00:00+08:00')],
    });
    expect(conditions).toContainEqual({
      field_name: '到期日期',
      operator: 'isLessEqual',
      value: ['ExactDate', ms('2026-06-11T00:00:00+08:00')],
    });
  });

  it('date tokens name the start of a business day: this week ends on Sunday, months end on their last day', () => {
    expect(tokenDate('@week_start', context).toISOString()).toBe(new Date('2026-05-11T00:00:00+08:00').toISOString());
    expect(tokenDate('@week_end', context).toISOString()).toBe(new Date('2026-05-17T00:00:00+08:00').toISOString());
    expect(tokenDate('@month_end', context).toISOString()).toBe(new Date('2026-05-31T00:00:00+08:00').toISOString());
    expect(tokenDate('@today-7d', context).toISOString()).toBe(new Date('2026-05-05T00:00:00+08:00').toISOString());
  });

  it('我的质检结果 shows an agent their own reviews once scored, never one still to score', () => {
    const table = templates.table('qa_reviews');
    const query = viewQuery(table, 'my_results', { ...context, me: 'ou_agent' });
    expect(query.filter?.conditions).toEqual([
      { field_name: '客服', operator: 'is', value: ['ou_agent'] },
      { field_name: '得分', operator: 'isNotEmpty' },
    ]);
    // The stand-in's filter (as Feishu's) over rows: mine scored, mine waiting for an inspector, someone else's.
    const fields = table.fields.map((f) => ({
      field_id: f.key,
      field_name: f.name,
      type: f.type,
      property: null,
      is_primary: f.key === table.primaryField,
    }));
    const row = (id: string, agent: string, score: number | null) => ({
      record_id: id,
      fields: { agent: [{ id: agent }], ...(score === null ? {} : { score }) },
      created_by: 'ou_bot',
      created_time: 0,
      last_modified_by: 'ou_bot',
      last_modified_time: 0,
      auto_number: 1,
    });
    const shown = [row('scored', 'ou_agent', 92), row('to_score', 'ou_agent', null), row('other', 'ou_b', 80)]
      .filter((r) => matches(query.filter!, fields, r, context.now.getTime()))
      .map((r) => r.record_id);
    expect(shown).toEqual(['scored']);
  });

  it('a view about "me" needs to know who that is', () => {
    expect(() => viewQuery(templates.table('exceptions'), 'my_open', { ...context, me: undefined })).toThrow(
      ViewQueryError,
    );
  });
});
