import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates, type TemplateSet } from '../../../src/bitable/load-templates.js';
import type { SourceInput, SourceRow } from '../../../src/core/settings.js';
import { OptionKeys } from '../../../src/domains/directory/sync/rows.js';
import { DEFAULT_SLA_MATRIX, SlaMatrix } from '../../../src/domains/exceptions/logic/clocks.js';
import { kindRulesFromTable } from '../../../src/domains/exceptions/settings/from-kinds.js';
import {
  approvalsFromRules,
  escalationFromRules,
  nudgesFromRules,
  slaFromRules,
} from '../../../src/domains/exceptions/settings/from-rules.js';
import { TEMPLATES_DIR } from '../../../src/mirror/mirror-context.js';

// What the directory hands the exception workflow's settings: rows of 规则配置 and 异常类型配置 as
// the mirror decodes them (selects as option names, links as record ids).
let seq = 0;
const row = (values: Record<string, unknown>): SourceRow => ({
  recordId: `rec${++seq}`,
  values,
  modifiedAt: new Date(Date.UTC(2026, 0, 1, 0, seq)),
});
const rule = (v: Record<string, unknown>) =>
  row({
    rule_name: null,
    rule_type: null,
    domain: null,
    exception_kind: null,
    priority: null,
    value: null,
    unit: null,
    amount_min: null,
    amount_max: null,
    approver_role: null,
    warn_at: null,
    enabled: true,
    effective_from: null,
    ...v,
  });
const kindRow = (v: Record<string, unknown>) =>
  row({
    kind_name: null,
    code: null,
    team: [],
    default_priority: null,
    awaited_field: null,
    nudge_interval_minutes: null,
    platform_deadline_hours: null,
    sla_hours: null,
    enabled: true,
    ...v,
  });

interface Problem {
  recordId: string;
  message: string;
}

