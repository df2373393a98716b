import nock from 'nock';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadTemplates, type TemplateSet } from '../../../src/bitable/load-templates.js';
import { createLogger } from '../../../src/core/logger.js';
import { SettingsStore } from '../../../src/core/settings.js';
import type { Database } from '../../../src/db/client.js';
import { createDirectorySync, type DirectorySync } from '../../../src/domains/directory/bitable-sync.js';
import { createDirectory, type Directory } from '../../../src/domains/directory/service.js';
import { declareDomainSettings } from '../../../src/domains/index.js';
import { createFeishu } from '../../../src/feishu/index.js';
import { ensureMirrorTables, mirrorTableName } from '../../../src/mirror/mirror-ddl.js';
import { TEMPLATES_DIR } from '../../../src/mirror/mirror-context.js';
import { upsertRows } from '../../../src/mirror/mirror-rows.js';
import { blockNetwork, FEISHU_URL, LogCapture, nockToken, secrets } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/db.js';

// A 规则配置 row the workflows cannot use: skipped with its last valid version in force, and its
// editor (or, unknown, the admins) told once per problem by DM.
describe('a bad row of 规则配置', () => {
  let database: Database;
  let templates: TemplateSet;
  let directory: Directory;
  let settings: SettingsStore;
  let sync: DirectorySync;
  const dms: Array<{ to: string; text: string }> = [];
  const marks: Array<{ recordId: string; text: string | null }> = [];
  const SLA = 'exceptions.sla';
  const lostSla = async () =>
    (
      (await settings.snapshot()).get({ key: SLA, get: async () => undefined as unknown }) as {
        byKind: Record<string, unknown>;
      }
    ).byKind.lost;
  const put = (recordId: string, values: Record<string, unknown>) =>
    upsertRows(
      database,
      templates.table('settings'),
      [{ recordId, values: values as never, modifiedAt: new Date(), source: 'event' }],
      { onlyIfNewer: false },
    );
  const slaRow = (priority: string, value: number, editor?: string) => ({
    rule_name: 'SLA 丢件',
    rule_type: 'SLA时限',
    domain: '异常件',
    exception_kind: '丢件',
    priority,
    value,
    unit: '小时',
    enabled: true,
    ...(editor ? { updated_by: { id: editor } } : {}),
  });

  beforeAll(async () => {
    blockNetwork();
    database = await createTestDatabase();
    templates = await loadTemplates(TEMPLATES_DIR);
    await ensureMirrorTables(database, templates.tables);
    directory = createDirectory({ db: database.db });
    settings = new SettingsStore({ database, log: createLogger('debug', new LogCapture().stream) });
    declareDomainSettings(settings);
    const feishu = createFeishu({
      appId: secrets.appId,
      appSecret: secrets.appSecret,
      baseUrl: FEISHU_URL,
      log: pino({ level: 'silent' }),
    });
    sync = createDirectorySync({
      database,
      directory,
      settings,
      templates,
      tableName: mirrorTableName,
      log: createLogger('debug', new LogCapture().stream),
      timeZone: 'Asia/Shanghai',
      now: () => new Date('2026-03-02T02:00:00Z'),
      tell: async (openId, key, text) => void (await feishu.messages.send({ to: { openId }, key, text })),
      mark: async (_table, recordId, text) => void marks.push({ recordId, text }),
    });
  });
  afterAll(async () => {
    nock.cleanAll();
    await database.close();
  });
  beforeEach(async () => {
    nock.cleanAll();
    nockToken(5);
    nock(FEISHU_URL)
      .persist()
      .post('/open-apis/im/v1/messages')
      .query({ receive_id_type: 'open_id' })
      .reply(200, (_uri, body) => {
        const { receive_id, content } = body as { receive_id: string; content: string };
        dms.push({ to: receive_id, text: (JSON.parse(content) as { text: string }).text });
        return { code: 0, msg: 'success', data: { message_id: `om_${dms.length}` } };
      });
    dms.length = 0;
    marks.length = 0;
    for (const t of ['directory_settings', 'directory_setting_rows', 'directory_setting_problems', 'directory_people'])
      await database.query(`delete from ${t}`);
    await database.query(`delete from ${mirrorTableName('settings')}`);
    await directory.upsertPeople([{ openId: 'ou_admin', name: '管理员', roles: ['admin'] }]);
  });

  it('keeps the last valid rule, tells the editor once, and tells again when the row breaks again', async () => {
    await put('recS', slaRow('P2 高', 3, 'ou_editor'));
    await sync.sync(['settings']);
    expect(await lostSla()).toEqual({ P2: 180 });

    // 优先级 set to an option the column does not have, and 数值 changed in the same edit.
    await put('recS', slaRow('P9', 5, 'ou_editor'));
    const report = await sync.sync(['settings']);
    expect(report.problems).toEqual([expect.objectContaining({ table: 'settings', recordId: 'recS' })]);
    expect((await database.query('select record_id, field, value from directory_setting_problems')).rows).toEqual([
      { record_id: 'recS', field: 'priority', value: 'P9' },
    ]);
    expect(await lostSla()).toEqual({ P2: 180 });
    expect(dms).toEqual([
      {
        to: 'ou_editor',
        text: [
          '多维表格「规则配置」中的一行未生效 · A row of 规则配置 was not applied',
          '行 Row：SLA 丢件',
          '字段 Field：优先级',
          '值 Value：「P9」',
          '原因 Why：「优先级」没有选项「P9」 not an option of this column',
          '该行上次有效的设置继续生效，改正后自动采用。The row’s last valid setting stays in force; the row is taken once fixed.',
        ].join('\n'),
      },
    ]);

    // The next sync (or a restart: the problem is remembered in Postgres) does not tell again.
    await sync.sync(['settings']);
    expect(dms).toHaveLength(1);

    await put('recS', slaRow('P2 高', 4, 'ou_editor'));
    await sync.sync(['settings']);
    expect(await lostSla()).toEqual({ P2: 240 });
    expect(dms).toHaveLength(1);

    await put('recS', slaRow('P9', 5, 'ou_editor'));
    await sync.sync(['settings']);
    expect(await lostSla()).toEqual({ P2: 240 });
    expect(dms.map((d) => d.to)).toEqual(['ou_editor', 'ou_editor']);
  });

  it('skips a row a workflow refuses (a unit that is not a duration) whole, naming the field it quotes', async () => {
    await put('recS', slaRow('P2 高', 3, 'ou_editor'));
    await sync.sync(['settings']);
    await put('recS', { ...slaRow('P2 高', 3, 'ou_editor'), unit: '元' });
    await sync.sync(['settings']);
    expect(await lostSla()).toEqual({ P2: 180 });
    expect(dms).toHaveLength(1);
    expect(dms[0]!.text).toContain(
      '字段 Field：单位\n值 Value：「元」\n原因 Why：SLA 丢件：单位「元」不是时间单位 unit is not a duration',
    );
  });

  it('tells about a 人员与角色 row it cannot use too: once, to the admins, as a whole-row problem', async () => {
    const people = (recordId: string, values: Record<string, unknown>) =>
      upsertRows(
        database,
        templates.table('people'),
        [
          {
            recordId,
            values: { user: [], roles: [], team: [], channels: [], lead: [], on_duty: true, ...values } as never,
            modifiedAt: new Date(),
            source: 'event',
          },
        ],
        { onlyIfNewer: false },
      );
    try {
      await people('recAdmin', { name: '管理员', user: [{ id: 'ou_admin' }], roles: ['管理员'] });
      await people('recNoAccount', { name: '<at user_id="all">新同事</at>', roles: ['客服'] });
      await people('recIntern', { name: '小李', user: [{ id: 'ou_li' }], roles: ['客服', '实习生'] });
      const report = await sync.sync(['people']);
      expect(report.problems.map((p) => p.recordId).sort()).toEqual(['recIntern', 'recNoAccount']);
      expect(dms.map((d) => d.to)).toEqual(['ou_admin', 'ou_admin']);
      const noAccount = dms.find((d) => d.text.includes('缺少飞书账号'))!.text;
      expect(noAccount).toContain('多维表格「人员与角色」中的一行未生效');
      expect(noAccount).toContain('字段 Field：（整行 whole row）');
      expect(noAccount).not.toMatch(/<at|<\/at>/);
      expect(noAccount).toContain('改正后下次同步自动生效');
      expect(noAccount).not.toContain('上次有效的设置');
      expect(dms.find((d) => d.text.includes('未知角色「实习生」'))).toBeDefined();
      // The person with a known role is saved; the next sync tells nobody again.
      expect((await directory.person('ou_li'))?.roles).toEqual(['agent']);
      await sync.sync(['people']);
      expect(dms).toHaveLength(2);
      // Fixed: the problem is forgotten, so breaking the row again tells again.
      await people('recIntern', { name: '小李', user: [{ id: 'ou_li' }], roles: ['客服'] });
      await sync.sync(['people']);
      expect((await database.query('select record_id from directory_setting_problems')).rows).toEqual([
        { record_id: 'recNoAccount' },
      ]);
    } finally {
      await database.query(`delete from ${mirrorTableName('people')}`);
    }
  });

  it('tells the admins when nobody is known to have edited the row; a new bad row applies nothing', async () => {
    await put('recNew', slaRow('P2 高', -2));
    expect((await sync.sync(['settings'])).settings[SLA]).toBe('kept');
    expect((await database.query('select key from directory_settings')).rows).toEqual([]);
    expect(dms).toEqual([{ to: 'ou_admin', text: expect.stringContaining('字段 Field：数值') }]);
    expect(dms[0]!.text).toContain('原因 Why：不能为负数 must not be negative');
  });

  it('escapes what people typed: no mention tag and no extra line reach the DM', async () => {
    await put('recX', {
      ...slaRow('<at user_id="all">所有人</at>\n原因 Why：没问题', 3, 'ou_editor'),
      rule_name: '<at user_id="all">全体</at>',
    });
    await sync.sync(['settings']);
    expect(dms).toHaveLength(1);
    const text = dms[0]!.text;
    expect(text).not.toMatch(/<at|<\/at>/);
    expect(text).toContain('行 Row：＜at user_id="all"＞全体＜/at＞');
    expect(text.split('\n').filter((l) => l.startsWith('原因 Why'))).toHaveLength(1);
  });

  it('says why in the row’s 机器人提示 cell, writes it once, and empties it once the row is fine', async () => {
    await put('recS', slaRow('P9', 3, 'ou_editor'));
    await sync.sync(['settings']);
    const why = '「优先级」没有选项「P9」 not an option of this column';
    expect(marks).toEqual([{ recordId: 'recS', text: why }]);
    // The bot's write comes back through the mirror: nothing is written or told again.
    await put('recS', { ...slaRow('P9', 3), updated_by: { id: 'cli_bot' }, bot_status: why });
    await sync.sync(['settings']);
    expect(marks).toHaveLength(1);
    expect(dms).toHaveLength(1);
    await put('recS', { ...slaRow('P2 高', 3, 'ou_editor'), bot_status: why });
    await sync.sync(['settings']);
    expect(marks).toEqual([
      { recordId: 'recS', text: why },
      { recordId: 'recS', text: null },
    ]);
    expect(await lostSla()).toEqual({ P2: 180 });
  });
});
