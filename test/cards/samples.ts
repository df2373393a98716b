import type { Card, CardRenderer } from '../../src/core/cards/render.js';
import { md } from '../../src/core/cards/markdown.js';
import { bi } from '../../src/domains/shared/bilingual.js';
import { exceptionCards } from '../../src/domains/exceptions/cards.js';
import { communitySamples } from './community-samples.js';
import type { CaseView } from '../../src/domains/exceptions/service/view.js';
import { renderQa } from './qa-samples.js';
import { contractCards } from '../../src/domains/contracts/cards.js';
import type { ContractView } from '../../src/domains/contracts/service/view.js';
import { paymentMonthText, paymentPlanText } from '../../src/domains/contracts/questions.js';
import { budgetAlertCard } from '../../src/domains/contracts/service/budget-alerts.js';
import type { PaymentMonths } from '../../src/domains/contracts/service/payment-months.js';
import type { PaymentPlan } from '../../src/domains/contracts/service/payment-plan.js';
import type { ContractRow, PaymentRow, StepRow } from '../../src/domains/contracts/repository.js';

/** Directory ids the workflow chose: the only people a rendered card may mention. */
export const PEOPLE = { owner: 'ou_owner1', warehouse: 'ou_wh1', requester: 'ou_req1', approver: 'ou_appr1' };

/** A case as the cards see it; every text field holds `text` (user or Bitable text). */
export function sampleView(text: string, over: Partial<CaseView> = {}): CaseView {
  const dueAt = new Date('2026-11-26T07:30:00Z');
  const reading = { dueAt, remainingMinutes: 95, fractionUsed: 0.4, breached: false };
  return {
    id: 48,
    version: 3,
    no: 'EX000048',
    title: text,
    kind: bi('丢件', 'Lost parcel'),
    priority: { ...bi('高', 'High'), code: 'P1' },
    state: 'waiting_warehouse',
    stateLabel: bi('待仓库', 'Waiting for warehouse'),
    orderNo: text,
    channel: text,
    description: text,
    rowUrl: null,
    fields: [{ id: 'tracking_number', label: bi('快递单号', 'Tracking no.'), value: text }],
    missing: [{ id: 'return_tracking_number', label: bi('退货单号', 'Return tracking no.') }],
    ownerOpenId: PEOPLE.owner,
    warehouseOpenId: PEOPLE.warehouse,
    teamName: text,
    clock: {
      ...reading,
      which: 'sla',
      status: 'running',
      sla: { ...reading, budgetMinutes: 240, usedMinutes: 145 },
      platform: null,
    },
    money: { atRiskFen: 19_900, refundedFen: 0, recoveredFen: 0, writtenOffFen: 0 },
    escalation: 'notify_lead',
    nudgeCount: 2,
    pendingApproval: { id: 7, role: bi('经理', 'manager'), amountFen: 25_900, purpose: 'refund' },
    verbs: ['wait_customer', 'resolve', 'cancel'],
    canEscalate: true,
    canRequestApproval: true,
    isDispute: true,
    disputeOutcome: null,
    timeZone: 'Asia/Shanghai',
    ...over,
  } as CaseView;
}

