import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates, type TemplateSet } from '../../../src/bitable/load-templates.js';
import type { SourceInput, SourceRow } from '../../../src/core/settings.js';
import { createDirectorySync, type DirectorySync } from '../../../src/domains/directory/bitable-sync.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { OptionKeys } from '../../../src/domains/directory/sync/rows.js';
import { approvalRemindersFromRules } from '../../../src/domains/contracts/settings/approval-reminders.js';
import { ensureMirrorTables, mirrorTableName } from '../../../src/mirror/mirror-ddl.js';
import { TEMPLATES_DIR } from '../../../src/mirror/mirror-context.js';
import { upsertRows } from '../../../src/mirror/mirror-rows.js';
import { apiPost, body, cardText, contractsApp, settle, sweepApprovalsAt, type ContractsTestApp } from './helpers.js';

const KEY = 'contracts.approval_reminders';
const rule = (v: Record<string, unknown>) => ({
  rule_name: null,
  rule_type: '提醒间隔',
  domain: '合同',
  exception_kind: null,
  contract_type: null,
  priority: null,
  value: null,
  unit: null,
  amount_min: null,
  amount_max: null,
  approver_role: null,
  warn_at: null,
  escalate_to: null,
  enabled: true,
  effective_from: null,
  ...v,
});

describe('approver reminder timing from 规则配置 rows (mapping)', () => {
  let templates: TemplateSet;
  beforeAll(async () => {
    templates = await loadTemplates(TEMPLATES_DIR);
  });
  const map = (rows: Array<Record<string, unknown>>) => {
    const keys = new OptionKeys(templates.table('settings'));
    const problems: string[] = [];
    const input: SourceInput = {
      rows: rows.map((values, i): SourceRow => ({
        recordId: `rec${i}`,
        modifiedAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
        values: rule(values),
      })),
      now: new Date('2026-03-02T02:00:00Z'),
      timeZone: 'Asia/Shanghai',
      optionKey: (field, name) => keys.key(field, name),
      linked: async () => undefined,
      problem: (recordId, message) => void problems.push(`${recordId}: ${message}`),
    };
    return { value: approvalRemindersFromRules(input), problems };
  };

  it('reads a reminder in business hours and an escalation with its fallback role; days stay expiry offsets', () => {
    expect(
      map([
        { value: 3, unit: '工作小时' },
        { value: 2, unit: '工作日', escalate_to: '财务' },
        { value: 30, unit: '天' },
      ]),
    ).toEqual({ value: { remindAfterHours: 3, escalateAfterHours: 16, escalateTo: 'finance' }, problems: [] });
    expect(map([{ value: 30, unit: '天' }]).value).toBeUndefined();
  });

  it('names the row and says why: a role that cannot approve, a zero value, an escalation before the reminder', () => {
    expect(map([{ rule_name: '升级', value: 4, unit: '小时', escalate_to: '客服' }]).problems).toEqual([
      'rec0: 升级：升级对象「客服」不能审批合同（可用：法务、财务、主管、总经理） · this role cannot approve contracts',
    ]);
    expect(map([{ rule_name: '催办', value: 0, unit: '工作小时' }]).problems).toEqual([
      'rec0: 催办：数值须大于 0 value must be above 0',
    ]);
    // Only a reminder after 30 h: the built-in escalation (24 h) would come first.
    const late = map([{ rule_name: '合同催办', value: 30, unit: '工作小时' }]);
    expect(late.problems).toEqual([
      'rec0: 合同催办：升级时限（24 工作小时）早于催办时限（30 工作小时），未生效，仍用原设置 · escalating after 24 ' +
        'business hours comes before the reminder after 30; not applied, the previous setting stays',
    ]);
  });
});

