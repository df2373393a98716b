import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// Staff work in the 异常件工单 Bitable table as much as in chat: the bot writes every case there,
// and what people type there reaches the workflow. Against the sandbox, nothing mocked.
describe('exception cases in Bitable (sandbox)', () => {
  let product: TestProduct;
  const agent = demoOpenId('wangxiaoli');
  let table: { appToken: string; tableId: string };

  beforeAll(async () => {
    product = await startTestProduct({ cron: false });
    table = await waitFor(
      async () => {
        const app = product.sandbox!.state.apps()[0];
        const t = app?.tables.find((x) => x.name === '异常件工单');
        const { rows } = await product.deps.database
          .query(`select 1 from mirror_tables where table_key = 'exceptions'`)
          .catch(() => ({ rows: [] }));
        return app && t && rows.length > 0 ? { appToken: app.app_token, tableId: t.table_id } : undefined;
      },
      'the Base provisioned at start',
      60_000,
    );
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const rows = () => sandbox().state.records(table.appToken, table.tableId);
  const caseBy = async (where: string, params: unknown[]) =>
    (
      await product.deps.database.query<{
        id: number;
        state: string;
        bitable_record_id: string | null;
        fields: Record<string, string>;
        source: string;
      }>(`select * from exceptions_cases where ${where}`, params)
    ).rows[0];

  it('writes a case opened in chat to the table', async () => {
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: '异常件 丢件 TM2026120101 ¥120 包裹三天没动',
    });
    const c = await waitFor(async () => {
      const found = await caseBy(`order_no = $1`, ['TM2026120101']);
      return found?.bitable_record_id ? found : undefined;
    }, 'case written to Bitable');
    const row = rows().find((r) => r.record_id === c.bitable_record_id)!;
    expect(row.fields['订单号']).toEqual(expect.arrayContaining([expect.objectContaining({ text: 'TM2026120101' })]));
    expect(row.fields['状态']).toBe('待仓库回填');
    expect(row.fields['涉及金额']).toBe(120);
  });

  it('moves the case on when the warehouse types the tracking number into the table', async () => {
    const c = (await caseBy(`order_no = $1`, ['TM2026120101']))!;
    const clerk = demoOpenId('xiejun');
    await sandbox().actions.editRecord(clerk, table.appToken, table.tableId, c.bitable_record_id!, {
      物流单号: 'SF1234567890123',
    });
    const moved = await waitFor(async () => {
      const now = await caseBy(`id = $1`, [c.id]);
      return now?.state === 'in_progress' ? now : undefined;
    }, 'case moved on from the Bitable edit');
    expect(moved.fields.tracking_number).toBe('SF1234567890123');
    await waitFor(
      async () => rows().find((r) => r.record_id === c.bitable_record_id)?.fields['状态'] === '处理中',
      'state written back',
    );
  });

  it('refuses a malformed number typed into the table and leaves the case waiting', async () => {
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: '异常件 丢件 TM2026120102 ¥80',
    });
    const c = await waitFor(async () => {
      const found = await caseBy(`order_no = $1`, ['TM2026120102']);
      return found?.bitable_record_id ? found : undefined;
    }, 'second case written');
    await sandbox().actions.editRecord(demoOpenId('xiejun'), table.appToken, table.tableId, c.bitable_record_id!, {
      物流单号: 'not a number',
    });
    const clerkChat = sandbox().state.p2pChatOf(demoOpenId('xiejun'))!.chat_id;
    const told = await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: clerkChat, fromBot: true })
          .find((m) => m.content.includes('未生效')),
      'the editor is told why',
    );
    expect(JSON.parse(told.content).text).toContain('not applied');
    expect((await caseBy(`id = $1`, [c.id]))!.state).toBe('waiting_warehouse');
  });

  it('opens a case from a row a person adds to the table', async () => {
    const lead = demoOpenId('zhaomin');
    const added = await sandbox().actions.addRecord(lead, table.appToken, table.tableId, {
      异常类型: '破损',
      订单号: 'JD2026120103',
      涉及金额: 59.9,
      问题描述: '外箱压坏',
    });
    const c = await waitFor(async () => caseBy(`bitable_record_id = $1`, [added.record_id]), 'case from the new row');
    expect(c).toMatchObject({ source: 'bitable' });
    const {
      rows: [full],
    } = await product.deps.database.query<{ kind: string; amount_at_risk_fen: number; order_no: string }>(
      'select kind, amount_at_risk_fen::int as amount_at_risk_fen, order_no from exceptions_cases where id = $1',
      [c.id],
    );
    expect(full).toEqual({ kind: 'damaged', amount_at_risk_fen: 5990, order_no: 'JD2026120103' });
    // The bot writes the case back after it opens it: count the rows once that is done.
    await settled(product, 'the case written back');
    // written back into the same row
    expect(rows().filter((r) => JSON.stringify(r.fields['订单号'] ?? '').includes('JD2026120103'))).toHaveLength(1);
  });
  it('links a case card whose description is cut to the row that holds the full text', async () => {
    const description = `顾客说包裹外箱破损${'，内件缺少两罐奶粉'.repeat(40)}（完）`;
    expect(description.length).toBeGreaterThan(300);
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: `异常件 破损 TM2026120177 ¥99 ${description}`,
    });
    const c = await waitFor(async () => {
      const { rows } = await product.deps.database.query<{
        id: number;
        bitable_record_id: string | null;
        bitable_record_url: string | null;
        card_message_id: string | null;
      }>(
        `select id, bitable_record_id, bitable_record_url, card_message_id from exceptions_cases where order_no = $1`,
        ['TM2026120177'],
      );
      const found = rows[0];
      return found?.bitable_record_url && found.card_message_id ? found : undefined;
    }, 'the row link stored with the case');
    // The link Feishu gave for that row (batch_get with_shared_url), asked for once and kept.
    const url = new URL(c.bitable_record_url!);
    expect(url.protocol).toBe('https:');
    expect(url.searchParams.get('table')).toBe(table.tableId);
    expect(url.searchParams.get('record')).toBe(c.bitable_record_id);
    // The row itself keeps the whole description.
    const row = rows().find((r) => r.record_id === c.bitable_record_id)!;
    expect(JSON.stringify(row.fields)).toContain('（完）');
    // The team's case card shows the cut text and a link to that row (the card sent before the row
    // existed is updated once the link is known).
    const no = `EX${String(c.id).padStart(6, '0')}`;
    const card = () =>
      sandbox()
        .state.botMessages()
        .find((m) => m.message_id === c.card_message_id);
    await expect
      .poll(() => card()?.content.includes(`](${c.bitable_record_url!})`) ?? false, { timeout: 15_000 })
      .toBe(true);
    const content = card()!.content;
    expect(content).toContain('已截断');
    expect(content).toContain(`${no} 这一行`);
    expect(content).not.toContain('（完）');
  });
  it('writes the row even when Feishu gives no link, and asks again on the next write', async () => {
    const batchGet = `/open-apis/bitable/v1/apps/${table.appToken}/tables/${table.tableId}/records/batch_get`;
    sandbox().faults.failNext(1, { status: 400, pathPrefix: batchGet });
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: `异常件 丢件 TM2026120178 ¥50 ${'包裹在中转站滞留超过三天，'.repeat(30)}`,
    });
    const query = async () =>
      (
        await product.deps.database.query<{
          id: number;
          bitable_record_id: string | null;
          bitable_record_url: string | null;
          card_message_id: string | null;
          state: string;
        }>(`select id, bitable_record_id, bitable_record_url, card_message_id, state from exceptions_cases
            where order_no = 'TM2026120178'`)
      ).rows[0];
    // The link is asked for after the row is written and the card sent: wait for that (failing) call as well. On a
    // busy machine it came after the row and the card (issue 14 item 5: a whole-suite run beside a busy core).
    const linkAsked = () => sandbox().faults.snapshot().rules.length === 0;
    const c = await waitFor(async () => {
      const found = await query();
      return found?.bitable_record_id && found.card_message_id && linkAsked() ? found : undefined;
    }, 'case written to Bitable and its link asked for');
    expect((await query())!.bitable_record_url).toBeNull();
    const card = () =>
      sandbox()
        .state.botMessages()
        .find((m) => m.message_id === c.card_message_id)!;
    expect(card().content).toContain('已截断');
    expect(card().content).not.toContain('sandbox.feishu.invalid');

    // The warehouse fills in the tracking number: the case moves on, its row is written again and
    // the link is asked for again, so the card gets it.
    await sandbox().actions.editRecord(demoOpenId('xiejun'), table.appToken, table.tableId, c.bitable_record_id!, {
      物流单号: 'SF1234567890178',
    });
    const linked = await waitFor(async () => {
      const now = await query();
      return now?.state === 'in_progress' && now.bitable_record_url ? now : undefined;
    }, 'link stored on the next write');
    await expect
      .poll(() => card().content.includes(`](${linked.bitable_record_url!})`), { timeout: 15_000 })
      .toBe(true);
  });
});
