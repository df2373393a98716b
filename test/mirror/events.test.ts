import { afterEach, describe, expect, it } from 'vitest';
import type { EventContext } from '../../src/core/contexts.js';
import { createBitableMirror, mirrorModule, type MirrorChange } from '../../src/mirror/index.js';
import { demoOpenId } from '../../src/sandbox/index.js';
import { buildTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/helpers.js';

const START = Date.UTC(2026, 4, 1, -8);

/** The whole bot (webhook, inbox, queue, mirror module) with the sandbox playing Feishu and delivering events. */
async function botOnSandbox() {
  const t = await startTestSandbox({ bitableWriteMs: 1 });
  const mirror = createBitableMirror();
  const c = t.sandbox.credentials;
  const app = await buildTestApp({
    env: {
      LARK_APP_ID: c.appId,
      LARK_APP_SECRET: c.appSecret,
      LARK_ENCRYPT_KEY: c.encryptKey,
      LARK_VERIFICATION_TOKEN: c.verificationToken,
      LARK_BASE_URL: t.sandbox.url,
    },
    modules: [mirrorModule(mirror, { subscribeOnStart: false, schemaWritesPerSecond: 1000 })],
    workers: true,
  });
  const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
  t.sandbox.setBotEndpoints({ eventUrl: `${address}/webhook/event`, cardUrl: `${address}/webhook/card` });
  const report = await mirror.provision();
  const table = report.tables.find((x) => x.key === 'business_calendar')!;
  const changes: MirrorChange[] = [];
  mirror.onChange('business_calendar', async (change) => void changes.push(change));
  return { t, app, mirror, changes, appToken: report.appToken, tableId: table.tableId, fieldIds: table.fields };
}

function eventContext(event: Record<string, unknown>, app: TestApp, eventId = 'ev-stale'): EventContext {
  return {
    eventId,
    eventType: 'drive.file.bitable_record_changed_v1',
    event,
    header: {},
    attempt: 1,
    log: app.log,
    now: new Date(),
    key: (s) => `${eventId}:${s}`,
  };
}

describe('people editing Bitable', () => {
  let t: TestSandbox | undefined;
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    await t?.close();
    app = undefined;
    t = undefined;
  });

  it('reach the mirror and the workflows as typed changes: added, edited, deleted', async () => {
    const bot = await botOnSandbox();
    ({ t, app } = bot);
    const lina = demoOpenId('lina');
    const { mirror, changes } = bot;
    const read = (id: string) => mirror.read('business_calendar', id);

    const added = await t.sandbox.actions.addRecord(lina, bot.appToken, bot.tableId, {
      日期: START,
      类型: '工作日',
      备注: '五一前',
    });
    const row = await waitFor(() => read(added.record_id), 'the added record in the mirror');
    expect(row).toMatchObject({
      source: 'event',
      values: { date: new Date(START), day_type: '工作日', note: '五一前', holiday_name: null },
    });
    // Read back whole: what Feishu fills in itself is there too.
    expect(row.values.updated_at).toBeInstanceOf(Date);

    await t.sandbox.actions.editRecord(lina, bot.appToken, bot.tableId, added.record_id, {
      类型: '节假日',
      名称: '劳动节',
    });
    await waitFor(async () => (await read(added.record_id))?.values.day_type === '节假日', 'the edit in the mirror');
    expect((await read(added.record_id))?.values).toMatchObject({
      day_type: '节假日',
      holiday_name: '劳动节',
      note: '五一前',
    });

    await t.sandbox.actions.deleteRecord(lina, bot.appToken, bot.tableId, added.record_id);
    await waitFor(async () => !(await read(added.record_id)), 'the deletion in the mirror');

    await waitFor(async () => changes.length >= 3, 'three changes dispatched');
    expect(changes.map((c) => c.action)).toEqual(['added', 'edited', 'deleted']);
    expect(changes[1]).toMatchObject({
      tableKey: 'business_calendar',
      recordId: added.record_id,
      source: 'event',
      operatorOpenId: lina,
      before: { day_type: '工作日', holiday_name: null },
      after: { day_type: '节假日', holiday_name: '劳动节' },
      changedKeys: expect.arrayContaining(['day_type', 'holiday_name']),
      record: expect.objectContaining({ note: '五一前', day_type: '节假日' }),
    });
    expect(changes[2]).toMatchObject({
      action: 'deleted',
      before: expect.objectContaining({ day_type: '节假日' }),
      record: undefined,
    });
    const audit = await app.database.query<{ action: string; source: string; before: unknown; after: unknown }>(
      `select action, source, before, after from mirror_audit order by id`,
    );
    expect(audit.rows).toEqual([
      {
        action: 'update',
        source: 'event',
        before: { day_type: '工作日', holiday_name: null },
        after: { day_type: '节假日', holiday_name: '劳动节' },
      },
      expect.objectContaining({ action: 'delete', source: 'event', after: null }),
    ]);
  });

  it('keeps a newer mirrored value when an older change arrives late, and audits the loser', async () => {
    const bot = await botOnSandbox();
    ({ t, app } = bot);
    const [w] = await bot.mirror.writeRecords(
      'business_calendar',
      [{ values: { date: new Date(START), day_type: '工作日', note: '机器人写的' } }],
      { key: 'w' },
    );
    const late = {
      file_type: 'bitable',
      file_token: bot.appToken,
      table_id: bot.tableId,
      revision: 3,
      operator_id: { open_id: demoOpenId('lina') },
      action_list: [
        {
          record_id: w!.recordId,
          action: 'record_edited',
          before_value: [{ field_id: bot.fieldIds.note!, field_value: JSON.stringify([{ type: 'text', text: '旧' }]) }],
          after_value: [
            { field_id: bot.fieldIds.note!, field_value: JSON.stringify([{ type: 'text', text: '过时的人工修改' }]) },
          ],
        },
      ],
      // An hour before the bot's write.
      update_time: Math.floor(Date.now() / 1000) - 3600,
    };

    await bot.mirror.handleRecordChanged(eventContext(late, app));
    await bot.mirror.handleRecordChanged(eventContext(late, app));

    expect((await bot.mirror.read('business_calendar', w!.recordId))?.values.note).toBe('机器人写的');
    expect(bot.changes).toEqual([]);
    const audit = await app.database.query<{ action: string; after: unknown }>(
      `select action, after from mirror_audit`,
    );
    expect(audit.rows[0]).toEqual({ action: 'stale', after: { note: '过时的人工修改' } });
  });

  it('ignores changes in tables the templates do not have', async () => {
    const bot = await botOnSandbox();
    ({ t, app } = bot);
    const event = {
      file_type: 'bitable',
      file_token: bot.appToken,
      table_id: 'tblSomethingStaffMade',
      action_list: [{ record_id: 'rec1', action: 'record_added', after_value: [] }],
    };
    await bot.mirror.handleRecordChanged(eventContext(event, app, 'ev-other'));
    expect(app.logs.messages()).toContain('record change in a table the mirror does not know, ignored');
  });
});
