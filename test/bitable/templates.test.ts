import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kindOf } from '../../src/bitable/field-kinds.js';
import { checkTemplateSet, loadTemplates, TemplateError, type TemplateSet } from '../../src/bitable/load-templates.js';
import { TableTemplate, type TemplateField } from '../../src/bitable/template-schema.js';

const TEMPLATES_DIR = new URL('../../bitable-templates/', import.meta.url);
const HAN = /\p{Script=Han}/u;

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplates(TEMPLATES_DIR);
});

const field = (tableKey: string, key: string): TemplateField => {
  const found = templates.table(tableKey).fields.find((f) => f.key === key);
  if (!found) throw new Error(`${tableKey}.${key} missing`);
  return found;
};
const optionNames = (f: TemplateField) => (f.type === 3 || f.type === 4 ? f.property.options.map((o) => o.name) : []);
const viewNames = (tableKey: string) => templates.table(tableKey).views.map((v) => v.name);

describe('bitable-templates/', () => {
  it('every file passes the schema and the cross-table checks', () => {
    expect(templates.tables.length).toBeGreaterThanOrEqual(14);
    expect(new Set(templates.tables.map((t) => t.domain))).toEqual(
      new Set(['shared', 'exceptions', 'qa', 'contracts', 'community']),
    );
  });

  it('covers the shared tables and the four workflows', () => {
    for (const key of [
      'people',
      'teams',
      'business_calendar',
      'settings',
      'exceptions',
      'recovery_claims',
      'qa_scorecard',
      'qa_reviews',
      'qa_appeals',
      'contracts',
      'counterparties',
      'contract_payments',
      'budgets',
      'communities',
      'community_daily_metrics',
      'community_summary',
    ]) {
      expect(() => templates.table(key), key).not.toThrow();
    }
  });

  it('shows staff Chinese names: tables, fields, options and views', () => {
    for (const table of templates.tables) {
      expect(table.name, table.key).toMatch(HAN);
      for (const f of table.fields) {
        expect(f.name, `${table.key}.${f.key}`).toMatch(HAN);
        for (const name of optionNames(f)) expect(name, `${table.key}.${f.key}`).toMatch(HAN);
      }
      for (const v of table.views) expect(v.name, `${table.key} view ${v.key}`).toMatch(HAN);
    }
  });

  it('gives staff the views they asked for', () => {
    expect(viewNames('exceptions')).toContain('我的待办异常件');
    expect(viewNames('qa_reviews')).toContain('本周待质检');
    expect(viewNames('contracts')).toContain('30天内到期合同');
    expect(viewNames('settings')).toEqual(
      expect.arrayContaining(['SLA矩阵', '提醒间隔', '审批金额档', '阈值', '工作时间']),
    );
  });

  it('my open exceptions are mine and not finished', () => {
    const view = templates.table('exceptions').views.find((v) => v.name === '我的待办异常件');
    expect(view?.filter?.conditions).toEqual(
      expect.arrayContaining([
        { field: 'owner', operator: 'is', value: ['@me'] },
        { field: 'state', operator: 'isNot', value: ['已关闭'] },
      ]),
    );
  });

  it('the business calendar marks workdays, holidays and make-up workdays', () => {
    expect(optionNames(field('business_calendar', 'day_type'))).toEqual(['工作日', '节假日', '调休上班']);
    expect(kindOf(field('business_calendar', 'date'))).toBe('date');
  });

  it('an exception case carries the identifiers, clocks and money issue 5 needs', () => {
    const kinds: Record<string, string> = {
      order_no: 'text',
      tracking_no: 'text',
      return_tracking_no: 'text',
      kind: 'single_select',
      priority: 'single_select',
      state: 'single_select',
      owner: 'user',
      team: 'link',
      amount_at_risk: 'currency',
      amount_refunded: 'currency',
      amount_recovered: 'currency',
      amount_written_off: 'currency',
      platform_deadline: 'date',
      sla_due: 'date',
      created_at: 'created_time',
      recovery_claims: 'duplex_link',
    };
    for (const [key, kind] of Object.entries(kinds)) expect(kindOf(field('exceptions', key)), key).toBe(kind);
    expect(optionNames(field('exceptions', 'kind'))).toHaveLength(8);
  });

  it('the scorecard has weights, categories and red-line items', () => {
    expect(kindOf(field('qa_scorecard', 'weight'))).toBe('number');
    expect(kindOf(field('qa_scorecard', 'category'))).toBe('single_select');
    expect(kindOf(field('qa_scorecard', 'red_line'))).toBe('checkbox');
  });
});

