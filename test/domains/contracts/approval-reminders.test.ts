import { writeFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessCalendar } from '../../../src/domains/shared/business-calendar.js';
import { ApprovalReminderPolicy, stepNudge } from '../../../src/domains/contracts/logic/approval-reminders.js';
import {
  apiPost,
  body,
  buttons,
  cardText,
  click,
  contractsApp,
  one,
  settle,
  sh,
  sweepApprovalsAt,
  type ContractsTestApp,
} from './helpers.js';

const SCHEDULE = 'contracts.approval-reminders';
const sweepAt = sweepApprovalsAt;

interface StepState {
  id: number;
  decision: string;
  decided_by: string | null;
  escalated_to: string | null;
  escalated: boolean;
}
const stepOf = (t: ContractsTestApp, contractId: number, seq: number) =>
  one<StepState & Record<string, unknown>>(
    t,
    `select id::int as id, decision, decided_by, escalated_to, escalated_at is not null as escalated
     from contracts_approval_steps where contract_id = $1 and seq = $2`,
    [contractId, seq],
  );
const cardsTo = (t: ContractsTestApp, openId: string, no: string, marker: string) =>
  t.feishu.to(openId).filter((s) => cardText(s.card).includes(no) && cardText(s.card).includes(marker));

describe('approval reminder timing (pure, business calendar)', () => {
  const cal = buildBusinessCalendar({ timeZone: 'Asia/Shanghai' });
  const policy = ApprovalReminderPolicy.parse({});
  const since = sh('2026-03-06T17:00'); // a Friday, 1.5 business hours before the weekend
  it('counts business hours only: the weekend does not count, and nothing is sent on it', () => {
    const clock = { pendingSince: since, remindedAt: null, escalatedAt: null };
    expect(stepNudge(clock, policy, cal, sh('2026-03-07T10:00'))).toEqual({ remind: false, escalate: false });
    expect(stepNudge(clock, policy, cal, sh('2026-03-09T15:00')).remind).toBe(false); // 6.5 h
    expect(stepNudge(clock, policy, cal, sh('2026-03-09T17:00')).remind).toBe(true); // 8.5 h
    const reminded = { ...clock, remindedAt: sh('2026-03-09T17:00') };
    expect(stepNudge(reminded, policy, cal, sh('2026-03-09T18:00')).remind).toBe(false);
    expect(stepNudge(reminded, policy, cal, sh('2026-03-10T09:10')).remind).toBe(true);
  });
  it('rejects an escalation limit below the reminder limit', () => {
    expect(ApprovalReminderPolicy.safeParse({ remindAfterHours: 10, escalateAfterHours: 4 }).success).toBe(false);
  });
});

describe('approver reminders and escalation through the hourly schedule', () => {
  let t: ContractsTestApp;
  let id: number;
  let no: string;

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' }); // a Monday
    // A title with markup in it: shown as typed on every card, never a mention or bold text.
    const title = '快递合同 <at id=all></at> **加急**';
    const res = await apiPost(t, '/api/contracts', body({ amountFen: 80_000_00, requesterOpenId: 'ou_req', title }));
    expect(res.statusCode).toBe(201);
    id = res.json().contract.id;
    no = res.json().contract.contractNo;
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('does not remind before 8 business hours, then reminds the approver once that day', async () => {
    expect((await stepOf(t, id, 1)).decision).toBe('pending');
    await sweepAt(t, '2026-03-02T17:20');
    await sweepAt(t, '2026-03-03T09:20'); // 7 h 20 min of working time
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(0);
    await sweepAt(t, '2026-03-03T10:20');
    const reminders = cardsTo(t, 'ou_legal', no, '催办');
    expect(reminders).toHaveLength(1);
    expect(buttons(reminders[0]!.card)[0]).toMatchObject({
      action: 'contracts.decide',
      stepId: (await stepOf(t, id, 1)).id,
      decision: 'approve',
    });
    await sweepAt(t, '2026-03-03T11:20');
    await sweepAt(t, '2026-03-03T16:20');
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(1);
  });

  it('sends nothing outside working hours, and reminds again on the next working day', async () => {
    await sweepAt(t, '2026-03-03T20:20');
    await sweepAt(t, '2026-03-04T07:20');
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(1);
    await sweepAt(t, '2026-03-04T09:20');
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(2);
  });

  it('escalates once after 24 business hours to the approver’s manager, who may decide', async () => {
    await sweepAt(t, '2026-03-05T09:20'); // 23 h 20 min
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(3);
    expect(cardsTo(t, 'ou_mgr', no, '升级')).toHaveLength(0);
    await sweepAt(t, '2026-03-05T10:20');
    await sweepAt(t, '2026-03-05T11:20');
    const escalated = cardsTo(t, 'ou_mgr', no, '升级');
    expect(escalated).toHaveLength(1);
    expect(await stepOf(t, id, 1)).toMatchObject({ decision: 'pending', escalated_to: 'ou_mgr', escalated: true });
    const history = await t.database.query<{ note: string }>(
      `select note from contracts_history where contract_id = $1 and action = 'step_escalated'`,
      [id],
    );
    expect(history.rows).toEqual([{ note: 'legal #1 → ou_mgr' }]);
    // The requester is told once: the step, the approver who did not act, the manager it went to.
    const told = cardsTo(t, 'ou_req', no, '审批已升级');
    expect(told).toHaveLength(1);
    const text = cardText(told[0]!.card);
    expect(text).toContain('法务 Legal (1/');
    expect(text).toContain('<at id=ou_legal></at> 自 2026-03-02 10:00 起未处理，已升级给 <at id=ou_mgr></at>');
    expect(text).toContain('快递合同 <at id=all></at> **加急**');
    const raw = JSON.stringify(told[0]!.card);
    expect(raw).not.toContain('<at id=all>');
    expect(raw).not.toContain('**加急**');
    if (process.env.CONTRACT_CARDS_OUT)
      writeFileSync(process.env.CONTRACT_CARDS_OUT, JSON.stringify(told[0]!.card, null, 1));
    // 待我审批 lists it for the manager too.
    const mine = await click(t, { action: 'contracts.my-approvals' }, { openId: 'ou_mgr' });
    expect(cardText(mine.card!.data)).toContain(no);

    const value = buttons(escalated[0]!.card)[0]!;
    expect((await click(t, value, { openId: 'ou_mgr' })).toast?.type).toBe('success');
    expect(await stepOf(t, id, 1)).toMatchObject({ decision: 'approved', decided_by: 'ou_mgr' });
    expect((await stepOf(t, id, 2)).decision).toBe('pending');
    // The approver's own reminder card now changes nothing.
    const old = buttons(cardsTo(t, 'ou_legal', no, '催办').at(-1)!.card)[0]!;
    expect((await click(t, old, { openId: 'ou_legal' })).toast?.type).toBe('info');
    expect((await click(t, value, { openId: 'ou_mgr' })).toast?.type).toBe('info');
  });

  it('never reminds a decided step; the next step’s clock starts at its own turn', async () => {
    await settle(t);
    await sweepAt(t, '2026-03-06T10:20'); // finance pending since Thu 11:20: 7 h of working time
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(3);
    expect(cardsTo(t, 'ou_fin', no, '催办')).toHaveLength(0);
    await sweepAt(t, '2026-03-06T11:20');
    expect(cardsTo(t, 'ou_fin', no, '催办')).toHaveLength(1);
    expect(cardsTo(t, 'ou_legal', no, '催办')).toHaveLength(3);
  });
});

