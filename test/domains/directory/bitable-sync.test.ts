import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadTemplates, type TemplateSet } from '../../../src/bitable/load-templates.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Database } from '../../../src/db/client.js';
import { createDirectorySync, type DirectorySync } from '../../../src/domains/directory/bitable-sync.js';
import { createDirectory, type Directory } from '../../../src/domains/directory/service.js';
import { SettingsStore } from '../../../src/core/settings.js';
import { declareDomainSettings } from '../../../src/domains/index.js';
import { CALENDAR_SETTING } from '../../../src/domains/shared/business-calendar-config.js';
import { ensureMirrorTables, mirrorTableName } from '../../../src/mirror/mirror-ddl.js';
import { TEMPLATES_DIR } from '../../../src/mirror/mirror-context.js';
import { deleteRows, upsertRows } from '../../../src/mirror/mirror-rows.js';
import { createTestDatabase } from '../../helpers/db.js';
import { LogCapture } from '../../helpers/app.js';

// The sync against real mirror tables in Postgres: what it writes, what it leaves alone.
describe('directory sync from the mirrored Bitable tables', () => {
  let database: Database;
  let templates: TemplateSet;
  let directory: Directory;
  let sync: DirectorySync;
  let settings: SettingsStore;
  // The keys the exception workflow declares from 规则配置; the directory knows them only from the declarations.
  const KEYS = {
    sla: 'exceptions.sla',
    nudges: 'exceptions.nudges',
    approvals: 'exceptions.approval_bands',
    calendar: CALENDAR_SETTING,
  };
  const setting = async (key: string) =>
    (await settings.snapshot()).get({ key, get: async () => undefined as unknown });
  const put = (table: string, recordId: string, values: Record<string, unknown>) =>
    upsertRows(
      database,
      templates.table(table),
      [{ recordId, values: values as never, modifiedAt: new Date(), source: 'event' }],
      { onlyIfNewer: false },
    );
  const clear = async (table: string) => database.query(`delete from ${mirrorTableName(table)}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    templates = await loadTemplates(TEMPLATES_DIR);
    await ensureMirrorTables(database, templates.tables);
    directory = createDirectory({ db: database.db });
    settings = new SettingsStore({ database, log: createLogger('debug', new LogCapture().stream) });
    declareDomainSettings(settings);
    sync = createDirectorySync({
      database,
      directory,
      settings,
      templates,
      tableName: mirrorTableName,
      log: createLogger('debug', new LogCapture().stream),
      timeZone: 'Asia/Shanghai',
      now: () => new Date('2026-03-02T02:00:00Z'),
    });
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    for (const t of ['people', 'teams', 'business_calendar', 'settings', 'exception_kinds']) await clear(t);
    await database.query('delete from directory_people');
    await database.query('delete from directory_teams');
    await database.query('delete from directory_settings');
    // As the sandbox seeds it: a team and a clerk that Bitable does not list.
    await directory.upsertTeams([
      { key: 'warehouse', name: '仓储物流部', chatId: 'oc_seeded', leadOpenId: 'ou_seed_lead' },
    ]);
    await directory.upsertPeople([{ openId: 'ou_seeded', name: '谢军', teams: ['warehouse'], roles: ['warehouse'] }]);
  });

  it('leaves the seeded directory and the built-in rules alone when the tables are empty', async () => {
    const report = await sync.sync();
    expect(report.problems).toEqual([]);
    expect((await directory.people({ team: 'warehouse' })).map((p) => p.openId)).toEqual(['ou_seeded']);
    expect((await directory.team('warehouse'))?.chatId).toBe('oc_seeded');
    expect(Object.values(report.settings).every((o) => o === 'kept')).toBe(true);
    expect((await database.query('select * from directory_settings')).rows).toEqual([]);
  });

  it('adds people and teams from Bitable next to the seeded ones', async () => {
    await put('teams', 'recT', {
      name: '仓储',
      code: 'WAREHOUSE',
      chat_id: 'oc_wh',
      lead: [{ id: 'ou_lead' }],
      active: true,
    });
    await put('people', 'recP', {
      name: '新仓管',
      user: [{ id: 'ou_new', name: '新仓管' }],
      roles: ['仓库'],
      team: ['recT'],
      on_duty: true,
    });
    await sync.sync();
    expect((await directory.people({ team: 'warehouse', role: 'warehouse' })).map((p) => p.openId)).toEqual([
      'ou_new',
      'ou_seeded',
    ]);
    expect(await directory.team('warehouse')).toMatchObject({
      name: '仓储',
      chatId: 'oc_wh',
      leadOpenId: 'ou_lead',
      active: true,
      source: 'bitable',
    });
  });

  it('takes work away from a synced person whose row is gone, never from a seeded one', async () => {
    await put('people', 'recP', { name: '新仓管', user: [{ id: 'ou_new' }], roles: ['仓库'], on_duty: true });
    await put('people', 'recQ', { name: '另一位', user: [{ id: 'ou_other' }], roles: ['仓库'], on_duty: true });
    await sync.sync(['people']);
    await deleteRows(database, templates.table('people'), ['recP']);
    const report = await sync.sync(['people']);
    expect(report.people).toEqual({ rows: 1, upserted: 1, deactivated: 1 });
    expect((await directory.person('ou_new'))?.active).toBe(false);
    expect((await directory.person('ou_seeded'))?.active).toBe(true);
    // Emptying the table does not empty the directory.
    await clear('people');
    await sync.sync(['people']);
    expect((await directory.person('ou_other'))?.active).toBe(true);
  });

  it('gives an inactive team no new work', async () => {
    await put('teams', 'recT', { name: '仓储', code: 'warehouse', active: false });
    await sync.sync(['teams']);
    expect(await directory.nextInRotation('warehouse', 'warehouse')).toBeNull();
  });

  it('writes the rules once, re-syncs quietly, and returns to the defaults when the rows go', async () => {
    await put('settings', 'recS', {
      rule_type: 'SLA时限',
      exception_kind: '丢件',
      priority: 'P2 高',
      value: 3,
      unit: '小时',
      enabled: true,
    });
    await put('settings', 'recN', { rule_type: '提醒间隔', value: 2, unit: '小时', enabled: true });
    expect((await sync.sync(['settings'])).settings).toMatchObject({
      [KEYS.sla]: 'saved',
      [KEYS.nudges]: 'saved',
      [KEYS.approvals]: 'kept',
    });
    expect(((await setting(KEYS.sla)) as { byKind: Record<string, unknown> }).byKind.lost).toEqual({ P2: 180 });
    expect(await setting(KEYS.nudges)).toEqual({ intervalMinutes: 120 });
    expect((await sync.sync(['settings'])).settings[KEYS.sla]).toBe('unchanged');
    await clear('settings');
    expect((await sync.sync(['settings'])).settings[KEYS.sla]).toBe('reverted');
    expect(await setting(KEYS.nudges)).toEqual({ intervalMinutes: 60 });
  });

  it('keeps a rule set some other way when the table has none', async () => {
    await settings.save(KEYS.nudges, { intervalMinutes: 45 }, 'ou_admin');
    await sync.sync(['settings']);
    expect(await setting(KEYS.nudges)).toEqual({ intervalMinutes: 45 });
  });

  it('reports a bad row and still applies the good ones', async () => {
    await put('people', 'recBad', { name: '无账号', roles: ['仓库'], on_duty: true });
    await put('people', 'recGood', { name: '好', user: [{ id: 'ou_good' }], roles: ['客服'], on_duty: true });
    await put('business_calendar', 'recC', {
      date: new Date('2026-03-09T16:00:00Z'),
      day_type: '节假日',
      holiday_name: '公司日',
    });
    const report = await sync.sync();
    expect(report.problems).toEqual([expect.objectContaining({ table: 'people', recordId: 'recBad' })]);
    expect((await directory.person('ou_good'))?.roles).toEqual(['agent']);
    const calendar = (
      await database.query<{ value: { dates: Array<{ date: string; type: string }> } }>(
        `select value from directory_settings where key = $1`,
        [KEYS.calendar],
      )
    ).rows[0]!;
    expect(calendar.value.dates).toContainEqual({ date: '2026-03-10', type: 'holiday', name: '公司日' });
  });

  it('hands a module’s own config table (异常类型配置) to the setting it declared from it', async () => {
    await put('teams', 'recT', { name: '仓储', code: 'WAREHOUSE', active: true });
    await put('exception_kinds', 'recK', {
      kind_name: '丢件',
      code: 'lost',
      team: ['recT'],
      nudge_interval_minutes: 20,
      enabled: true,
    });
    const report = await sync.sync();
    expect(report.settings['exceptions.kind_rules']).toBe('saved');
    expect(await setting('exceptions.kind_rules')).toEqual({
      lost: { enabled: true, team: 'warehouse', nudgeIntervalMinutes: 20 },
    });
  });
});
