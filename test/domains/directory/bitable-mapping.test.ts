import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates, type TemplateSet } from '../../../src/bitable/load-templates.js';
import { TEMPLATES_DIR } from '../../../src/mirror/mirror-context.js';
import { mapCalendar } from '../../../src/domains/directory/sync/calendar.js';
import { mapPeople, mapTeams, teamKeyOf } from '../../../src/domains/directory/sync/people.js';
import {
  CalendarRow,
  OptionKeys,
  parseRows,
  PeopleRow,
  TeamRow,
  type SyncProblem,
} from '../../../src/domains/directory/sync/rows.js';
import type { MirrorRow } from '../../../src/mirror/index.js';

// The mirror's decoded cells (selects as option names, users as [{ id, name }], links as record ids).
let seq = 0;
const row = (values: Record<string, unknown>, modifiedAt = new Date(Date.UTC(2026, 0, 1, 0, seq))): MirrorRow => ({
  recordId: `rec${++seq}`,
  values: values as MirrorRow['values'],
  modifiedAt,
  syncedAt: modifiedAt,
  source: 'event',
});
const person = (v: Record<string, unknown>) =>
  row({ name: null, user: [], roles: [], team: [], channels: [], lead: [], on_duty: true, email: null, ...v });
const team = (v: Record<string, unknown>) =>
  row({ name: null, code: null, chat_id: null, lead: [], manager: [], members: [], active: true, ...v });

describe('mapping the shared Bitable tables to the directory', () => {
  let templates: TemplateSet;
  const keys = (table: string) => new OptionKeys(templates.table(table));
  beforeAll(async () => {
    templates = await loadTemplates(TEMPLATES_DIR);
  });

  describe('人员与角色 and 团队', () => {
    it('turns a person row into a directory person with role words, team codes and duty', () => {
      const problems: SyncProblem[] = [];
      const teamRow = team({
        name: '仓储',
        code: 'WAREHOUSE',
        chat_id: 'oc_wh',
        lead: [{ id: 'ou_lead', name: '冯强' }],
        manager: [{ id: 'ou_mgr' }],
      });
      const teams = mapTeams(parseRows('teams', TeamRow, [teamRow], problems), problems);
      const people = mapPeople(
        parseRows(
          'people',
          PeopleRow,
          [
            person({
              name: '新仓管',
              user: [{ id: 'ou_new', name: '新仓管', en_name: 'New' }],
              roles: ['仓库', '组长'],
              team: [teamRow.recordId],
              channels: ['天猫', '京东'],
              email: 'new@x.cn',
            }),
          ],
          problems,
        ),
        teams,
        keys('people'),
        problems,
      );
      expect(problems).toEqual([]);
      expect([...teams.values()][0]).toMatchObject({
        key: 'warehouse',
        name: '仓储',
        chatId: 'oc_wh',
        leadOpenId: 'ou_lead',
        managerOpenId: 'ou_mgr',
        active: true,
        source: 'bitable',
      });
      expect(people).toEqual([
        {
          openId: 'ou_new',
          name: '新仓管',
          enName: 'New',
          email: 'new@x.cn',
          teams: ['warehouse'],
          roles: ['lead', 'warehouse'],
          channel: 'tmall,jd',
          managerOpenId: 'ou_lead',
          active: true,
          source: 'bitable',
        },
      ]);
    });

    it('maps every role option to the word the workflows ask for', () => {
      const all = [
        '客服',
        '质检员',
        '组长',
        '主管',
        '仓库',
        '退款维权',
        '财务',
        '法务',
        '采购',
        '社群运营',
        '总经理',
        '管理员',
      ];
      const [p] = mapPeople(
        parseRows('people', PeopleRow, [person({ user: [{ id: 'ou_x' }], roles: all })], []),
        new Map(),
        keys('people'),
        [],
      );
      expect(p!.roles).toEqual([
        'admin',
        'agent',
        'community_operator',
        'finance',
        'finance_director',
        'lead',
        'legal',
        'manager',
        'procurement',
        'qa_inspector',
        'refund_dispute',
        'warehouse',
      ]);
    });

    it('skips a row without a Feishu account and ignores an unknown role, saying so', () => {
      const problems: SyncProblem[] = [];
      const people = mapPeople(
        parseRows(
          'people',
          PeopleRow,
          [person({ name: '无账号' }), person({ user: [{ id: 'ou_y' }], roles: ['客服', '实习生'], on_duty: false })],
          problems,
        ),
        new Map(),
        keys('people'),
        problems,
      );
      expect(people).toMatchObject([{ openId: 'ou_y', roles: ['agent'], active: false }]);
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringContaining('缺少飞书账号'),
        expect.stringContaining('未知角色「实习生」'),
      ]);
    });

    it('skips a team without a code, normalises codes and keeps an unticked team inactive', () => {
      const problems: SyncProblem[] = [];
      const teams = mapTeams(
        parseRows(
          'teams',
          TeamRow,
          [
            team({ name: '无编码' }),
            team({ name: '纠纷', code: 'Refund Dispute', active: false }),
            team({ code: '仓-1' }),
          ],
          problems,
        ),
        problems,
      );
      expect([...teams.values()].map((t) => [t.key, t.active])).toEqual([['refund_dispute', false]]);
      expect(problems).toHaveLength(2);
      expect(teamKeyOf('WAREHOUSE')).toBe('warehouse');
    });
  });

  describe('工作日历', () => {
    it('adds the table days to the built-in list, the table winning on the same day', () => {
      const problems: SyncProblem[] = [];
      const shanghaiMidnight = (iso: string) => new Date(`${iso}T00:00:00+08:00`);
      const dates = mapCalendar(
        parseRows(
          'business_calendar',
          CalendarRow,
          [
            row({ date: shanghaiMidnight('2026-03-10'), day_type: '节假日', holiday_name: '公司年会' }),
            row({ date: shanghaiMidnight('2026-01-01'), day_type: '工作日', holiday_name: null }),
            row({ date: shanghaiMidnight('2026-03-14'), day_type: '调休上班', holiday_name: '年会调休' }),
            row({ date: null, day_type: '节假日', holiday_name: null }),
          ],
          problems,
        ),
        keys('business_calendar'),
        'Asia/Shanghai',
        problems,
      )!;
      expect(dates.find((d) => d.date === '2026-03-10')).toEqual({
        date: '2026-03-10',
        type: 'holiday',
        name: '公司年会',
      });
      expect(dates.find((d) => d.date === '2026-03-14')).toEqual({
        date: '2026-03-14',
        type: 'workday',
        name: '年会调休',
      });
      expect(dates.find((d) => d.date === '2026-01-01')?.type).toBe('workday');
      expect(dates.find((d) => d.date === '2026-10-01')?.type).toBe('holiday'); // 国庆节 from the built-in list
      expect(problems).toHaveLength(1);
    });

    it('leaves the built-in calendar alone when the table is empty', () => {
      expect(mapCalendar([], keys('business_calendar'), 'Asia/Shanghai', [])).toBeUndefined();
    });
  });
});
