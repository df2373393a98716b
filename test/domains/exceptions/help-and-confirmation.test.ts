import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { buttons, cardText, click, exceptionsApp, latestCase, say, settle, type ExceptionsTestApp } from './helpers.js';

describe('help buttons and the reporter confirmation', () => {
  let t: ExceptionsTestApp;

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('the help card carries 新建异常件, and one click on it opens the new-case form in its place', async () => {
    const msg = await say(t, '帮助', 'ou_reporter');
    const help = t.feishu.replies(msg)[0]!.card;
    expect(cardText(help)).toContain('新建异常件 New case');
    const newCase = buttons(help).find((b) => b.action === 'exceptions.new-form');
    expect(newCase).toEqual({ action: 'exceptions.new-form' });
    const res = await click(t, newCase!, { openId: 'ou_reporter' });
    expect(res.toast).toBeUndefined();
    const form = res.card!.data;
    expect(cardText(form)).toContain('丢件');
    expect(buttons(form).some((b) => b.action === 'exceptions.create')).toBe(true);
    // Opening the form changes nothing: a second click is the same form.
    expect((await click(t, newCase!, { openId: 'ou_reporter' })).card!.data).toEqual(form);
  });

  it("names and links the team's group in the reporter's confirmation", async () => {
    const msg = await say(t, '异常件 丢件 TB20261123101 SF1234567890123 客户说一周没更新', 'ou_reporter');
    await settle(t);
    const text = JSON.stringify(t.feishu.replies(msg)[0]!.card);
    expect(cardText(text)).toContain(
      '工单卡片已发到 [物流组 Logistics 群](https://applink.feishu.cn/client/chat/open?openChatId=oc_logistics)',
    );
    expect((await latestCase(t)).chatId).toBe('oc_logistics');
  });

  it('says the card went to the owner when the team has no group yet', async () => {
    await createDirectory({ db: t.deps.database.db }).upsertTeams([
      { key: 'warehouse', name: '仓库组 Warehouse', chatId: null, leadOpenId: 'ou_lead_wh', managerOpenId: 'ou_mgr' },
    ]);
    const msg = await say(t, '异常件 漏发 TB20261123102 SF1234567890123 少发一件', 'ou_reporter');
    await settle(t);
    const text = cardText(t.feishu.replies(msg)[0]!.card);
    expect(text).toContain('尚未绑定群聊');
    expect(text).toContain('仓库组 Warehouse');
  });
});
