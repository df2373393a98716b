import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/bitable/load-templates.js';
import { viewProperty } from '../../src/bitable/view-property.js';
import { createLogger } from '../../src/core/logger.js';
import { createSchemaApi } from '../../src/bitable/schema-api.js';
import { FeishuClient } from '../../src/feishu/client.js';
import { TEMPLATES_DIR } from '../../src/mirror/mirror-context.js';
import { mirrorOnSandbox, type MirrorSetup } from './helpers.js';
import { LogCapture } from '../helpers/app.js';

/** Feishu-side facts: FEISHU.md §m.1 (permissions) and §m.2 (view filters). */
// Each test provisions a whole Base (17 tables) through the real client: slow on a busy machine.
describe('provision: a Base people can open, views that filter', { timeout: 180_000 }, () => {
  let s: MirrorSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
    nock.cleanAll();
  });

  it('sets each bare view’s filter and hidden fields by field id; the sandbox grid shows matching rows', async () => {
    s = await mirrorOnSandbox();
    const report = await s.mirror.provision();
    const app = s.t.sandbox.state.apps().find((a) => a.app_token === report.appToken)!;
    const table = app.tables.find((t) => t.name === '异常件工单')!;
    const state = table.fields.find((f) => f.field_name === '状态')!;
    const waiting = table.views.find((v) => v.view_name === '待仓库回填')!;

    expect(waiting.property?.filter_info).toMatchObject({
      conjunction: 'and',
      conditions: [{ field_id: state.field_id, operator: 'is', value: JSON.stringify(['待仓库回填']) }],
    });
    expect(report.filteredViews).toContain('exceptions.waiting_warehouse');
    // Sorting, grouping and "me" cannot be set by API: the admin is told, view by view.
    const mine = report.manualViews.find((v) => v.view.endsWith('我的待办异常件'))!;
    expect(mine.settings.join(' ')).toMatch(/current user/);

    // Two rows; the view shows the one waiting for the warehouse.
    for (const value of ['待仓库回填', '处理中']) {
      const res = await s.t.call(
        'POST',
        `/open-apis/bitable/v1/apps/${report.appToken}/tables/${table.table_id}/records`,
        {
          body: { fields: { 状态: value } },
        },
      );
      expect(res.body.code).toBe(0);
    }
    const grid = async (viewId: string) => {
      const res = await fetch(
        `${s!.t.sandbox.url}/sandbox/api/bitable/${report.appToken}/${table.table_id}?view=${viewId}`,
      );
      return (await res.json()) as { records: Array<{ fields: Record<string, unknown> }>; hidden_fields: string[] };
    };
    expect((await grid(waiting.view_id)).records.map((r) => r.fields['状态'])).toEqual(['待仓库回填']);
    expect((await grid(table.views[0]!.view_id)).records).toHaveLength(2);

    const settings = app.tables.find((t) => t.name === '规则配置')!;
    const sla = settings.views.find((v) => v.view_name === 'SLA矩阵')!;
    const slaGrid = (await (
      await fetch(`${s.t.sandbox.url}/sandbox/api/bitable/${report.appToken}/${settings.table_id}?view=${sla.view_id}`)
    ).json()) as { hidden_fields: string[] };
    expect(slaGrid.hidden_fields.length).toBeGreaterThan(0);
  });

  it('leaves a view staff have filtered alone on a re-run', async () => {
    s = await mirrorOnSandbox();
    const first = await s.mirror.provision();
    const app = s.t.sandbox.state.apps().find((a) => a.app_token === first.appToken)!;
    const table = app.tables.find((t) => t.name === '异常件工单')!;
    const view = table.views.find((v) => v.view_name === '待仓库回填')!;
    const note = table.fields.find((f) => f.field_name === '店铺') ?? table.fields[1]!;
    const own = { conjunction: 'and', conditions: [{ field_id: note.field_id, operator: 'isNotEmpty', value: '[]' }] };
    const patched = await s.t.call(
      'PATCH',
      `/open-apis/bitable/v1/apps/${first.appToken}/tables/${table.table_id}/views/${view.view_id}`,
      {
        body: { property: { filter_info: own } },
      },
    );
    expect(patched.body.code).toBe(0);

    const again = await (await s.remount()).provision();

    expect(again.filteredViews).not.toContain('exceptions.waiting_warehouse');
    const after = s.t.sandbox.state
      .apps()
      .find((a) => a.app_token === first.appToken)!
      .tables.find((t) => t.table_id === table.table_id)!;
    expect(after.views.find((v) => v.view_id === view.view_id)!.property?.filter_info?.conditions[0]).toMatchObject({
      field_id: note.field_id,
      operator: 'isNotEmpty',
    });
  });

  it('shares the Base with people and chats, refuses a department before any write, can hand it over', async () => {
    s = await mirrorOnSandbox();
    const [alice, bob] = s.t.sandbox.state.users();
    const chat = s.t.sandbox.state.chats()[0]!;

    await expect(s.mirror.provision({ shareWith: ['od_sales'] })).rejects.toThrow(/open_id|chat/);
    expect(s.t.sandbox.state.apps()).toHaveLength(0);

    const report = await s.mirror.provision({
      shareWith: [alice!.open_id, chat.chat_id],
      sharePerm: 'edit',
      transferOwnerTo: bob!.open_id,
    });
    const app = s.t.sandbox.state.apps().find((a) => a.app_token === report.appToken)!;
    expect(app.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ member_type: 'openid', member_id: alice!.open_id, perm: 'edit' }),
        expect.objectContaining({ member_type: 'openchat', member_id: chat.chat_id, perm: 'edit' }),
      ]),
    );
    expect(app.owner).toBe(bob!.open_id);
    expect(report.shared).toEqual([
      { id: alice!.open_id, result: 'added' },
      { id: chat.chat_id, result: 'added' },
    ]);

    // Run again: already shared is fine, nothing breaks.
    const again = await (await s.remount()).provision({ shareWith: [alice!.open_id] });
    expect(again.shared).toEqual([{ id: alice!.open_id, result: 'added' }]);
  });

  it('uses the Base pinned in configuration on a fresh database instead of creating a second one', async () => {
    s = await mirrorOnSandbox();
    const first = await s.mirror.provision();
    await s.database.query('delete from mirror_views');
    await s.database.query('delete from mirror_fields');
    await s.database.query('delete from mirror_tables');
    await s.database.query('delete from mirror_base');

    const again = await (await s.remount()).provision({ pinnedAppToken: first.appToken });

    expect(again.baseCreated).toBe(false);
    expect(again.appToken).toBe(first.appToken);
    expect(s.t.sandbox.state.apps()).toHaveLength(1);
    await expect(
      (await s.remount()).provision({ pinnedAppToken: first.appToken, appToken: 'bascnOther1' }),
    ).rejects.toThrow(/pinned/);
  });
});

