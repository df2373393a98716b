import { joinMarkdown, md, mention, type Markdown } from '../../core/cards/markdown.js';
import type { Card, CardPart, CardRenderer } from '../../core/cards/render.js';
import { bi, type Bilingual } from '../shared/bilingual.js';
import { clockLine, factsOf, label, money, moneyLine, stateColor, statusLine } from './card-text.js';
import type { CardVerb } from './service/act.js';
import type { CaseView } from './service/view.js';

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

/**
 * Typed render functions over cards/exceptions/*.json: the JSON is the card, these name its
 * variables. Strings are user text (escaped by the renderer); Markdown values come from `md`.
 */
export function exceptionCards(cards: CardRenderer) {
  const move = (name: string, text: string, type: string, value: Record<string, unknown>): CardPart =>
    cards.part('exceptions/parts/move-button', { name, label: text, type, value });

  function moves(v: CaseView): CardPart[] {
    const buttons = v.verbs.flatMap((verb) => {
      const base = { action: 'exceptions.act', caseId: v.id, version: v.version, verb };
      if (verb === 'resolve' && v.isDispute) {
        return [
          move('resolve_won', '维权成功 Won', 'primary', { ...base, outcome: 'won' }),
          move('resolve_lost', '维权失败 Lost', 'default', { ...base, outcome: 'lost' }),
        ];
      }
      const type =
        verb === 'cancel'
          ? 'danger'
          : verb === 'start' || verb === 'resolve' || verb === 'resume'
            ? 'primary'
            : 'default';
      return [move(`verb_${verb}`, label(VERB_LABELS[verb]), type, base)];
    });
    if (v.canEscalate)
      buttons.push(
        move('escalate', '升级 Escalate', 'danger', {
          action: 'exceptions.escalate',
          caseId: v.id,
          version: v.version,
        }),
      );
    return buttons;
  }

  const numberInputs = (v: CaseView): CardPart[] =>
    v.missing.map((m) => cards.part('exceptions/parts/number-input', { name: m.id, label: label(m.label) }));

  /** The form under the case card: number inputs while waiting, refund request while working, the moves. */
  function actions(v: CaseView): CardPart[] {
    const buttons = moves(v);
    if (buttons.length === 0) return [cards.part('exceptions/parts/finished')];
    const waiting = v.state === 'waiting_warehouse' && v.missing.length > 0;
    return [
      cards.part('exceptions/parts/case-actions', {
        fillInputs: waiting ? numberInputs(v) : [],
        fillButton: waiting ? [cards.part('exceptions/parts/fill-button', { caseId: v.id, version: v.version })] : [],
        approvalRequest: v.canRequestApproval
          ? [cards.part('exceptions/parts/approval-request', { caseId: v.id, version: v.version })]
          : [],
        moves: buttons,
      }),
    ];
  }

  const tag = (text: string, color: string): CardPart => cards.part('exceptions/parts/tag', { text, color });

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
      cards.render('exceptions/assigned', {
        no: v.no,
        kind: label(v.kind),
        facts: factsOf(v),
        clock: clockLine(v),
        team: v.teamName,
      }),

    nudge: (v: CaseView, seq: number): Card =>
      cards.render('exceptions/nudge', {
        no: v.no,
        kind: label(v.kind),
        seq,
        facts: factsOf(v),
        clock: clockLine(v),
        numberInputs: numberInputs(v),
        caseId: v.id,
        version: v.version,
      }),

    filled: (v: CaseView, content: Markdown): Card =>
      cards.render('exceptions/filled', { no: v.no, kind: label(v.kind), content }),

    approval(
      v: CaseView,
      a: { id: number; purpose: string; amountFen: number; role: Bilingual; note: string | null; requestedBy: string },
    ): Card {
      const purpose = a.purpose === 'refund' ? '退款 Refund' : '赔付 Compensation';
      const request = [
        md`**${purpose}** ${money(a.amountFen)}`,
        md`**审批人 Approver** ${label(a.role)}`,
        md`**申请人 Requested by** ${mention(a.requestedBy)}`,
      ];
      if (a.note) request.push(md`**说明 Note** ${a.note}`);
      return cards.render('exceptions/approval', {
        no: v.no,
        kind: label(v.kind),
        facts: factsOf(v),
        request: joinMarkdown(request),
        approvalId: a.id,
      });
    },

    approvalDecided(
      v: CaseView,
      a: { decision: string; amountFen: number; purpose: string; decidedBy: string | null; reason: string | null },
    ): Card {
      const approved = a.decision === 'approved';
      const headline = approved
        ? '已同意 · Approved'
        : a.decision === 'escalated'
          ? '已升级 · Escalated'
          : '已驳回 · Rejected';
      const lines = [
        md`**${a.purpose === 'refund' ? '退款 Refund' : '赔付 Compensation'}** ${money(a.amountFen)}`,
        md`**审批人 By** ${mention(a.decidedBy, '-')}`,
      ];
      if (a.reason) lines.push(md`**原因 Reason** ${a.reason}`);
      const color = approved ? 'green' : a.decision === 'escalated' ? 'purple' : 'red';
      return cards.render('exceptions/approval-decided', {
        headline,
        color,
        no: v.no,
        kind: label(v.kind),
        facts: factsOf(v),
        decision: joinMarkdown(lines),
      });
    },

    /** The DM to whom a case climbs: who and why, the case, and the same actions as the case card. */
    escalation(v: CaseView, e: { message: string; by: string | null; note: string | null }): Card {
      const who = e.by
        ? md`**升级人 By** ${mention(e.by)}`
        : md`
**升级人 By** 系统（时限计时）· the SLA clock
          `;
      const why = e.note ? md`**原因 Why** ${e.note}` : md`**原因 Why** ${e.message}`;
      return cards.render('exceptions/escalation', {
        no: v.no,
        title: v.title,
        kind: label(v.kind),
        message: e.message,
        why: joinMarkdown([who, why]),
        facts: factsOf(v),
        clock: clockLine(v),
        status: statusLine(v),
        actions: actions(v),
      });
    },

    /** `content` as a string is shown as typed (an error message); as Markdown it keeps the bot's formatting. */
    notice: (title: string, content: Markdown | string, color = 'blue'): Card =>
      cards.render('exceptions/notice', { title, content, color }),

    lookup: (query: string, results: Markdown): Card => cards.render('exceptions/lookup', { query, results }),

    createForm: (kinds: Array<{ id: string; label: Bilingual }>): Card =>
      cards.render('exceptions/create-form', {
        kindOptions: kinds.map((k) => cards.part('exceptions/parts/kind-option', { id: k.id, label: label(k.label) })),
      }),

    summary: (vars: {
      date: string;
      open: Markdown;
      sla: Markdown;
      cycle: Markdown;
      money: Markdown;
      disputes: Markdown;
      claims: Markdown;
    }): Card => cards.render('exceptions/summary', vars),

    claimReminder: (vars: { no: string; counterparty: string; content: Markdown }): Card =>
      cards.render('exceptions/claim-reminder', vars),
  };
}

export type ExceptionCards = ReturnType<typeof exceptionCards>;
