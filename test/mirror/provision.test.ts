import { afterEach, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/bitable/load-templates.js';
import { TEMPLATES_DIR } from '../../src/mirror/mirror-context.js';
import { baseShape, mirrorOnSandbox, templatesCopy, type MirrorSetup } from './helpers.js';

describe('feishu-ops provision', () => {
  let s: MirrorSetup | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('creates the Base with every template table, field and view, stores the ids and subscribes', async () => {
    s = await mirrorOnSandbox();
    const templates = await loadTemplates(TEMPLATES_DIR);
    const progress: number[] = [];
    const report = await s.mirror.provision({ onProgress: (p) => progress.push(p.done / p.total) });

    expect(report.baseCreated).toBe(true);
    expect(report.url).toContain(report.appToken);
    expect(report.created.tables).toHaveLength(templates.tables.length);
    expect(progress.at(-1)).toBe(1);
    const app = s.t.sandbox.state.apps().find((a) => a.app_token === report.appToken)!;
    // Feishu's default table is gone once ours exist.
    expect(app.tables.map((t) => t.name).sort()).toEqual(templates.tables.map((t) => t.name).sort());
    for (const template of templates.tables) {
      const table = app.tables.find((t) => t.name === template.name)!;
      const provisionable = template.fields.filter((f) => f.type !== 19);
      expect(table.fields.map((f) => f.field_name)).toEqual(expect.arrayContaining(provisionable.map((f) => f.name)));
      expect(table.views.map((v) => v.view_name)).toEqual(expect.arrayContaining(template.views.map((v) => v.name)));
      expect(table.fields[0]!.field_name).toBe(template.fields[0]!.name);
    }
    expect(s.t.sandbox.state.subscriptions()).toEqual([report.appToken]);

    const stored = await s.database.query<{ n: number | string }>('select count(*) as n from mirror_fields');
    expect(Number(stored.rows[0]!.n)).toBe(
      templates.tables.reduce((n, t) => n + t.fields.filter((f) => f.type !== 19).length, 0),
    );
    const exceptions = report.tables.find((t) => t.key === 'exceptions')!;
    const { rows } = await s.database.query<{ table_id: string; app_token: string }>(
      `select table_id, app_token from mirror_tables where table_key = 'exceptions'`,
    );
    expect(rows[0]).toEqual({ table_id: exceptions.tableId, app_token: report.appToken });
    expect(Object.keys(exceptions.views)).toEqual(templates.table('exceptions').views.map((v) => v.key));
  });

  it('changes nothing when run again', async () => {
    s = await mirrorOnSandbox();
    const first = await s.mirror.provision();
    const before = baseShape(s.t, first.appToken);
    const tokens = s.t.sandbox.state.apps().length;

    const again = await (await s.remount()).provision();

    expect(again.baseCreated).toBe(false);
    expect(again.created).toEqual({ tables: [], fields: [], views: [] });
    expect(again.conflicts).toEqual([]);
    expect(baseShape(s.t, first.appToken)).toEqual(before);
    expect(s.t.sandbox.state.apps()).toHaveLength(tokens);
    expect(again.tables).toEqual(first.tables);
  });

  it('adds a field added to a template and leaves what staff made or renamed alone', async () => {
    const copy = await templatesCopy();
    cleanups.push(copy.remove);
    s = await mirrorOnSandbox({ templatesDir: copy.dir });
    const first = await s.mirror.provision();
    const teams = first.tables.find((t) => t.key === 'teams')!;
    const base = `/open-apis/bitable/v1/apps/${first.appToken}/tables/${teams.tableId}`;
    // Staff: rename a template field, add their own column, add their own table.
    expect(
      (
        await s.t.call('PUT', `${base}/fields/${teams.fields.chat_id}`, {
          body: { field_name: '群ID（勿改）', type: 1 },
        })
      ).body.code,
    ).toBe(0);
    expect((await s.t.call('POST', `${base}/fields`, { body: { field_name: '我的备注', type: 1 } })).body.code).toBe(0);
    expect(
      (
        await s.t.call('POST', `/open-apis/bitable/v1/apps/${first.appToken}/tables`, {
          body: { table: { name: '我的表' } },
        })
      ).body.code,
    ).toBe(0);

    await copy.edit('teams', (t) =>
      t.fields.push({ key: 'region', name: '大区', type: 1, description: 'Sales region the team belongs to' }),
    );
    const second = await (await s.remount(copy.dir)).provision();

    expect(second.created).toEqual({ tables: [], fields: ['teams.region'], views: [] });
    const table = s.t.sandbox.state.apps()[0]!.tables.find((t) => t.table_id === teams.tableId)!;
    expect(table.fields.map((f) => f.field_name)).toEqual(expect.arrayContaining(['群ID（勿改）', '我的备注', '大区']));
    expect(table.fields.map((f) => f.field_name)).not.toContain('群聊ID');
    expect(s.t.sandbox.state.apps()[0]!.tables.map((t) => t.name)).toContain('我的表');
    // The renamed field keeps its id and its new name is what the mirror reads by.
    const { rows } = await s.database.query<{ field_id: string; field_name: string }>(
      `select field_id, field_name from mirror_fields where table_key = 'teams' and field_key = 'chat_id'`,
    );
    expect(rows[0]).toEqual({ field_id: teams.fields.chat_id, field_name: '群ID（勿改）' });
    const columns = await s.database.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'bitable_teams'`,
    );
    expect(columns.rows.map((c) => c.column_name)).toContain('region');
  });

  it('refuses to go past 100 tables in a Base before creating any', async () => {
    s = await mirrorOnSandbox();
    const app = await s.t.call('POST', '/open-apis/bitable/v1/apps', { body: { name: '已有的多维表格' } });
    const appToken = (app.body.data!.app as { app_token: string }).app_token;
    for (let i = 0; i < 89; i++)
      await s.t.call('POST', `/open-apis/bitable/v1/apps/${appToken}/tables`, { body: { table: { name: `表${i}` } } });
    const before = baseShape(s.t, appToken);

    await expect(s.mirror.provision({ appToken })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('100'),
    });
    expect(baseShape(s.t, appToken)).toEqual(before);
  });
});
