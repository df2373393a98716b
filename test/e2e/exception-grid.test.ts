import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealEvent } from '../../src/feishu/crypto.js';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, provisionedTable, startTestProduct, type TestProduct } from '../helpers/product.js';

// The grid never disagrees with the workflow (issue 9): the whole product against the sandbox.
describe('the 异常件工单 grid and the workflow agree', () => {
  let product: TestProduct;
  const agent = demoOpenId('wangxiaoli');
  const clerk = demoOpenId('xiejun');
  let table: { appToken: string; tableId: string };

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'grid-test-token' } });
    table = await provisionedTable(product, '异常件工单', 'exceptions');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const rows = () => sandbox().state.records(table.appToken, table.tableId);
  const rowOf = (recordId: string) => rows().find((r) => r.record_id === recordId)!;
  const text = (v: unknown) => (Array.isArray(v) ? v.map((s: { text?: string }) => s.text ?? '').join('') : v);
  const caseBy = async (where: string, params: unknown[]) =>
    (
      await product.deps.database.query<{
        id: number;
        state: string;
        bitable_record_id: string | null;
        amount_at_risk_fen: string;
        description: string;
        shop: string | null;
      }>(`select * from exceptions_cases where ${where}`, params)
    ).rows[0];
  const no = (id: number) => `EX${String(id).padStart(6, '0')}`;
  const dms = (openId: string, caseNo: string) =>
    sandbox()
      .state.messages({ chatId: sandbox().state.p2pChatOf(openId)!.chat_id, fromBot: true })
      .filter((m) => m.content.includes(caseNo) && m.content.includes('未生效'));
  const openInChat = async (orderNo: string, amount: number) => {
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: `异常件 丢件 ${orderNo} ¥${amount} 包裹三天没动`,
    });
    return waitFor(async () => {
      const found = await caseBy('order_no = $1', [orderNo]);
      return found?.bitable_record_id ? found : undefined;
    }, 'case written to Bitable');
  };
  const edit = (recordId: string, fields: Record<string, unknown>, who = clerk) =>
    sandbox().actions.editRecord(who, table.appToken, table.tableId, recordId, fields);
  /**
   * A record-changed event as Feishu sends it (sealed with the app's keys) for what the sandbox console cannot type.
   */
  const deliver = async (event: Record<string, unknown>) => {
    const c = sandbox().credentials;
    const envelope = {
      schema: '2.0',
      header: {
        event_id: randomUUID(),
        token: c.verificationToken,
        create_time: String(Date.now()),
        event_type: 'drive.file.bitable_record_changed_v1',
        tenant_key: 'sandbox',
        app_id: c.appId,
      },
      event: {
        file_type: 'bitable',
        file_token: table.appToken,
        table_id: table.tableId,
        operator_id: { open_id: clerk },
        update_time: Math.floor(Date.now() / 1000),
        ...event,
      },
    };
    const sealed = sealEvent(envelope, c.encryptKey);
    const res = await fetch(`${product.url}/webhook/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sealed.headers },
      body: sealed.body,
    });
    expect(res.status).toBe(200);
  };
  const fieldId = (name: string) =>
    sandbox()
      .state.apps()[0]!
      .tables.find((t) => t.table_id === table.tableId)!
      .fields.find((f) => f.field_name === name)!.field_id;

  it('writes the case number chat and cards use (EX…) into the primary column, with the row', async () => {
    const c = await openInChat('TM2026120201', 120);
    const t = sandbox()
      .state.apps()[0]!
      .tables.find((x) => x.table_id === table.tableId)!;
    expect(t.fields[0]!.field_name).toBe('工单号');
    expect(text(rowOf(c.bitable_record_id!).fields['工单号'])).toBe(no(c.id));
  });

  it('puts 状态 back when a person sets it (已关闭 on a 处理中 case) and tells them once why', async () => {
    const c = (await caseBy('order_no = $1', ['TM2026120201']))!;
    await edit(c.bitable_record_id!, { 物流单号: 'SF1234567890123' });
    await waitFor(async () => rowOf(c.bitable_record_id!).fields['状态'] === '处理中', 'case in progress');
    await edit(c.bitable_record_id!, { 状态: '已关闭' });
    await waitFor(async () => rowOf(c.bitable_record_id!).fields['状态'] === '处理中', 'the state put back');
    const told = await waitFor(async () => dms(clerk, no(c.id))[0], 'the editor told why');
    expect(told.content).toContain('状态');
    expect(told.content).toContain('已关闭');
    expect(told.content).toContain('机器人');
    expect((await caseBy('id = $1', [c.id]))!.state).toBe('in_progress');
    // Told once: the bot's own put-back comes back as an event too; count once it has been handled.
    await settled(product, 'the put-back handled');
    expect(dms(clerk, no(c.id))).toHaveLength(1);
  });

  it('puts 涉及金额 back when emptied (what the number box sends for "abc") and says so', async () => {
    const c = await openInChat('TM2026120202', 199);
    await edit(c.bitable_record_id!, { 涉及金额: null });
    await waitFor(async () => rowOf(c.bitable_record_id!).fields['涉及金额'] === 199, 'the amount put back');
    const told = await waitFor(async () => dms(clerk, no(c.id))[0], 'the editor told why');
    expect(told.content).toContain('涉及金额');
    expect(told.content).toContain('199');
    expect(Number((await caseBy('id = $1', [c.id]))!.amount_at_risk_fen)).toBe(19_900);
  });

  it('puts back a value Feishu sends that the column cannot hold (text "abc" in a number column)', async () => {
    const c = (await caseBy('order_no = $1', ['TM2026120202']))!;
    const before = dms(clerk, no(c.id)).length;
    sandbox()
      .state.apps()[0]!
      .tables.find((t) => t.table_id === table.tableId)!
      .records.find((r) => r.record_id === c.bitable_record_id)!.fields[fieldId('涉及金额')] = 'abc';
    await deliver({
      action_list: [
        {
          record_id: c.bitable_record_id,
          action: 'record_edited',
          before_value: [{ field_id: fieldId('涉及金额'), field_value: '199' }],
          after_value: [{ field_id: fieldId('涉及金额'), field_value: '"abc"' }],
        },
      ],
    });
    await waitFor(async () => rowOf(c.bitable_record_id!).fields['涉及金额'] === 199, 'the amount put back');
    const told = await waitFor(async () => dms(clerk, no(c.id))[before], 'the editor told why');
    expect(told.content).toContain('abc');
    expect(told.content).toContain('涉及金额');
  });

  it("takes a person's note and keeps what they typed in their own columns when the bot writes again", async () => {
    const lead = demoOpenId('zhaomin');
    const added = await sandbox().actions.addRecord(lead, table.appToken, table.tableId, {
      异常类型: '破损',
      订单号: 'JD2026120203',
      店铺: '天猫旗舰店',
      客户昵称: '小王',
      涉及金额: 59.9,
    });
    const c = await waitFor(async () => caseBy('bitable_record_id = $1', [added.record_id]), 'case from the new row');
    await waitFor(
      async () => text(rowOf(added.record_id).fields['工单号']) === no(c.id),
      'the case number written into the same row',
    );
    expect(rowOf(added.record_id).fields).toMatchObject({
      店铺: [expect.objectContaining({ text: '天猫旗舰店' })],
      客户昵称: [expect.objectContaining({ text: '小王' })],
    });
    expect(c.shop).toBe('天猫旗舰店');

    await edit(added.record_id, { 问题描述: '外箱压坏，客户要求补发' }, lead);
    await waitFor(
      async () => (await caseBy('id = $1', [c.id]))!.description === '外箱压坏，客户要求补发',
      'the note taken',
    );
    // The next change of the case writes only what changed: the person's columns stay.
    await edit(added.record_id, { 涉及金额: 88 }, lead);
    await waitFor(
      async () => Number((await caseBy('id = $1', [c.id]))!.amount_at_risk_fen) === 8800,
      'the amount taken',
    );
    // The bot's write of the changed case follows in a job: read the row once it has run.
    await settled(product, 'the case written back');
    expect(rowOf(added.record_id).fields).toMatchObject({
      店铺: [expect.objectContaining({ text: '天猫旗舰店' })],
      客户昵称: [expect.objectContaining({ text: '小王' })],
      问题描述: [expect.objectContaining({ text: '外箱压坏，客户要求补发' })],
    });
    expect(rows().filter((r) => JSON.stringify(r.fields['订单号'] ?? '').includes('JD2026120203'))).toHaveLength(1);
    expect(dms(lead, no(c.id))).toHaveLength(0);
  });

  it('knows its own row when the record-changed event arrives before the create answer (no second case)', async () => {
    const c = await openInChat('TM2026120204', 66);
    const recordId = c.bitable_record_id!;
    // As if the create answer had not come back yet: the bot holds no row for the case.
    await product.deps.database.query('update exceptions_cases set bitable_record_id = null where id = $1', [c.id]);
    await product.deps.database.query('delete from bitable_exceptions where record_id = $1', [recordId]);
    const row = rowOf(recordId).fields;
    const value = (name: string, v: unknown) => ({ field_id: fieldId(name), field_value: JSON.stringify(v) });
    await deliver({
      action_list: [
        {
          record_id: recordId,
          action: 'record_added',
          after_value: [
            value('工单号', [{ type: 'text', text: no(c.id) }]),
            value('异常类型', '丢件'),
            value('订单号', row['订单号']),
          ],
        },
      ],
    });
    await waitFor(async () => (await caseBy('id = $1', [c.id]))!.bitable_record_id === recordId, 'the row known again');
    await settled(product, 'the event handled');
    const { rows: cases } = await product.deps.database.query(
      `select id from exceptions_cases where order_no = 'TM2026120204'`,
    );
    expect(cases).toHaveLength(1);
    expect(rows().filter((r) => JSON.stringify(r.fields['订单号'] ?? '').includes('TM2026120204'))).toHaveLength(1);
  });

  it('mirrors recovery claims into 追款 (ZK number, amounts, the case linked) and puts back its state', async () => {
    const c = (await caseBy('order_no = $1', ['TM2026120202']))!;
    const post = (path: string, body: unknown) =>
      fetch(`${product.url}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer grid-test-token', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const opened = await post(`/api/exceptions/${c.id}/claims`, {
      counterpartyType: 'carrier',
      counterparty: '顺丰 SF',
      claimFen: 150_00,
    });
    expect(opened.status).toBe(201);
    const claimId = ((await opened.json()) as { claim: { id: number } }).claim.id;
    const claims = sandbox()
      .state.apps()[0]!
      .tables.find((t) => t.name === '追款')!;
    const claimRow = () =>
      sandbox()
        .state.records(table.appToken, claims.table_id)
        .find((r) => text(r.fields['追款编号']) === `ZK${String(claimId).padStart(6, '0')}`);
    const row = await waitFor(async () => claimRow(), 'the claim in 追款');
    expect(row.fields).toMatchObject({
      索赔金额: 150,
      状态: '已提交',
      追款对象: [expect.objectContaining({ text: '顺丰 SF' })],
    });
    expect(row.fields['关联工单']).toEqual({ link_record_ids: [c.bitable_record_id] });

    expect((await post(`/api/exceptions/claims/${claimId}/recoveries`, { recoveredFen: 50_00 })).status).toBe(200);
    await waitFor(async () => claimRow()?.fields['已追回金额'] === 50, 'the recovery in 追款');

    await sandbox().actions.editRecord(clerk, table.appToken, claims.table_id, row.record_id, {
      状态: '已追回',
      备注: '已电话催收',
    });
    await waitFor(async () => claimRow()?.fields['状态'] === '部分追回', 'the claim state put back');
    expect(claimRow()!.fields['备注']).toEqual([expect.objectContaining({ text: '已电话催收' })]);
  });

  it("repairs bot-owned columns on reconcile whatever Bitable's modified time says", async () => {
    const c = (await caseBy('order_no = $1', ['TM2026120201']))!;
    // An edit whose event never arrived, stamped later than anything the bot wrote.
    const record = sandbox()
      .state.apps()[0]!
      .tables.find((t) => t.table_id === table.tableId)!
      .records.find((r) => r.record_id === c.bitable_record_id)!;
    record.fields[fieldId('状态')] = '已关闭';
    record.last_modified_time = Date.now() + 3_600_000;
    await product.deps.database.query(
      `update bitable_exceptions set _modified_at = now() + interval '2 hours' where record_id = $1`,
      [c.bitable_record_id],
    );
    // The scheduled reconcile (every 10 min; `feishu-ops sync` runs the same).
    expect(await product.deps.jobs.tick('mirror.reconcile', new Date())).toBe(true);
    await waitFor(async () => rowOf(c.bitable_record_id!).fields['状态'] === '处理中', 'the state repaired', 60_000);
  });
});