describe('editing the approver reminder rule in 规则配置 changes the next sweep', () => {
  let t: ContractsTestApp;
  let templates: TemplateSet;
  let sync: DirectorySync;
  let no: string;
  const put = (recordId: string, values: Record<string, unknown>) =>
    upsertRows(
      t.database,
      templates.table('settings'),
      [{ recordId, values: rule(values) as never, modifiedAt: new Date(), source: 'event' }],
      { onlyIfNewer: false },
    );
  const stored = async () =>
    (await t.registry.settings.snapshot()).get({ key: KEY, get: async () => undefined as unknown });
  const cardsTo = (openId: string, marker: string) =>
    t.feishu.to(openId).filter((s) => cardText(s.card).includes(no) && cardText(s.card).includes(marker));

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' }); // a Monday
    templates = await loadTemplates(TEMPLATES_DIR);
    await ensureMirrorTables(t.database, templates.tables);
    // The directory's sync, saving into this app's own settings (what the running bot does on a grid change).
    sync = createDirectorySync({
      database: t.database,
      directory: createDirectory({ db: t.deps.database.db }),
      settings: t.registry.settings,
      templates,
      tableName: mirrorTableName,
      log: t.log,
      timeZone: 'Asia/Shanghai',
      now: () => t.clock.now(),
    });
    const res = await apiPost(t, '/api/contracts', body({ requesterOpenId: 'ou_req' }));
    expect(res.statusCode).toBe(201);
    no = res.json().contract.contractNo;
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('reminds after 2 and escalates after 4 business hours once the rows say so', async () => {
    await put('recRemind', { rule_name: '合同审批催办', value: 2, unit: '工作小时' });
    await put('recEscalate', { rule_name: '合同审批升级', value: 4, unit: '工作小时', escalate_to: '总经理' });
    const report = await sync.sync(['settings']);
    expect(report.problems).toEqual([]);
    expect(report.settings[KEY]).toBe('saved');
    expect(await stored()).toEqual({ remindAfterHours: 2, escalateAfterHours: 4, escalateTo: 'general_manager' });

    await sweepApprovalsAt(t, '2026-03-02T11:20'); // 1 h 20 min
    expect(cardsTo('ou_legal', '催办')).toHaveLength(0);
    await sweepApprovalsAt(t, '2026-03-02T14:20'); // 2 h 50 min (lunch 12:00–13:30 not counted); default: 8 h
    expect(cardsTo('ou_legal', '催办')).toHaveLength(1);
    await sweepApprovalsAt(t, '2026-03-02T15:20'); // 3 h 50 min
    expect(cardsTo('ou_mgr', '升级')).toHaveLength(0);
    await sweepApprovalsAt(t, '2026-03-02T16:20'); // 4 h 50 min
    expect(cardsTo('ou_mgr', '升级')).toHaveLength(1);
    expect(cardsTo('ou_req', '审批已升级')).toHaveLength(1);
  });

  it('refuses an escalation below the reminder with the reason on the row; the previous rule stays', async () => {
    await put('recEscalate', { rule_name: '合同审批升级', value: 1, unit: '工作小时', escalate_to: '总经理' });
    const report = await sync.sync(['settings']);
    expect(report.settings[KEY]).toBeUndefined();
    expect(report.problems).toContainEqual({
      table: 'settings',
      recordId: 'recEscalate',
      message:
        '合同审批升级：升级时限（1 工作小时）早于催办时限（2 工作小时），未生效，仍用原设置 · escalating after 1 ' +
        'business hours comes before the reminder after 2; not applied, the previous setting stays',
    });
    expect(await stored()).toEqual({ remindAfterHours: 2, escalateAfterHours: 4, escalateTo: 'general_manager' });
  });

  it('keeps 天 rows as expiry offsets and explains a unit that is neither', async () => {
    await put('recDays', { rule_name: '到期提前', value: 45, unit: '天' });
    await put('recYuan', { rule_name: '写错单位', value: 45, unit: '元' });
    const report = await sync.sync(['settings']);
    expect(
      (await t.registry.settings.snapshot()).get({ key: 'contracts.reminders', get: async () => undefined as unknown }),
    ).toMatchObject({ offsets: [45] });
    expect(report.problems).toContainEqual({
      table: 'settings',
      recordId: 'recYuan',
      message:
        '写错单位：合同到期提醒须为整数天（单位 天），审批催办用工作小时（单位 工作小时） · ' +
        'an expiry reminder is whole days; an approver reminder is business hours',
    });
  });
});
