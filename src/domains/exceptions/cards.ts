import type { CardLibrary } from '../../feishu/cards.js';
import type { Card } from '../../feishu/index.js';
import { bi, type Bilingual } from '../shared/bilingual.js';
import { clockLine, factsOf, label, money, moneyLine, stateColor, statusLine } from './card-text.js';
import type { CardVerb } from './service/act.js';
import type { CaseView } from './service/view.js';

type Element = Record<string, unknown>;

const VERB_LABELS: Record<CardVerb, Bilingual> = {
  start: bi('开始处理', 'Start'),
  wait_warehouse: bi('待仓库', 'Wait for warehouse'),
  wait_customer: bi('待客户', 'Wait for customer'),
  wait_platform: bi('待平台', 'Wait for platform'),
  resume: bi('继续处理', 'Resume'),
  resolve: bi('解决', 'Resolve'),
  close: bi('关闭', 'Close'),
  reopen: bi('重开', 'Reopen'),
  cancel: bi('取消', 'Cancel'),
};

/** Typed render functions over cards/exceptions/*.json: the JSON is the card, these name its variables. */
export function exceptionCards(cards: CardLibrary) {
  const submit = (name: string, text: string, type: string, value: Record<string, unknown>): Element =>
    cards.render('exceptions/parts/submit', { name, label: text, type, value });
  const input = (name: string, placeholder: string, maxLength = 100): Element => cards.render('exceptions/parts/input', { name, placeholder, maxLength });
  const row = (buttons: Element[]): Element =>
    cards.render('exceptions/parts/buttons', { columns: buttons.map((element) => cards.render('exceptions/parts/column', { element })) });

  function verbButtons(v: CaseView): Element[] {
    return v.verbs.flatMap((verb) => {
      const base = { action: 'exceptions.act', caseId: v.id, verb };
      if (verb === 'resolve' && v.isDispute) {
        return [submit('resolve_won', '维权成功 Won', 'primary', { ...base, outcome: 'won' }), submit('resolve_lost', '维权失败 Lost', 'default', { ...base, outcome: 'lost' })];
      }
      const type = verb === 'cancel' ? 'danger' : verb === 'start' || verb === 'resolve' || verb === 'resume' ? 'primary' : 'default';
      return [submit(`verb_${verb}`, label(VERB_LABELS[verb]), type, base)];
    });
  }

  /** The form under the case card: number inputs while waiting, refund request while working, the moves. */
  function actions(v: CaseView): Element {
    const elements: Element[] = [];
    if (v.state === 'waiting_warehouse' && v.missing.length > 0) {
      elements.push(...v.missing.map((m) => input(m.id, `${label(m.label)}，如 e.g. SF1234567890123`, 40)));
      elements.push(row([submit('fill', '提交单号 Submit number', 'primary', { action: 'exceptions.fill', caseId: v.id })]));
    }
    if (v.canRequestApproval) {
      elements.push(input('amount', '退款/赔付金额（元） Refund or compensation amount (yuan)', 20));
      elements.push(row([
        submit('refund', '申请退款 Request refund', 'default', { action: 'exceptions.request-approval', caseId: v.id, purpose: 'refund' }),
        submit('compensation', '申请赔付 Request compensation', 'default', { action: 'exceptions.request-approval', caseId: v.id, purpose: 'compensation' }),
      ]));
    }
    const moves = verbButtons(v);
    if (v.canEscalate) moves.push(submit('escalate', '升级 Escalate', 'danger', { action: 'exceptions.escalate', caseId: v.id }));
    if (moves.length === 0) return cards.render('exceptions/parts/text', { content: "<font color='grey'>已结束 · Finished</font>" });
    elements.push(input('note', '备注 / 原因（取消、重开时必填） Note / reason (required to cancel or reopen)', 500));
    elements.push(row(moves));
    return cards.render('exceptions/parts/actions-form', { elements });
  }

  const tag = (text: string, color: string): Element => cards.render('exceptions/parts/tag', { text, color });

  return {
    /** The one card per case in the team group, updated in place as the case moves. */
    caseCard(v: CaseView): Card {
      return cards.render('exceptions/case', {
        summary: `${v.no} ${v.stateLabel.zh} ${v.title}`,
        title: `${v.no} · ${v.title}`,
        subtitle: `${label(v.kind)} · ${label(v.stateLabel)}`,
        tags: [tag(v.priority.code, v.priority.code === 'P1' ? 'red' : 'blue'), tag(label(v.stateLabel), 'neutral')],
        color: stateColor(v),
        facts: factsOf(v),
        clock: clockLine(v),
        money: moneyLine(v),
        status: statusLine(v),
        actions: actions(v),
      });
    },

    assigned: (v: CaseView): Card =>
      cards.render('exceptions/assigned', { no: v.no, kind: label(v.kind), facts: factsOf(v), clock: clockLine(v), team: v.teamName }),

    nudge(v: CaseView, seq: number): Card {
      const inputs = v.missing.map((m) => input(m.id, `${label(m.label)}，如 e.g. SF1234567890123`, 40));
      inputs.push(submit('fill', '提交 Submit', 'primary', { action: 'exceptions.fill', caseId: v.id }));
      return cards.render('exceptions/nudge', { no: v.no, kind: label(v.kind), seq, facts: factsOf(v), clock: clockLine(v), inputs });
    },

    filled: (v: CaseView, content: string): Card => cards.render('exceptions/filled', { no: v.no, kind: label(v.kind), content }),

    approval(v: CaseView, a: { id: number; purpose: string; amountFen: number; role: Bilingual; note: string | null; requestedBy: string }): Card {
      const purpose = a.purpose === 'refund' ? '退款 Refund' : '赔付 Compensation';
      const request = [`**${purpose}** ${money(a.amountFen)}`, `**审批人 Approver** ${label(a.role)}`, `**申请人 Requested by** <at id=${a.requestedBy}></at>`];
      if (a.note) request.push(`**说明 Note** ${a.note}`);
      return cards.render('exceptions/approval', { no: v.no, kind: label(v.kind), facts: factsOf(v), request: request.join('\n'), approvalId: a.id });
    },

    approvalDecided(v: CaseView, a: { decision: string; amountFen: number; purpose: string; decidedBy: string | null; reason: string | null }): Card {
      const approved = a.decision === 'approved';
      const headline = approved ? '已同意 · Approved' : a.decision === 'escalated' ? '已升级 · Escalated' : '已驳回 · Rejected';
      const lines = [`**${a.purpose === 'refund' ? '退款 Refund' : '赔付 Compensation'}** ${money(a.amountFen)}`, `**审批人 By** ${a.decidedBy ? `<at id=${a.decidedBy}></at>` : '-'}`];
      if (a.reason) lines.push(`**原因 Reason** ${a.reason}`);
      return cards.render('exceptions/approval-decided', { headline, color: approved ? 'green' : a.decision === 'escalated' ? 'purple' : 'red', no: v.no, kind: label(v.kind), facts: factsOf(v), decision: lines.join('\n') });
    },

    escalation: (v: CaseView, message: string): Card =>
      cards.render('exceptions/escalation', { no: v.no, kind: label(v.kind), message, facts: factsOf(v), clock: clockLine(v) }),

    notice: (title: string, content: string, color = 'blue'): Card => cards.render('exceptions/notice', { title, content, color }),

    lookup: (query: string, results: string): Card => cards.render('exceptions/lookup', { query, results }),

    createForm: (kinds: Array<{ id: string; label: Bilingual }>): Card =>
      cards.render('exceptions/create-form', { kindOptions: kinds.map((k) => ({ text: { tag: 'plain_text', content: label(k.label) }, value: k.id })) }),

    summary: (vars: { date: string; open: string; sla: string; cycle: string; money: string; disputes: string; claims: string }): Card =>
      cards.render('exceptions/summary', vars),

    claimReminder: (vars: { no: string; counterparty: string; content: string }): Card => cards.render('exceptions/claim-reminder', vars),
  };
}

export type ExceptionCards = ReturnType<typeof exceptionCards>;
