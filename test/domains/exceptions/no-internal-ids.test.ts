import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindStaleClaims, sendDailySummary } from '../../../src/domains/exceptions/jobs.js';
import { renderAll } from '../../cards/samples.js';
import {
  apiPost,
  buttons,
  cardText,
  click,
  exceptionsApp,
  fresh,
  latestCase,
  say,
  serviceOf,
  settle,
  sh,
  type ExceptionsTestApp,
} from './helpers.js';

/**
 * What people read never shows an internal id: no open_id / union_id / chat id / message id, no
 * Bitable record or table id. People appear as @mentions (Feishu shows the name), cases by number.
 */
const INTERNAL_ID = /\b(?:ou|on|oc|om|og|cli)_[A-Za-z0-9_]+|\b(?:rec|tbl|bas)[A-Za-z0-9]{8,}\b/g;

/** Every string a person sees on a card: text contents, never callback values; @mentions show a name. */
export function visibleText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      if (key === 'content' || key === 'text' || key === 'placeholder') out.push(node);
    } else if (Array.isArray(node)) node.forEach((n) => walk(n, key));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) if (k !== 'behaviors' && k !== 'value') walk(v, k);
    }
  };
  walk(card);
  // A link shows its text, not its target: [物流组 群](https://applink…?openChatId=oc_…) reads "物流组 群".
  return cardText(out.join('\n'))
    .replace(/<at id=[^>]*><\/at>/g, '@someone')
    .replace(/\]\(https:[^)\s]*\)/g, ']');
}

const idsIn = (text: string): string[] => text.match(INTERNAL_ID) ?? [];

describe('no internal ids in what people read', () => {
  let t: ExceptionsTestApp;
  const toasts: string[] = [];

  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T10:00' });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('answers "单号 …" from someone with no waiting case in words, not with their open id', async () => {
    const msg = await say(t, '单号 SF1234567890123', 'ou_nobody_waiting');
    const [reply] = t.feishu.replies(msg);
    const text = visibleText(reply!.card);
    expect(text).toContain('没有待回填单号的异常件');
    expect(text).toContain('单号 EX000123 SF1234567890123');
    expect(idsIn(text)).toEqual([]);
  });

  it("the lead's escalation DM says who escalated and why, carries the case and the lead's buttons", async () => {
    await say(t, '异常件 丢件 TB20261123009 SF1234567890123 ¥89.50 客户说一周没更新', 'ou_reporter');
    await settle(t);
    const c = await latestCase(t);
    const res = await click(
      t,
      { action: 'exceptions.escalate', ...(await fresh(t, c.id)) },
      { openId: 'ou_agent_1', formValue: { note: '客户要投诉到平台' } },
    );
    toasts.push(res.toast!.content);
    expect(res.toast?.content).toBe('已升级至组长 · Escalated to the team lead');
    await settle(t);
    const dm = t.feishu.to('ou_lead_lg').find((s) => cardText(s.card).includes('异常件升级'))!;
    expect(dm).toBeDefined();
    expect(JSON.stringify(dm.card)).toContain('<at id=ou_agent_1></at>'); // who: shown by Feishu as the person's name
    const text = visibleText(dm.card);
    expect(text).toContain('升级人 By');
    expect(text).toContain('原因 Why** 客户要投诉到平台');
    expect(text).toContain('TB20261123009');
    const values = buttons(dm.card);
    expect(values.map((v) => v.verb ?? v.action)).toEqual(expect.arrayContaining(['start', 'exceptions.escalate']));
    expect(values.every((v) => v.version === c.version + 1 || v.version === undefined)).toBe(true);
    expect(idsIn(text)).toEqual([]);

    // The lead acts from the DM: the same safe-to-repeat buttons as the case card.
    const start = values.find((v) => v.verb === 'start')!;
    const moved = await click(t, start, { openId: 'ou_lead_lg' });
    toasts.push(moved.toast!.content);
    expect(moved.toast?.type).toBe('success');
  });

  it('says why the SLA clock escalated when nobody pressed the button', async () => {
    const svc = serviceOf(t);
    t.clock.set('2026-11-25T12:00');
    await svc.sweepEscalations(sh('2026-11-25T12:00'));
    await settle(t);
    // The case was already escalated by hand to the lead: the clock warns the owner and, overdue, the manager.
    const auto = t.feishu.sent
      .filter((s) => s.kind === 'send' && cardText(s.card).includes('异常件升级'))
      .map((s) => visibleText(s.card));
    expect(auto.filter((text) => text.includes('系统（时限计时）')).length).toBeGreaterThan(0);
    expect(auto.some((text) => text.includes('系统（时限计时）') && text.includes('原因 Why** SLA时限'))).toBe(true);
  });

  it('no card or toast the workflow sent in this story, nor any sample card, shows an internal id', async () => {
    const r = await apiPost(t, '/api/exceptions', {
      externalId: 'ID1',
      kind: 'lost',
      orderNo: 'O-ID1',
      trackingNumber: 'SF1234567890123',
      amountAtRiskFen: 100_00,
    });
    const id = r.json().case.id as number;
    await apiPost(t, `/api/exceptions/${id}/claims`, {
      counterpartyType: 'carrier',
      counterparty: '顺丰 SF',
      claimFen: 100_00,
    });
    await remindStaleClaims(serviceOf(t), sh('2026-11-30T10:00'));
    await sendDailySummary(serviceOf(t), sh('2026-11-30T09:00'));
    const stranger = await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, id)), verb: 'start' },
      { openId: 'ou_stranger' },
    );
    toasts.push(stranger.toast!.content);
    const gone = await click(
      t,
      { action: 'exceptions.act', caseId: 999_999, version: 1, verb: 'start' },
      { openId: 'ou_agent_1' },
    );
    toasts.push(gone.toast!.content);
    expect(gone.toast?.content).toContain('EX999999');
    await settle(t);

    const seen = [...t.feishu.sent.map((s) => visibleText(s.card)), ...toasts];
    expect(t.feishu.sent.length).toBeGreaterThan(8);
    const leaks = seen.flatMap((text) => idsIn(text).map((id) => `${id} in: ${text.slice(0, 120)}`));
    expect(leaks).toEqual([]);

    const samples = Object.entries(renderAll(t.deps.cards, 'plain text'));
    for (const [name, card] of samples) expect(idsIn(visibleText(card)), name).toEqual([]);
  });

  it('the scan itself finds an id a card would show', () => {
    expect(
      idsIn(visibleText({ body: { elements: [{ tag: 'markdown', content: '找不到 ou_abc123 的工单' }] } })),
    ).toEqual(['ou_abc123']);
    expect(
      idsIn(
        visibleText({
          body: { elements: [{ tag: 'markdown', content: '<at id=ou_abc123></at> 记录 recAbCdEf1234' }] },
        }),
      ),
    ).toEqual(['recAbCdEf1234']);
  });
});
