import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuestion, quarterOf } from '../../../src/domains/contracts/logic/questions.js';
import {
  activeContract,
  addBudget,
  apiPost,
  body,
  buttons,
  cardText,
  click,
  contractsApp,
  say,
  settle,
  type ContractsTestApp,
} from './helpers.js';
import { repo } from '../../../src/domains/contracts/repository.js';

describe('plain-word questions (pure)', () => {
  it('reads next month and this quarter across year ends and leap years', () => {
    expect(parseQuestion('下月到期的合同？', '2026-12-15')).toMatchObject({ from: '2027-01-01', to: '2027-01-31' });
    expect(parseQuestion('下个月到期', '2028-01-31')).toMatchObject({ from: '2028-02-01', to: '2028-02-29' });
    expect(quarterOf('2026-03-31')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(quarterOf('2026-11-01')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(parseQuestion('运营部门本季度预算还剩多少？', '2026-05-01')).toMatchObject({
      kind: 'budget',
      department: '运营',
      from: '2026-04-01',
      to: '2026-06-30',
    });
    expect(parseQuestion('预算', '2026-05-01')).toMatchObject({ kind: 'budget', department: null });
    expect(parseQuestion('顺丰', '2026-05-01')).toBeNull();
    expect(parseQuestion('HT-2026-WL-0001', '2026-05-01')).toBeNull();
  });
});

describe('合同 下月到期 / 待我审批 / <部门>本季度预算还剩多少, and the help card’s buttons', () => {
  let t: ContractsTestApp;
  let nextMonth: string;
  const replyTo = (messageId: string) => cardText(t.feishu.replies(messageId).at(-1)?.card ?? {});

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' });
    const one = await activeContract(t, { title: '四月到期合同', startDate: '2025-05-01', endDate: '2026-04-30' });
    await activeContract(t, { title: '五月到期合同', startDate: '2025-06-01', endDate: '2026-05-31' });
    nextMonth = (await repo.get(t.deps.database.db, one))!.contractNo;
    await addBudget(t, 'OPS-2026Q1', 100_000, 'operations');
    await repo.upsertBudget(t.deps.database.db, {
      code: 'MKT-2026Q1',
      name: '市场 2026Q1',
      department: 'marketing',
      periodStart: '2026-01-01',
      periodEnd: '2026-03-31',
      amountFen: 50_000_00,
    });
    const paid = await activeContract(t, { title: '有预算的合同', budgetCode: 'OPS-2026Q1', amountFen: 30_000_00 });
    await apiPost(t, `/api/contracts/${paid}/payments`, { amountFen: 12_345_00, by: 'ou_req' });
    await apiPost(t, '/api/contracts', body({ title: '待审合同' }));
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('下月到期的合同 lists April’s endings and not May’s', async () => {
    const text = replyTo(await say(t, '合同 下月到期的合同', 'ou_req'));
    expect(text).toContain('2026-04-01 → 2026-04-30');
    expect(text).toContain(nextMonth);
    expect(text).toContain('四月到期合同');
    expect(text).not.toContain('五月到期合同');
  });

  it('运营本季度预算还剩多少 answers from the operations budget (team name or key), and only that', async () => {
    for (const q of ['合同 运营本季度预算还剩多少？', '合同 预算 operations']) {
      const text = replyTo(await say(t, q, 'ou_fin'));
      expect(text, q).toContain('OPS-2026Q1');
      expect(text, q).toContain('剩余 left **¥87,655.00** / ¥100,000.00');
      expect(text, q).not.toContain('MKT-2026Q1');
    }
    expect(replyTo(await say(t, '合同 火星部本季度预算', 'ou_fin'))).toContain('没有找到该部门本季度的预算');
  });

  it('the help card carries 新建合同 / 待我审批 / 下月到期 buttons that answer in place', async () => {
    const help = t.feishu.replies(await say(t, '帮助', 'ou_legal')).at(-1)!;
    const values = buttons(help.card).filter((b) => String(b.action).startsWith('contracts.'));
    expect(values.map((v) => v.action)).toEqual([
      'contracts.new-form',
      'contracts.my-approvals',
      'contracts.expiring-next-month',
    ]);
    const form = await click(t, values[0]!, { openId: 'ou_legal' });
    expect(buttons(form.card)).toEqual([{ action: 'contracts.create' }]);
    const mine = await click(t, values[1]!, { openId: 'ou_legal' });
    expect(cardText(mine.card)).toContain('待审合同');
    const stranger = await click(t, values[1]!, { openId: 'ou_req' });
    expect(cardText(stranger.card)).toContain('没有待你审批的合同');
    const soon = await click(t, values[2]!, { openId: 'ou_req' });
    expect(cardText(soon.card)).toContain('四月到期合同');
  });
});
