import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';
import { buttons, cardText, weeklyRows } from '../domains/community/helpers.js';

// An operator acknowledges and mutes alerts the way a person does: the 09:30 check sends the card to their
// chat, they press 确认 and 静默 7 天 on it (the sandbox's card callback), the card changes in place and the
// alert's row in Postgres says who decided and when.
describe('a community alert acknowledged and muted from its card', () => {
  let product: TestProduct;
  const now = new Date('2026-11-30T09:30:00+08:00');
  const operator = demoOpenId('jiangxin');

  beforeAll(async () => {
    product = await startTestProduct({
      cron: false,
      clock: { now: () => now },
      env: { API_TOKENS: 'alert-token' },
      // Feishu's 3 s callback budget is the sandbox's own test (test/sandbox); here a loaded machine (four
      // test runs on two cores) must not turn a slow answer into a failed click: this test is about the state.
      sandbox: { retryScale: 0.001, saveDebounceMs: 20, callbackTimeoutMs: 30_000 },
    });
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${product.url}${url}`, {
      method: 'POST',
      headers: { authorization: 'Bearer alert-token', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const sandbox = () => product.sandbox!;
  const alertCard = () =>
    sandbox()
      .state.messages({ chatId: sandbox().state.p2pChatOf(operator)?.chat_id, fromBot: true })
      .find(
        (m) => m.msg_type === 'interactive' && buttons(JSON.parse(m.content)).some((b) => b.action === 'community.ack'),
      );
  const alertRow = async (id: unknown) =>
    (
      await product.deps.database.query<{ state: string; version: number; decided_by: string | null }>(
        'select state, version, decided_by from community_alerts where id = $1',
        [id],
      )
    ).rows[0];

  it('sends the operator one card with both communities’ drops, each with 确认 and 静默 buttons', async () => {
    await post('/api/community/communities', {
      communities: [
        { code: 'ACK-1', name: '确认测试群', platform: 'wecom', operatorOpenId: operator },
        { code: 'ACK-2', name: '静默测试群', platform: 'wecom', operatorOpenId: operator },
      ],
    });
    // 42 days up to yesterday, both dropping on the last day.
    const drop = (iso: string) => (iso === '2026-11-29' ? { activeMembers: 50, messages: 120 } : {});
    await post('/api/community/metrics', {
      rows: [...weeklyRows('ACK-1', '2026-11-29', 42, drop), ...weeklyRows('ACK-2', '2026-11-29', 42, drop)],
    });
    expect(await product.deps.jobs.tick('community.alerts', now)).toBe(true);
    await waitFor(async () => alertCard(), 'the alert card in the operator’s chat');
    await settled(product, 'the alert check');
    const card = JSON.parse(alertCard()!.content) as unknown;
    expect(JSON.stringify(card)).toContain('确认测试群');
    expect(JSON.stringify(card)).toContain('静默测试群');
  });

  it('确认 updates the card in place, the row: acknowledged, by whom; a second click changes nothing', async () => {
    const message = alertCard()!;
    const ack = buttons(JSON.parse(message.content)).find((b) => b.action === 'community.ack')!;
    const res = await sandbox().actions.clickCard({
      operatorOpenId: operator,
      messageId: message.message_id,
      action: { tag: 'button', value: ack },
    });
    expect(res).toMatchObject({
      ok: true,
      cardUpdated: true,
      toast: { type: 'success', content: '已确认 · Acknowledged' },
    });
    const updated = sandbox()
      .state.botMessages()
      .find((m) => m.message_id === message.message_id)!;
    expect(updated.updated).toBe(true);
    expect(cardText(JSON.parse(updated.content))).toContain('已确认 · Acknowledged');
    expect(buttons(JSON.parse(updated.content)).filter((b) => b.alertId === ack.alertId)).toEqual([]);
    expect(await alertRow(ack.alertId)).toEqual({ state: 'acknowledged', version: 2, decided_by: operator });
    const again = await sandbox().actions.clickCard({
      operatorOpenId: operator,
      messageId: message.message_id,
      action: { tag: 'button', value: ack },
    });
    expect(again.toast?.type).toBe('info');
    expect((await alertRow(ack.alertId))?.version).toBe(2);
  });

  it('静默 7 天 updates the card, marks the alert muted and stores the mute until 12-06', async () => {
    const message = alertCard()!;
    const mute = buttons(JSON.parse(message.content)).find((b) => b.action === 'community.mute' && b.days === 7)!;
    const res = await sandbox().actions.clickCard({
      operatorOpenId: operator,
      messageId: message.message_id,
      action: { tag: 'button', value: mute },
    });
    expect(res).toMatchObject({ ok: true, cardUpdated: true, toast: { type: 'success' } });
    const updated = sandbox()
      .state.botMessages()
      .find((m) => m.message_id === message.message_id)!;
    expect(cardText(JSON.parse(updated.content))).toContain('已静默 · Muted（至 until 2026-12-06）');
    expect(await alertRow(mute.alertId)).toMatchObject({ state: 'muted', decided_by: operator });
    const { rows } = await product.deps.database.query<{ until: string; by: string }>(
      `select to_char(m.until, 'YYYY-MM-DD') as until, m.by_open_id as by from community_mutes m
         join community_alerts a on a.community_id = m.community_id and a.metric = m.metric where a.id = $1`,
      [mute.alertId],
    );
    expect(rows).toEqual([{ until: '2026-12-06', by: operator }]);
  });
});
