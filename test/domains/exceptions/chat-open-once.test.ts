import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, exceptionsApp, say, settle, type ExceptionsTestApp } from './helpers.js';

// Found by test/chaos/workflow-kill.test.ts: the bot killed after the case was committed but before
// the event was marked done ran the message again and opened a second case for it.
describe('a chat message that opens a case, handled a second time', () => {
  let t: ExceptionsTestApp;
  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T10:00' });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const cases = async () =>
    (await t.database.query<{ id: string }>(`select id from exceptions_cases where order_no = 'TB20261123777'`)).rows;

  it('finds the case the first run made instead of opening another, and names it in both replies', async () => {
    const text = '异常件 丢件 TB20261123777 ¥89 客户说一周没更新';
    await say(t, text, 'ou_reporter', 'om_open_once');
    await settle(t);
    expect(await cases()).toHaveLength(1);
    // The same message again under a new event id: what a retried job or a re-push after a crash is.
    await say(t, text, 'ou_reporter', 'om_open_once');
    await settle(t);
    expect(await cases()).toHaveLength(1);
    const replies = t.feishu.replies('om_open_once').map((r) => cardText(r.card));
    expect(replies.length).toBeGreaterThanOrEqual(1);
    for (const r of replies) expect(r).toContain('EX000001');
    // A different message with the same words is a different report: a case of its own.
    await say(t, text, 'ou_reporter', 'om_open_twice');
    await settle(t);
    expect(await cases()).toHaveLength(2);
  });
});
