import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { START_BUDGET_MS, provisionedTable, startTestProduct, type TestProduct } from '../helpers/product.js';

// 社群 through the kit's seam (mirror.table): communities the API makes get their row; rows people
// add become communities; a refused edit is put back and the editor told why; 团队 moves a community to a team.
describe('the 社群 grid and the community workflow agree', () => {
  let product: TestProduct;
  const operator = demoOpenId('wangxiaoli');
  let table: { appToken: string; tableId: string };

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'grid-test-token' } });
    table = await provisionedTable(product, '社群', 'communities');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const rows = () => sandbox().state.records(table.appToken, table.tableId);
  const text = (v: unknown) => (Array.isArray(v) ? v.map((s: { text?: string }) => s.text ?? '').join('') : v);
  const community = async (code: string) =>
    (
      await product.deps.database.query<{
        id: number;
        name: string;
        platform: string;
        operator_open_id: string | null;
        team_key: string | null;
        bitable_record_id: string | null;
      }>(`select * from community_communities where code = $1`, [code])
    ).rows[0];
  const api = (path: string, body: unknown) =>
    fetch(`${product.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer grid-test-token' },
      body: JSON.stringify(body),
    });

  it('writes a community made through the API into 社群, code and platform included', async () => {
    const res = await api('/api/community/communities', {
      communities: [
        {
          code: 'WC-001',
          name: '宝妈福利群 1',
          platform: 'wechat',
          operatorOpenId: operator,
          tags: ['复购', 'x-not-an-option'],
        },
      ],
    });
    expect(res.status).toBe(200);
    const c = await waitFor(
      async () => {
        const found = await community('WC-001');
        return found?.bitable_record_id ? found : undefined;
      },
      'community written to Bitable',
      60_000,
    );
    const row = rows().find((r) => r.record_id === c.bitable_record_id)!;
    expect(text(row.fields['社群名称'])).toBe('宝妈福利群 1');
    expect(text(row.fields['社群编码'])).toBe('WC-001');
    expect(row.fields['平台']).toBe('微信群');
    expect(row.fields['标签']).toEqual(['复购']);
  });

  it('makes a community of a row a person adds with a name and a code', async () => {
    await sandbox().actions.addRecord(operator, table.appToken, table.tableId, {
      社群名称: '抖音粉丝群 A',
      社群编码: 'DY-100',
      平台: '抖音粉丝群',
    });
    const c = await waitFor(async () => community('DY-100'), 'the row taken as a community', 60_000);
    expect(c).toMatchObject({ name: '抖音粉丝群 A', platform: 'douyin' });
  });

  it('puts a used 社群编码 back and tells the editor why', async () => {
    const c = (await community('WC-001'))!;
    const ingest = await api('/api/community/metrics', {
      rows: [{ community: 'WC-001', date: '2026-01-05', membersTotal: 100 }],
    });
    expect(ingest.status).toBe(200);
    await sandbox().actions.editRecord(operator, table.appToken, table.tableId, c.bitable_record_id!, {
      社群编码: 'WC-XYZ',
    });
    await waitFor(
      async () => text(rows().find((r) => r.record_id === c.bitable_record_id)!.fields['社群编码']) === 'WC-001',
      'the code put back',
      60_000,
    );
    const dm = await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(operator)!.chat_id, fromBot: true })
          .find((m) => m.content.includes('社群编码')),
      'the editor told',
      60_000,
    );
    expect(dm.content).toContain('WC-XYZ');
    expect((await community('WC-001'))?.name).toBe('宝妈福利群 1');
  });

  it('takes a 团队 typed in 社群: the community moves to that team, its dashboard rollups with it', async () => {
    const c = (await community('WC-001'))!;
    const row = () => rows().find((r) => r.record_id === c.bitable_record_id)!;
    await sandbox().actions.editRecord(operator, table.appToken, table.tableId, c.bitable_record_id!, {
      团队: 'community',
    });
    await waitFor(async () => (await community('WC-001'))?.team_key === 'community', 'the team taken', 60_000);
    const { rows: groups } = await product.deps.database.query<{ team_key: string; rows: number }>(
      `select team_key, sum(rows)::int as rows from community_metric_rollups where day = '2026-01-05' group by 1`,
    );
    expect(groups).toEqual([{ team_key: 'community', rows: 1 }]);
    expect(text(row().fields['团队'])).toBe('community');

    // A team code longer than the API takes is put back, and the editor told why.
    const long = 'x'.repeat(65);
    await sandbox().actions.editRecord(operator, table.appToken, table.tableId, c.bitable_record_id!, {
      团队: long,
    });
    await waitFor(async () => text(row().fields['团队']) === 'community', 'the team put back', 60_000);
    const dm = await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(operator)!.chat_id, fromBot: true })
          .find((m) => m.content.includes('团队编码最多 64 个字符')),
      'the editor told',
      60_000,
    );
    expect(dm.content).toContain('团队');
    expect((await community('WC-001'))?.team_key).toBe('community');

    // Emptied: no team.
    await sandbox().actions.editRecord(operator, table.appToken, table.tableId, c.bitable_record_id!, { 团队: null });
    await waitFor(async () => (await community('WC-001'))?.team_key === null, 'the team cleared', 60_000);
  });

  it('keeps a platform the select does not list (shown as 其他) when another cell of its row is edited', async () => {
    const res = await api('/api/community/communities', {
      communities: [{ code: 'KS-001', name: '快手粉丝群 1', platform: 'kuaishou', operatorOpenId: operator }],
    });
    expect(res.status).toBe(200);
    const c = await waitFor(
      async () => {
        const found = await community('KS-001');
        return found?.bitable_record_id ? found : undefined;
      },
      'community written to Bitable',
      60_000,
    );
    const row = () => rows().find((r) => r.record_id === c.bitable_record_id)!;
    expect(row().fields['平台']).toBe('其他');
    await sandbox().actions.editRecord(operator, table.appToken, table.tableId, c.bitable_record_id!, {
      社群名称: '快手粉丝群 一群',
    });
    await waitFor(async () => (await community('KS-001'))?.name === '快手粉丝群 一群', 'the new name taken', 60_000);
    expect((await community('KS-001'))?.platform).toBe('kuaishou');
    // Choosing a listed platform still moves it.
    await sandbox().actions.editRecord(operator, table.appToken, table.tableId, c.bitable_record_id!, {
      平台: '抖音粉丝群',
    });
    await waitFor(async () => (await community('KS-001'))?.platform === 'douyin', 'the platform chosen', 60_000);
    expect(row().fields['平台']).toBe('抖音粉丝群');
  });
});