describe('template checks refuse', () => {
  const clone = () => templates.tables.map((t) => structuredClone(t));
  const tableIssues = (mutate: (t: TableTemplate) => void, key = 'exceptions') => {
    const table = structuredClone(templates.table(key));
    mutate(table);
    const result = TableTemplate.safeParse(table);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it('a link to a table that does not exist', () => {
    const tables = clone();
    const team = tables.find((t) => t.key === 'exceptions')!.fields.find((f) => f.key === 'team')!;
    if (team.type === 18) team.property.table = 'nowhere';
    expect(() => checkTemplateSet(tables)).toThrow(/exceptions\.team links to unknown table "nowhere"/);
  });

  it('two-way link ends that disagree', () => {
    const tables = clone();
    const back = tables.find((t) => t.key === 'recovery_claims')!.fields.find((f) => f.key === 'exception')!;
    if (back.type === 21) back.property.back_field_name = '别的字段';
    expect(() => checkTemplateSet(tables)).toThrow(/names "别的字段" as its back field/);
  });

  it('two tables with one key', () => {
    const tables = clone();
    tables.push(structuredClone(tables[0]!));
    expect(() => checkTemplateSet(tables)).toThrow(TemplateError);
  });

  it('more than 100 tables in the base', () => {
    const tables = Array.from({ length: 101 }, (_, i) => ({
      ...structuredClone(templates.table('teams')),
      key: `t${i}`,
      name: `表${i}`,
    }));
    expect(() => checkTemplateSet(tables)).toThrow(/101 tables exceed 100 per base/);
  });

  it('more than 300 fields in a table', () => {
    const issues = tableIssues((t) => {
      for (let i = 0; i < 300; i++)
        t.fields.push({ key: `extra_${i}`, name: `额外${i}`, description: 'Padding.', type: 1 });
    });
    expect(issues.join()).toMatch(/300/);
  });

  it('two views with one name', () => {
    expect(tableIssues((t) => t.views.push({ ...t.views[0]!, key: 'copy' }))).toContain(
      'duplicate view name "全部工单"',
    );
  });

  it('a formula that names a missing field', () => {
    const issues = tableIssues((t) => {
      const f = t.fields.find((x) => x.key === 'net_loss');
      if (f?.type === 20) f.property.formula_expression = '{amount_refunded} - {nope}';
    });
    expect(issues).toContain('formula refers to unknown field {nope}');
  });

  it('a primary field that is not first or cannot be primary', () => {
    expect(tableIssues((t) => t.fields.reverse())).toContain('the primary field must be the first field');
    expect(tableIssues((t) => (t.primaryField = 'owner'))).toEqual(
      expect.arrayContaining(['type 11 cannot be a primary field']),
    );
  });

  it('view filters that cannot mean anything', () => {
    const issues = tableIssues((t) => {
      t.views.push({
        key: 'bad',
        name: '坏视图',
        type: 'grid',
        description: 'Broken on purpose.',
        filter: {
          conjunction: 'and',
          conditions: [
            { field: 'order_no', operator: 'is', value: ['@me'] },
            { field: 'state', operator: 'is', value: ['不存在的状态'] },
            { field: 'sla_due', operator: 'isLess', value: ['@tomorrow'] },
            { field: 'owner', operator: 'isEmpty', value: ['x'] },
          ],
        },
      });
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        '@me only applies to person fields',
        '"不存在的状态" is not an option of state',
        'unknown token @tomorrow',
        'operator isEmpty takes no value',
      ]),
    );
  });

  it('a kanban view without columns', () => {
    expect(
      tableIssues((t) => t.views.push({ key: 'k', name: '看板2', type: 'kanban', description: 'No columns.' })),
    ).toContain('a kanban view needs group_by');
  });

  it('a file whose key is not its name, or that is not JSON, naming the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'templates-'));
    try {
      await writeFile(path.join(dir, 'renamed.json'), JSON.stringify(templates.table('teams')));
      await expect(loadTemplates(dir)).rejects.toThrow(/renamed\.json[\s\S]*must match the file name/);
      await writeFile(path.join(dir, 'renamed.json'), '{ not json');
      await expect(loadTemplates(dir)).rejects.toThrow(/renamed\.json[\s\S]*not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
