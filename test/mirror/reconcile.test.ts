import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { mirrorOnSandbox, type MirrorSetup } from './helpers.js';
import type { MirrorChange } from '../../src/mirror/index.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1, -8); // 2026-01-01 00:00 in Shanghai
const day = (i: number) => ({
  values: { date: new Date(START + i * DAY), day_type: i % 7 >= 5 ? '节假日' : '工作日', note: `第 ${i} 天` },
});

async function provisioned(options: { bitableWriteMs?: number } = {}) {
  const s = await mirrorOnSandbox(options);
  const report = await s.mirror.provision();
  const table = report.tables.find((t) => t.key === 'business_calendar')!;
  const records = () => s.t.sandbox.state.records(report.appToken, table.tableId);
  return { s, appToken: report.appToken, tableId: table.tableId, records };
}

async function mirrored(s: MirrorSetup) {
  const { rows } = await s.database.query<{
    record_id: string;
    note: string | null;
    day_type: string | null;
    _source: string;
  }>('select record_id, note, day_type, _source from bitable_business_calendar order by record_id');
  return rows;
}

describe('bot writes and reconcile', () => {
  let s: MirrorSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('writes 2,500 records to Bitable in calls of 1,000 and then to the mirror, typed', async () => {
    const p = await provisioned();
    s = p.s;
    const written = await s.mirror.writeRecords(
      'business_calendar',
      Array.from({ length: 2500 }, (_, i) => day(i)),
      { key: 'seed-calendar' },
    );

    expect(written).toHaveLength(2500);
    expect(written.every((w) => w.created)).toBe(true);
    expect(p.records()).toHaveLength(2500);
    expect(s.t.sandbox.state.clientTokens()).toHaveLength(3);
    const rows = await mirrored(s);
    expect(rows).toHaveLength(2500);
    expect(rows.every((r) => r._source === 'bot')).toBe(true);
    const one = await s.mirror.read('business_calendar', written[9]!.recordId);
    expect(one?.values).toMatchObject({
      date: new Date(START + 9 * DAY),
      day_type: '工作日',
      note: '第 9 天',
      holiday_name: null,
    });

    // The same job again (same key): Feishu dedupes by client_token, nothing is created twice.
    await s.mirror.writeRecords(
      'business_calendar',
      Array.from({ length: 2500 }, (_, i) => day(i)),
      { key: 'seed-calendar' },
    );
    expect(p.records()).toHaveLength(2500);
    expect(await mirrored(s)).toHaveLength(2500);

    // A first reconcile of an emptied mirror reads all 5 pages and changes nothing in Bitable.
    await s.database.exec('delete from bitable_business_calendar');
    const report = await s.mirror.reconcile({ tables: ['business_calendar'] });
    expect(report.totals).toMatchObject({ scanned: 2500, inserted: 2500, updated: 0, deleted: 0 });
    expect(await mirrored(s)).toHaveLength(2500);
  });

  it('retries a write conflict (1254291), a lost answer and a 429 mid-batch without duplicates', async () => {
    const p = await provisioned({ bitableWriteMs: 200 });
    s = p.s;
    const [first] = await s.mirror.writeRecords('business_calendar', [day(0)], { key: 'first' });
    const prefix = `/open-apis/bitable/v1/apps/${p.appToken}/tables/${p.tableId}/records/batch_create`;
    s.t.sandbox.faults.failNext(1, { status: 500, pathPrefix: prefix, afterProcessing: true });
    s.t.sandbox.faults.rateLimitNext(1, { pathPrefix: prefix, resetSeconds: 1 });
    // A person editing the table holds its write slot: the bot's first call meets 1254291.
    const editing = s.t.sandbox.actions.editRecord(demoOpenId('lina'), p.appToken, p.tableId, first!.recordId, {
      备注: '人工修改',
    });

    const written = await s.mirror.writeRecords(
      'business_calendar',
      Array.from({ length: 1500 }, (_, i) => day(i + 1)),
      { key: 'batch' },
    );
    await editing;

    const retried = p.s.logs
      .entries()
      .filter((e) => e.msg === 'feishu call failed, backing off')
      .map((e) => e.code);
    expect(retried).toEqual(expect.arrayContaining([1254291, 99991400, 500]));
    expect(new Set(written.map((w) => w.recordId)).size).toBe(1500);
    expect(p.records()).toHaveLength(1501);
    expect(await mirrored(s)).toHaveLength(1501);
  });

  it('repairs drift made while the bot was down: additions, edits and deletions, audited', async () => {
    const p = await provisioned();
    s = p.s;
    const written = await s.mirror.writeRecords(
      'business_calendar',
      Array.from({ length: 30 }, (_, i) => day(i)),
      { key: 'seed' },
    );
    const lina = demoOpenId('lina');
    // Nobody listens: the Base is subscribed but the bot has no endpoint.
    const added = await s.t.sandbox.actions.addRecord(lina, p.appToken, p.tableId, {
      日期: START + 40 * DAY,
      类型: '调休上班',
      备注: '补班',
    });
    await s.t.sandbox.actions.editRecord(lina, p.appToken, p.tableId, written[3]!.recordId, {
      类型: '节假日',
      名称: '元旦',
    });
    await s.t.sandbox.actions.deleteRecord(lina, p.appToken, p.tableId, written[5]!.recordId);
    const heard: MirrorChange[] = [];
    s.mirror.onChange('business_calendar', async (c) => void heard.push(c));

    const report = await s.mirror.reconcile();

    expect(report.totals).toMatchObject({ inserted: 1, updated: 1, deleted: 1, keptNewer: 0, unreadable: 0 });
    expect(report.tables.find((t) => t.tableKey === 'business_calendar')?.sample.sort()).toEqual(
      [added.record_id, written[3]!.recordId, written[5]!.recordId].sort(),
    );
    expect(await s.mirror.read('business_calendar', added.record_id)).toMatchObject({
      values: { day_type: '调休上班', note: '补班' },
      source: 'reconcile',
    });
    expect((await s.mirror.read('business_calendar', written[3]!.recordId))?.values).toMatchObject({
      day_type: '节假日',
      holiday_name: '元旦',
      note: '第 3 天',
    });
    expect(await s.mirror.read('business_calendar', written[5]!.recordId)).toBeUndefined();
    const audit = await s.database.query<{
      record_id: string;
      action: string;
      before: unknown;
      after: unknown;
      operator_open_id: string | null;
    }>(
      `select record_id, action, before, after, operator_open_id from mirror_audit where source = 'reconcile' order by
        id`,
    );
    expect(audit.rows).toEqual([
      {
        record_id: written[3]!.recordId,
        action: 'update',
        before: { day_type: '工作日', holiday_name: null },
        after: { day_type: '节假日', holiday_name: '元旦' },
        operator_open_id: lina,
      },
      expect.objectContaining({ record_id: written[5]!.recordId, action: 'delete', after: null }),
    ]);
    expect(heard.map((c) => [c.action, c.recordId, c.source])).toEqual(
      expect.arrayContaining([
        ['added', added.record_id, 'reconcile'],
        ['edited', written[3]!.recordId, 'reconcile'],
        ['deleted', written[5]!.recordId, 'reconcile'],
      ]),
    );
    expect(heard.find((c) => c.action === 'edited')).toMatchObject({
      changedKeys: ['day_type', 'holiday_name'],
      operatorOpenId: lina,
    });

    // Once repaired, a second run finds nothing to do.
    expect((await s.mirror.reconcile()).totals).toMatchObject({ inserted: 0, updated: 0, deleted: 0, refreshed: 0 });
  });

  it('keeps a mirrored row that is newer than Bitable by Bitable’s clock (last write wins)', async () => {
    const p = await provisioned();
    s = p.s;
    const [w] = await s.mirror.writeRecords('business_calendar', [day(1)], { key: 'one' });
    await s.database.query(
      `update bitable_business_calendar set note = '更新的值', _modified_at = now() + interval '1 hour' where record_id =
        $1`,
      [w!.recordId],
    );

    const report = await s.mirror.reconcile({ tables: ['business_calendar'] });

    expect(report.totals).toMatchObject({ updated: 0, keptNewer: 1 });
    expect((await s.mirror.read('business_calendar', w!.recordId))?.values.note).toBe('更新的值');
  });
});
