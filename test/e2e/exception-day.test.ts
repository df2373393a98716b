import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId, type SandboxMessage } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// A lost parcel from the first message to closure, on simulated time, against the sandbox:
// the product as `npm start` runs it, nothing mocked.
describe('an exception case closed within a day (sandbox demo)', () => {
  let product: TestProduct;
  let now = new Date('2026-11-30T10:00:00+08:00'); // a Monday morning in Shanghai
  const clock = { now: () => now };
  const agent = demoOpenId('wangxiaoli');
  let caseRow: {
    id: number;
    state: string;
    owner_open_id: string;
    warehouse_open_id: string;
    card_message_id: string | null;
    opened_at: Date;
    resolved_at: Date | null;
  };

  beforeAll(async () => {
    product = await startTestProduct({ clock, cron: false });
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const p2p = (openId: string) => sandbox().state.p2pChatOf(openId)!.chat_id;
  const botMessagesIn = (chatId: string) => sandbox().state.messages({ chatId, fromBot: true });
  const nudgesTo = (openId: string) => botMessagesIn(p2p(openId)).filter((m) => m.content.includes('请回填单号'));
  const cardOf = (m: SandboxMessage) => JSON.parse(m.content) as Record<string, unknown>;
  const loadCase = async () => {
    const { rows } = await product.deps.database.query<typeof caseRow>(
      'select * from exceptions_cases order by id desc limit 1',
    );
    caseRow = rows[0]!;
    return caseRow;
  };
  const settle = () => settled(product, 'queue drained');
  const advance = async (minutes: number) => {
    now = new Date(now.getTime() + minutes * 60_000);
    await product.deps.jobs.tick('exceptions.sweep', now);
    await settle();
  };

  it('10:00 an agent reports a lost parcel in chat; the case is routed, the warehouse asked for a number', async () => {
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: p2p(agent),
      text: '异常件 丢件 TM2026113001 ¥89 客户说一周没有物流更新',
    });
    await waitFor(
      async () => (await product.deps.database.query('select id from exceptions_cases')).rows.length > 0,
      'case created',
    );
    await settle();
    const c = await loadCase();
    expect(c.state).toBe('waiting_warehouse');
    expect(botMessagesIn(p2p(agent)).map((m) => JSON.stringify(cardOf(m)))).toEqual([
      expect.stringContaining('已创建 EX'),
    ]);
    const groupCards = sandbox()
      .state.botMessages()
      .filter((m) => m.message_id === c.card_message_id);
    expect(groupCards).toHaveLength(1);
    expect(JSON.stringify(cardOf(groupCards[0]!))).toContain('TM2026113001');
    const [nudge] = nudgesTo(c.warehouse_open_id);
    expect(nudgesTo(c.warehouse_open_id)).toHaveLength(1);
    expect(JSON.stringify(cardOf(nudge!))).toContain('"tag":"input"'); // the number can be typed on the card
  });

  it('11:05 the warehouse is reminded again inside working hours', async () => {
    await advance(65);
    expect(nudgesTo(caseRow.warehouse_open_id)).toHaveLength(2);
  });

  it('11:20 the warehouse replies with the tracking number; the reminders stop and the case moves on', async () => {
    now = new Date(now.getTime() + 15 * 60_000);
    sandbox().actions.sendUserMessage({
      userOpenId: caseRow.warehouse_open_id,
      chatId: p2p(caseRow.warehouse_open_id),
      text: '单号 SF1234567890123',
    });
    await waitFor(async () => (await loadCase()).state === 'in_progress', 'case in progress');
    await settle();
    await advance(180); // 14:20: nothing more to chase
    expect(nudgesTo(caseRow.warehouse_open_id)).toHaveLength(2);
  });

  it('15:00 the owner resolves and closes it on the one case card, updated in place', async () => {
    now = new Date('2026-11-30T15:00:00+08:00');
    const cardMessage = () =>
      sandbox()
        .state.botMessages()
        .find((m) => m.message_id === caseRow.card_message_id)!;
    const resolve = findButton(cardOf(cardMessage()), (v) => v.verb === 'resolve');
    const resolved = await sandbox().actions.clickCard({
      operatorOpenId: caseRow.owner_open_id,
      messageId: caseRow.card_message_id!,
      action: { tag: 'button', value: resolve },
    });
    expect(resolved.toast?.type).toBe('success');
    await settle();
    now = new Date('2026-11-30T15:10:00+08:00');
    const close = findButton(cardOf(cardMessage()), (v) => v.verb === 'close');
    await sandbox().actions.clickCard({
      operatorOpenId: caseRow.owner_open_id,
      messageId: caseRow.card_message_id!,
      action: { tag: 'button', value: close },
    });
    await settle();
    const c = await loadCase();
    expect(c.state).toBe('closed');
    expect(cardMessage().updated).toBe(true);
    expect(JSON.stringify(cardOf(cardMessage()))).toContain('已关闭');
    const cycleHours = (new Date(c.resolved_at!).getTime() - new Date(c.opened_at).getTime()) / 3_600_000;
    expect(cycleHours).toBe(5); // 10:00 → 15:00, inside the 1-day target
    const groupCards = sandbox()
      .state.botMessages()
      .filter((m) => JSON.stringify(cardOf(m)).includes('TM2026113001') && m.chat_id === cardMessage().chat_id);
    expect(groupCards).toHaveLength(1); // never a stream of new cards
  });
});

type Value = Record<string, unknown>;
function findButton(card: unknown, match: (v: Value) => boolean): Value {
  const found: Value[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as { tag?: string; behaviors?: Array<{ type: string; value?: Value }> };
      if (n.tag === 'button')
        for (const b of n.behaviors ?? []) if (b.type === 'callback' && b.value && match(b.value)) found.push(b.value);
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  if (!found[0]) throw new Error('button not on the card');
  return found[0];
}