describe('the exception workflow’s settings from its Bitable tables', () => {
  let templates: TemplateSet;
  const now = new Date('2026-03-02T02:00:00Z');
  const inputOf = (
    table: string,
    rows: SourceRow[],
    problems: Problem[],
    linked: Record<string, SourceRow> = {},
  ): SourceInput => {
    const keys = new OptionKeys(templates.table(table));
    const seen = new Set<string>();
    return {
      rows,
      now,
      timeZone: 'Asia/Shanghai',
      optionKey: (field, name) => keys.key(field, name),
      linked: async (_table, recordId) => linked[recordId],
      problem: (recordId, message) => {
        if (!seen.has(recordId + message)) problems.push({ recordId, message });
        seen.add(recordId + message);
      },
    };
  };
  beforeAll(async () => {
    templates = await loadTemplates(TEMPLATES_DIR);
  });

  describe('规则配置', () => {
    const settings = (rows: SourceRow[], problems: Problem[] = []) => {
      const input = inputOf('settings', rows, problems);
      return {
        sla: slaFromRules(input),
        nudges: nudgesFromRules(input),
        approvals: approvalsFromRules(input),
        escalation: escalationFromRules(input),
      };
    };

    it('lays SLA rows over the built-in matrix: kind × priority, in business hours', () => {
      const mapped = settings([
        rule({ rule_type: 'SLA时限', exception_kind: '丢件', priority: 'P1 紧急', value: 1.5, unit: '小时' }),
        rule({ rule_type: 'SLA时限', exception_kind: '破损', value: 2, unit: '工作日' }),
        rule({ rule_type: 'SLA时限', priority: 'P3 普通', value: 10 }),
      ]);
      expect(mapped.sla!.byKind.lost).toEqual({ P1: 90 });
      expect(mapped.sla!.byKind.damaged).toEqual({ P1: 960, P2: 960, P3: 960 });
      expect(mapped.sla!.default).toEqual({ ...DEFAULT_SLA_MATRIX.default, P3: 600 });
      expect(mapped.sla!.byKind.refund_dispute).toEqual(DEFAULT_SLA_MATRIX.byKind.refund_dispute);
      expect(SlaMatrix.parse({})).toEqual(DEFAULT_SLA_MATRIX); // the defaults themselves were not touched
    });

    it('reads the nudge interval, the approval bands and the warn-at share', () => {
      const mapped = settings([
        rule({ rule_type: '提醒间隔', domain: '异常件', value: 30, unit: '分钟' }),
        rule({ rule_type: '审批金额档', amount_min: 0, amount_max: 100 }),
        rule({ rule_type: '审批金额档', amount_min: 100, amount_max: 5000, approver_role: '组长' }),
        rule({ rule_type: '审批金额档', amount_min: 5000, approver_role: '财务' }),
        rule({ rule_type: 'SLA时限', exception_kind: '丢件', value: 4, unit: '小时', warn_at: 0.5 }),
      ]);
      expect(mapped.nudges).toEqual({ intervalMinutes: 30 });
      const bands = [
        { upToFen: 9_999, approver: 'auto' },
        { upToFen: 499_999, approver: 'lead' },
        { upToFen: null, approver: 'finance_director' },
      ];
      expect(mapped.approvals).toEqual({ refund: bands, compensation: bands });
      expect(mapped.escalation).toEqual({ warnAtFraction: 0.5, managerAfterMinutes: 240 });
    });

    it('ignores disabled, future and other workflows’ rows, and has nothing to say without rows', () => {
      const mapped = settings([
        rule({ rule_type: 'SLA时限', value: 1, unit: '小时', enabled: false }),
        rule({ rule_type: 'SLA时限', value: 1, unit: '小时', effective_from: new Date('2026-04-01T00:00:00+08:00') }),
        rule({ rule_type: '提醒间隔', domain: '合同', value: 30, unit: '天' }),
      ]);
      expect(mapped).toEqual({ sla: undefined, nudges: undefined, approvals: undefined, escalation: undefined });
    });

    it('skips a bad row with a reason and keeps the rest', () => {
      const problems: Problem[] = [];
      const mapped = settings(
        [
          rule({ rule_name: '坏规则', rule_type: 'SLA时限', exception_kind: '丢件', value: -3, unit: '小时' }),
          rule({ rule_type: 'SLA时限', exception_kind: '丢件', priority: 'P2 高', value: 2, unit: '元' }),
          rule({ rule_type: 'SLA时限', exception_kind: '破损', priority: 'P2 高', value: 3, unit: '小时' }),
          rule({ rule_type: '提醒间隔', value: 30 }),
          rule({ rule_type: '审批金额档', amount_min: 0, approver_role: '仓库' }),
        ],
        problems,
      );
      expect(mapped.sla!.byKind.damaged).toEqual({ P2: 180 });
      expect(mapped.sla!.byKind.lost).toBeUndefined();
      expect(mapped.nudges).toBeUndefined();
      expect(mapped.approvals).toBeUndefined();
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringContaining('坏规则：数值须大于 0'),
        expect.stringContaining('不是时间单位'),
        expect.stringContaining('缺少单位'),
        expect.stringContaining('审批角色「仓库」'),
        expect.stringContaining('审批金额档不连贯'),
      ]);
    });
  });

  describe('异常类型配置', () => {
    const kinds = ['lost', 'damaged', 'refund_dispute'];
    it('reads each kind’s team, priority, awaited number, nudge interval, platform deadline and SLA', async () => {
      const problems: Problem[] = [];
      const team = row({ code: 'Refund Dispute', name: '售后纠纷组' });
      const rules = await kindRulesFromTable(
        inputOf(
          'exception_kinds',
          [
            kindRow({
              kind_name: '丢件',
              code: 'lost',
              default_priority: 'P1 紧急',
              awaited_field: '退货单号',
              nudge_interval_minutes: 15,
              platform_deadline_hours: 24,
              sla_hours: 3,
            }),
            kindRow({
              kind_name: '退款纠纷/拒付',
              code: 'refund_dispute',
              team: [team.recordId],
              awaited_field: '无',
              enabled: false,
            }),
          ],
          problems,
          { [team.recordId]: team },
        ),
        kinds,
      );
      expect(problems).toEqual([]);
      expect(rules).toEqual({
        lost: {
          enabled: true,
          priority: 'P1',
          awaited: 'return_tracking_number',
          nudgeIntervalMinutes: 15,
          platformDeadlineHours: 24,
          slaMinutes: 180,
        },
        refund_dispute: { enabled: false, team: 'refund_dispute', awaited: 'none' },
      });
    });

    it('skips an unknown code and a bad number with a reason, keeping the rest of the row', async () => {
      const problems: Problem[] = [];
      const rules = await kindRulesFromTable(
        inputOf(
          'exception_kinds',
          [
            kindRow({ kind_name: '新类型', code: 'teleported' }),
            kindRow({ kind_name: '破损', code: 'damaged', nudge_interval_minutes: 0, sla_hours: 2 }),
          ],
          problems,
        ),
        kinds,
      );
      expect(rules).toEqual({ damaged: { enabled: true, slaMinutes: 120 } });
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringContaining('类型编码「teleported」'),
        expect.stringContaining('催办间隔须大于 0'),
      ]);
    });

    it('has nothing to say when the table is empty', async () => {
      expect(await kindRulesFromTable(inputOf('exception_kinds', [], []), kinds)).toBeUndefined();
    });
  });
});