describe('schema calls that cannot repeat themselves', () => {
  const base = 'https://open.feishu.test';
  const client = () =>
    new FeishuClient({
      appId: 'cli_a1b2c3d4e5f60718',
      appSecret: 'secret',
      baseUrl: base,
      log: createLogger('debug', new LogCapture().stream),
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
      sleep: async () => undefined,
    });
  const token = () =>
    nock(base)
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .reply(200, { code: 0, tenant_access_token: 't-1', expire: 7200 });
  afterEach(() => nock.cleanAll());

  it('finds a table whose create answer was lost instead of creating it twice (no client_token there)', async () => {
    token();
    const created = nock(base).post('/open-apis/bitable/v1/apps/app1/tables').reply(500, 'upstream lost');
    nock(base)
      .get('/open-apis/bitable/v1/apps/app1/tables')
      .query(true)
      .reply(200, { code: 0, data: { items: [{ table_id: 'tblMade', name: '团队' }], has_more: false } });
    const second = nock(base)
      .post('/open-apis/bitable/v1/apps/app1/tables')
      .reply(200, { code: 0, data: { table_id: 'tblTwice' } });

    const made = await createSchemaApi(client(), { schemaWritesPerSecond: 1000 }).createTable('app1', {
      name: '团队',
      default_view_name: '全部',
      fields: [],
    });

    expect(made.table_id).toBe('tblMade');
    expect(created.isDone()).toBe(true);
    expect(second.isDone()).toBe(false);
  });

  it('sends a client_token with field create and no user_id_type with batch_delete', async () => {
    token();
    let fieldQuery: Record<string, unknown> = {};
    nock(base)
      .post('/open-apis/bitable/v1/apps/app1/tables/tbl1/fields')
      .query((q) => {
        fieldQuery = q;
        return true;
      })
      .reply(200, { code: 0, data: { field: { field_id: 'fld1', field_name: '备注', type: 1 } } });
    await createSchemaApi(client(), { schemaWritesPerSecond: 1000 }).createField('app1', 'tbl1', {
      field_name: '备注',
      type: 1,
    } as never);
    expect(fieldQuery.client_token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const { createBitable } = await import('../../src/feishu/bitable.js');
    token();
    let deleteQuery: Record<string, unknown> | undefined;
    nock(base)
      .post('/open-apis/bitable/v1/apps/app1/tables/tbl1/records/batch_delete')
      .query((q) => {
        deleteQuery = q;
        return true;
      })
      .reply(200, { code: 0, data: { records: [{ record_id: 'rec1', deleted: true }] } });
    await createBitable(client()).batchDelete({ appToken: 'app1', tableId: 'tbl1' }, ['rec1']);
    expect(deleteQuery).toEqual({});
  });
});

describe('template views in Feishu’s view-filter form', () => {
  it('turns ≥ today into > yesterday, leaves rolling and "me" filters to the admin, no partial "or"', async () => {
    const templates = await loadTemplates(TEMPLATES_DIR);
    const ids = (key: string) => `fld_${key}`;
    const calendar = templates.table('business_calendar');
    const upcoming = viewProperty(
      calendar,
      calendar.views.find((v) => v.key === 'upcoming')!,
      ids,
    );
    expect(upcoming.property.filter_info?.conditions).toEqual([
      { field_id: 'fld_date', operator: 'isGreater', value: '["Yesterday"]' },
    ]);

    const contracts = templates.table('contracts');
    const expiring = viewProperty(
      contracts,
      contracts.views.find((v) => v.key === 'expiring_30d')!,
      ids,
    );
    expect(expiring.manual.join(' ')).toMatch(/@today\+30d/);

    const claims = templates.table('recovery_claims');
    const mine = viewProperty(
      claims,
      claims.views.find((v) => v.key === 'mine')!,
      ids,
    );
    expect(mine.property.filter_info?.conditions.every((c) => c.field_id !== 'fld_owner')).toBe(true);

    const risky = viewProperty(
      contracts,
      contracts.views.find((v) => v.key === 'high_risk')!,
      ids,
    );
    expect(risky.property.filter_info?.conjunction).toBe('or');
    const people = templates.table('people');
    const checkbox = viewProperty(
      people,
      people.views.find((v) => v.key === 'on_duty')!,
      ids,
    );
    expect(checkbox.property.filter_info?.conditions).toEqual([
      { field_id: 'fld_on_duty', operator: 'is', value: '["true"]' },
    ]);
  });
});