/** Every card the product sends, rendered with `text` in every user-supplied variable. */
export function renderAll(cards: CardRenderer, text: string): Record<string, Card> {
  const x = exceptionCards(cards);
  const waiting = sampleView(text);
  const working = sampleView(text, {
    state: 'in_progress',
    missing: [],
    isDispute: false,
    verbs: ['wait_warehouse', 'resolve', 'cancel'],
  });
  const finished = sampleView(text, {
    state: 'closed',
    verbs: [],
    canEscalate: false,
    canRequestApproval: false,
    pendingApproval: null,
  });
  const approval = {
    purpose: 'refund',
    amountFen: 25_900,
    role: bi('经理', 'manager'),
    note: text,
    requestedBy: PEOPLE.requester,
  };
  return {
    'core/help': cards.render('core/help', {
      subtitle: text,
      commands: md`- **帮助** — ${text}`,
      shortcuts: [
        cards.part('core/parts/help-shortcuts', {
          buttons: [
            cards.part('core/parts/help-button', {
              name: 'shortcut_0',
              label: text.slice(0, 40) || 'x',
              type: 'primary',
              value: { action: 'exceptions.new-form' },
            }),
          ],
        }),
      ],
    }),
    'core/hint': cards.render('core/hint', { text, suggestion: md`你是不是想用 **${text}**？` }),
    'core/error': cards.render('core/error', { message: text, reference: text }),
    'core/refused': cards.render('core/refused', { message: text }),
    'directory/greeting': cards.render('directory/greeting', {
      chat: text,
      teams: md`**尚未绑定群聊的团队 Teams without a group** ${text}`,
    }),
    'directory/bound': cards.render('directory/bound', { team: text, content: md`本群已绑定为 **${text}** 的团队群` }),
    'exceptions/case (waiting)': x.caseCard(waiting),
    'exceptions/case (working)': x.caseCard(working),
    'exceptions/case (finished)': x.caseCard(finished),
    'exceptions/assigned': x.assigned(waiting),
    'exceptions/nudge': x.nudge(waiting, 3),
    'exceptions/filled': x.filled(waiting, md`已记录 **${text}** · Recorded.`),
    'exceptions/approval': x.approval(waiting, { id: 7, ...approval }),
    'exceptions/approval-decided': x.approvalDecided(waiting, {
      decision: 'rejected',
      amountFen: 25_900,
      purpose: 'refund',
      decidedBy: PEOPLE.approver,
      reason: text,
    }),
    'exceptions/escalation': x.escalation(waiting, { message: text, by: PEOPLE.requester, note: text }),
    'exceptions/notice': x.notice(text, text, 'red'),
    'exceptions/lookup': x.lookup(text, md`**EX000048** ${text}`),
    'exceptions/create-form': x.createForm([
      { id: 'lost', label: bi('丢件', 'Lost parcel') },
      { id: text.slice(0, 20) || 'x', label: bi(text || 'x', text || 'x') },
    ]),
    'exceptions/summary': x.summary({
      date: text,
      open: md`**未结 Open 3** ${text}`,
      sla: md`${text}`,
      cycle: md`${text}`,
      money: md`${text}`,
      disputes: md`${text}`,
      claims: md`${text}`,
    }),
    'exceptions/claim-reminder': x.claimReminder({
      no: 'EX000048',
      counterparty: text,
      content: md`**追款 Claim** ${text}`,
    }),
    ...communitySamples(cards, text),
    ...renderQa(cards, text, PEOPLE.owner),
    ...contractSamples(cards, text),
  };
}

