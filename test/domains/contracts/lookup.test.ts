import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPost, body, cardText, contractsApp, say, settle, type ContractsTestApp } from './helpers.js';

describe('合同 <相对方|编号> and 合同 待我审批 in chat', () => {
  let t: ContractsTestApp;
  let no: string;
  const replyTo = (messageId: string) => cardText(t.feishu.replies(messageId).at(-1)?.card ?? {});

  beforeAll(async () => {
    t = await contractsApp();
    no = (await apiPost(t, '/api/contracts', body({ counterparty: '圆通速递有限公司', title: '圆通快递合同' }))).json()
      .contract.contractNo;
    await apiPost(t, '/api/contracts', body({ counterparty: '中通快递股份有限公司', title: '中通 100% 合同' }));
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('finds a contract by its number, with the counterparty’s risk summary', async () => {
    const text = replyTo(await say(t, `合同 ${no}`, 'ou_req'));
    expect(text).toContain(no);
    expect(text).toContain('圆通快递合同');
    expect(text).toContain('圆通速递有限公司');
    expect(text).toContain('风险 Risk');
    expect(text).not.toContain('中通');
  });

  it('finds contracts by part of the counterparty’s name', async () => {
    const text = replyTo(await say(t, '合同 中通', 'ou_req'));
    expect(text).toContain('中通 100% 合同');
    expect(text).not.toContain('圆通快递合同');
  });

  it('treats % and _ as characters, and says so when nothing matches', async () => {
    const text = replyTo(await say(t, '合同 100%', 'ou_req'));
    expect(text).toContain('中通 100% 合同');
    const none = replyTo(await say(t, '合同 %_%', 'ou_req'));
    expect(none).toContain('没有找到合同');
    expect(none).toContain('合同 新建');
  });

  it('escapes what was typed: a mention in the query stays text', async () => {
    const id = await say(t, '合同 <at user_id="all">所有人</at>', 'ou_req');
    const card = t.feishu.replies(id).at(-1)!.card;
    // The query is the header's plain_text subtitle (never parsed); no markdown element carries a mention.
    const markdown = JSON.stringify(card).match(/"tag":"markdown","content":"[^"]*"/g) ?? [];
    expect(markdown.length).toBeGreaterThan(0);
    for (const m of markdown) expect(m).not.toMatch(/<at /);
    expect(cardText(card)).toContain('没有找到合同');
  });

  it('待我审批 lists what waits for the person asking, and nothing for someone else', async () => {
    const legal = replyTo(await say(t, '合同 待我审批', 'ou_legal'));
    expect(legal).toContain(no);
    expect(legal).toContain('法务 Legal');
    expect(replyTo(await say(t, '合同 待我审批', 'ou_req'))).toContain('没有待你审批的合同');
  });
});