describe('races: sweeps and decisions at the same moment', () => {
  let t: ContractsTestApp;
  const ids: number[] = [];

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' });
    for (let i = 0; i < 4; i++) {
      const res = await apiPost(t, '/api/contracts', body({ amountFen: 80_000_00 }));
      ids.push(res.json().contract.id);
    }
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('decision vs escalation: the step is decided once, escalated at most once', async () => {
    const [a, b] = ids as [number, number];
    const decideCard = async (cid: number) => {
      const s = await stepOf(t, cid, 1);
      const v = await one<{ version: number }>(t, 'select version from contracts_contracts where id = $1', [cid]);
      return { action: 'contracts.decide', stepId: s.id, version: v.version, decision: 'approve' };
    };
    const values = [await decideCard(a), await decideCard(b)];
    t.clock.set('2026-03-05T10:20');
    const [, , r1, r2] = await Promise.all([
      t.deps.jobs.tick(SCHEDULE, sh('2026-03-05T10:20')),
      t.deps.jobs.tick(SCHEDULE, sh('2026-03-05T10:21')),
      click(t, values[0]!, { openId: 'ou_legal' }),
      click(t, values[1]!, { openId: 'ou_legal' }),
    ]);
    expect([r1.toast?.type, r2.toast?.type]).toEqual(['success', 'success']);
    await sweepAt(t, '2026-03-05T10:22');
    for (const cid of [a, b]) {
      const s = await stepOf(t, cid, 1);
      expect(s).toMatchObject({ decision: 'approved', decided_by: 'ou_legal' });
      const n = await one<{ n: number }>(
        t,
        `select count(*)::int as n from contracts_history where contract_id = $1 and action = 'step_escalated'`,
        [cid],
      );
      expect(n.n).toBe(s.escalated ? 1 : 0);
      expect(n.n).toBeLessThanOrEqual(1);
    }
    // Once decided, no later sweep escalates or reminds it.
    await sweepAt(t, '2026-03-05T11:20');
    for (const cid of [a, b]) {
      const escalations = await one<{ n: number }>(
        t,
        `select count(*)::int as n from contracts_history where contract_id = $1 and action = 'step_escalated'`,
        [cid],
      );
      expect(escalations.n).toBeLessThanOrEqual(1);
    }
  });

  it('after escalation, approver and manager click at once: one decision wins', async () => {
    const [, , c, d] = ids as [number, number, number, number];
    await settle(t); // escalated by the sweeps above
    for (const cid of [c, d]) {
      expect(await stepOf(t, cid, 1)).toMatchObject({ decision: 'pending', escalated_to: 'ou_mgr' });
      const v = await one<{ version: number }>(t, 'select version from contracts_contracts where id = $1', [cid]);
      const value = { action: 'contracts.decide', stepId: (await stepOf(t, cid, 1)).id, version: v.version };
      const results = await Promise.all([
        click(t, { ...value, decision: 'approve' }, { openId: 'ou_legal' }),
        click(t, { ...value, decision: 'approve' }, { openId: 'ou_mgr' }),
      ]);
      expect(results.map((r) => r.toast?.type).sort()).toEqual(['info', 'success']);
      const winner = results[0]!.toast?.type === 'success' ? 'ou_legal' : 'ou_mgr';
      expect(await stepOf(t, cid, 1)).toMatchObject({ decision: 'approved', decided_by: winner });
      const approved = await one<{ n: number }>(
        t,
        `select count(*)::int as n from contracts_history where contract_id = $1 and action = 'step_approved'`,
        [cid],
      );
      expect(approved.n).toBe(1);
    }
    await settle(t);
    for (const cid of [c, d]) {
      const finance = (await stepOf(t, cid, 2)).id;
      const cards = t.feishu.to('ou_fin').filter((s) => buttons(s.card).some((b) => b.stepId === finance));
      expect(cards).toHaveLength(1);
    }
  });
});