/** A contract as the cards see it; every text field holds `text`. */
export function sampleContract(text: string, over: Partial<ContractRow> = {}): ContractView {
  const at = new Date('2026-11-26T07:30:00Z');
  const contract: ContractRow = {
    id: 12,
    contractNo: 'HT-2026-WL-0012',
    title: text,
    counterpartyId: 3,
    type: 'logistics',
    productType: text,
    shopType: text,
    custom: {},
    amountFen: 25_000_000,
    currency: 'USD',
    amountCnyFen: 177_500_000,
    signDate: '2026-03-01',
    startDate: '2026-04-01',
    endDate: '2027-03-31',
    noticeDays: 30,
    autoRenew: true,
    ownerOpenId: PEOPLE.owner,
    department: 'operations',
    budgetId: 1,
    budgetCommittedFen: 0,
    files: [],
    state: 'in_approval',
    renewsId: null,
    round: 1,
    risk: null,
    riskLevel: 'high',
    source: 'api',
    externalId: text,
    requesterOpenId: PEOPLE.requester,
    cardMessageId: null,
    cardSentAt: null,
    snoozedUntil: null,
    bitableRecordId: null,
    version: 4,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
  const step = (seq: number, role: StepRow['role'], decision: StepRow['decision']): StepRow => ({
    id: 40 + seq,
    contractId: 12,
    round: 1,
    seq,
    role,
    approverOpenId: PEOPLE.approver,
    cardMessages: [],
    decision,
    reason: decision === 'returned' ? text : null,
    decidedBy: null,
    pendingSince: at,
    decidedAt: null,
    remindedAt: null,
    escalatedAt: null,
    escalatedTo: decision === 'pending' ? PEOPLE.approver : null,
  });
  const registration = {
    status: 'abnormal' as const,
    registeredCapitalFen: 100_000_000,
    legalRepresentative: text,
    abnormalOperation: true,
    judicialCases: 2,
    source: 'http',
  };
  return {
    contract,
    counterparty: text,
    risk: {
      level: 'blocked',
      list: 'black',
      listReason: text,
      registration,
      needsOverride: true,
      reasons: [text],
      history: {
        count: 3,
        totalFen: 300_000_00,
        last: [{ contractNo: 'HT-2025-WL-0003', title: text, amountFen: 100_000_00, state: 'expired' }],
        disputes: 1,
        overduePayments: 2,
      },
    },
    steps: [step(1, 'legal', 'approved'), step(2, 'risk_override', 'pending'), step(3, 'finance', 'waiting')],
    budget: {
      id: 1,
      bitableRecordId: null,
      code: text.slice(0, 40) || 'B',
      name: text,
      department: 'operations',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      amountFen: 500_000_00,
      committedFen: 100_000_00,
      reservedFen: 50_000_00,
      spentFen: 0,
      fiscalYear: 2026,
      category: 'logistics',
      ownerOpenId: PEOPLE.owner,
      state: 'active',
      version: 1,
      usageAlerted: false,
      usageAlerts: 0,
    },
    similar: [{ ...contract, id: 9, contractNo: 'HT-2026-WL-0009', state: 'active' }],
    renewal: undefined,
  };
}

function contractSamples(cards: CardRenderer, text: string): Record<string, Card> {
  const c = contractCards(cards);
  const v = sampleContract(text);
  const draft = sampleContract(text, { state: 'draft' });
  const active = sampleContract(text, { state: 'active' });
  const payment: PaymentRow = {
    id: 5,
    contractId: 12,
    budgetId: 1,
    amountFen: 60_000_00,
    state: 'pending_approval',
    flags: ['over_budget', 'risk'],
    paidDate: null,
    reserved: false,
    plannedDate: '2026-05-01',
    requestedBy: PEOPLE.requester,
    decidedBy: null,
    externalId: text,
    riskLevel: 'high',
    bitableRecordId: null,
    createdAt: new Date('2026-11-26T07:30:00Z'),
  };
  return {
    'contracts/contract (in approval)': c.contract(v),
    'contracts/contract (returned)': c.contract({ ...draft, steps: [{ ...draft.steps[0]!, decision: 'returned' }] }),
    'contracts/approval': c.approval(v, v.steps[1]!),
    'contracts/approval (reminder)': c.approval(v, v.steps[1]!, { kind: 'reminder', timeZone: 'Asia/Shanghai' }),
    'contracts/approval (escalated)': c.approval(v, v.steps[1]!, { kind: 'escalated', timeZone: 'Asia/Shanghai' }),
    'contracts/decided': c.decided(v, {
      ...v.steps[0]!,
      decision: 'rejected',
      reason: text,
      decidedBy: PEOPLE.approver,
    }),
    'contracts/reminder': c.reminder(v, { kind: 'notice', target: '2027-03-01', daysLeft: 7 }),
    'contracts/reminder (finance: no 终止)': c.reminder(v, { kind: 'end', target: '2027-03-01', daysLeft: 7 }, false),
    'contracts/payment-approval': c.paymentApproval(v, payment),
    'contracts/create-form': c.createForm({ title: text, counterparty: text }),
    'contracts/lookup': c.lookup(text, md`**HT-2026-WL-0012** ${text}`),
    'contracts/lookup (payment plan)': c.lookup('付款计划', paymentPlanText(samplePlan(text))),
    'contracts/notice': c.notice(text, text, 'green'),
    'contracts/notice (budget alert)': budgetAlertCard(c, { ...v.budget!, committedFen: 460_000_00 }),
    'contracts/lookup (payment month)': c.lookup('本月付款', paymentMonthText(sampleMonths(text))),
    'contracts/contract (active, 终止)': c.contract(active),
    'contracts/lookup (终止)': c.lookup(text, md`**HT-2026-WL-0012** ${text}`, active.contract),
    'contracts/terminate-form': c.terminateForm(active),
    'contracts/notice (terminated)': c.terminated({ ...active.contract, state: 'terminated' }, text),
  };
}

/** This month by budget line, with user text in the line's name, code and department. */
function sampleMonths(text: string): PaymentMonths {
  const line = (key: string, overdueFen: number) => ({
    key,
    label: text,
    department: text,
    months: [{ month: '2026-11', plannedFen: 30_000_00, paidFen: 12_000_00, overdueFen }],
    plannedFen: 30_000_00,
    paidFen: 12_000_00,
    overdueFen,
    unscheduledFen: 0,
  });
  const total = line('all', 18_000_00);
  return {
    today: '2026-11-26',
    months: ['2026-11'],
    definition: '',
    total,
    byBudget: [line(text.slice(0, 40), 18_000_00), line(`dept:${text}`, 0)],
    byDepartment: [total],
  };
}

/** A payment plan with user text in every name (counterparty, title, budget). */
function samplePlan(text: string): PaymentPlan {
  const item = (i: number, dueDate: string | null, overdue: boolean) => ({
    paymentId: i,
    contractId: 12,
    contractNo: `HT-2026-WL-00${i}`,
    title: text,
    counterparty: text,
    budgetCode: text.slice(0, 40),
    budgetName: text,
    amountFen: 12_000_00 * i,
    state: 'approved' as const,
    dueDate,
    overdue,
    ownerOpenId: PEOPLE.requester,
  });
  const total = { key: text, label: text, payments: 2, totalFen: 36_000_00, overdueFen: 12_000_00 };
  return {
    today: '2026-03-02',
    definition: '',
    totalFen: 36_000_00,
    overdue: { payments: 1, totalFen: 12_000_00 },
    items: [item(1, '2026-02-20', true), item(2, null, false)],
    byContract: [total],
    byCounterparty: [total],
    byBudget: [total],
  };
}
