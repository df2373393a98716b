import { joinMarkdown, md, mention, type Markdown } from '../../core/cards/markdown.js';
import { formatInZone } from '../../core/zoned-time.js';
import type { Card, CardPart, CardRenderer } from '../../core/cards/render.js';
import { budgetLine, factsOf, progressOf, riskOf, roleText, stateText, typeText, yuan } from './card-text.js';
import { CONTRACT_TYPES, CURRENCIES, LIVE_STATES } from './logic/contract.js';
import type { DueReminder } from './logic/reminders.js';
import type { ContractRow, PaymentRow, StepRow } from './repository.js';
import type { ContractView } from './service/view.js';

const COLOR: Record<string, string> = {
  draft: 'grey',
  in_approval: 'purple',
  active: 'green',
  expiring: 'orange',
  expired: 'red',
  terminated: 'red',
  renewed: 'blue',
};

/** Typed render functions over cards/contracts/*.json. Strings are user text (escaped); Markdown comes from `md`. */
export function contractCards(cards: CardRenderer) {
  const button = (name: string, label: string, type: string, value: Record<string, unknown>): CardPart =>
    cards.part('contracts/parts/button', { name, label, type, value });

  function similarLines(v: ContractView): Markdown {
    if (v.similar.length === 0)
      return md`
**同类合同 Similar** 无 none
      `;
    return joinMarkdown([
      md`
**同类合同 Similar**
      `,
      ...v.similar.map((s) => md`- ${s.contractNo} ${s.title} · ${yuan(s.amountCnyFen)} · ${stateText(s.state)}`),
    ]);
  }

  /** 终止: opens the reason form; names the version, so a card drawn before a change opens nothing. */
  const terminateButton = (c: Pick<ContractRow, 'id' | 'version'>): CardPart =>
    button('terminate', '终止 Terminate', 'default', {
      action: 'contracts.terminate-form',
      contractId: c.id,
      version: c.version,
    });

  return {
    /** The requester's card: progress of the chain, updated in place. */
    contract(v: ContractView): Card {
      const c = v.contract;
      const actions: CardPart[] =
        c.state === 'draft' && c.round > 0
          ? [
              button('resubmit', '修改后重新提交 Submit again', 'primary', {
                action: 'contracts.resubmit',
                contractId: c.id,
                version: c.version,
              }),
            ]
          : c.state === 'in_approval'
            ? [
                button('withdraw', '撤回 Withdraw', 'default', {
                  action: 'contracts.withdraw',
                  contractId: c.id,
                  version: c.version,
                }),
              ]
            : LIVE_STATES.includes(c.state)
              ? [terminateButton(c)]
              : [];
      return cards.render('contracts/contract', {
        summary: `${c.contractNo} ${stateText(c.state)}`,
        title: `${c.contractNo} · ${c.title}`,
        subtitle: `${v.counterparty} · ${stateText(c.state)}`,
        color: COLOR[c.state] ?? 'blue',
        facts: factsOf(c, v.counterparty),
        risk: riskOf(v.risk),
        progress: progressOf(v.steps),
        actions,
      });
    },

    /** To the step's approver: everything needed to decide, and 同意 / 驳回 / 退回修改 naming the step and version. */
    approval(v: ContractView, step: StepRow, nudge?: { kind: 'reminder' | 'escalated'; timeZone: string }): Card {
      const c = v.contract;
      const since = step.pendingSince && nudge ? formatInZone(step.pendingSince, nudge.timeZone) : '';
      const who = mention(step.approverOpenId, '-');
      const waiting =
        nudge?.kind === 'reminder'
          ? md`**催办 Reminder** 自 ${since} 起待审批 · Waiting since ${since}`
          : nudge?.kind === 'escalated'
            ? joinMarkdown(
                [
                  md`**已升级 Escalated** ${who} 自 ${since} 起未处理，你也可以直接审批`,
                  md`Undecided since ${since}; you may decide it.`,
                ],
                ' · ',
              )
            : null;
      const context = joinMarkdown(
        [waiting, budgetLine(v.budget), similarLines(v), progressOf(v.steps)].filter((m): m is Markdown => m !== null),
      );
      const head = {
        reminder: ['催办：待你审批 · Reminder: contract approval', '催办 Reminder', 'orange'],
        escalated: ['升级：待你审批 · Escalated: contract approval', '升级审批 Escalated', 'red'],
        none: ['待你审批 · Contract approval', '待审批 Contract approval', 'purple'],
      }[nudge?.kind ?? 'none'];
      return cards.render('contracts/approval', {
        headline: head[0],
        summary: head[1],
        color: head[2],
        no: c.contractNo,
        step: `${roleText(step.role)} (${step.seq}/${v.steps.length})`,
        facts: factsOf(c, v.counterparty),
        risk: riskOf(v.risk),
        context,
        stepId: step.id,
        version: c.version,
      });
    },

    /** What the approver's card becomes after the decision (or after someone else's). */
    decided(v: ContractView, step: StepRow): Card {
      const headline =
        {
          approved: '已同意 · Approved',
          rejected: '已驳回 · Rejected',
          returned: '已退回修改 · Returned',
          cancelled: '已取消 · Cancelled',
          pending: '待审批 · Pending',
          waiting: '未开始 · Waiting',
        }[step.decision] ?? step.decision;
      const color = step.decision === 'approved' ? 'green' : step.decision === 'pending' ? 'purple' : 'red';
      const decision = joinMarkdown([
        md`**审批人 By** ${mention(step.decidedBy ?? step.approverOpenId, '-')}`,
        step.reason ? md`**原因 Reason** ${step.reason}` : md``,
        progressOf(v.steps),
      ]);
      return cards.render('contracts/decided', {
        headline,
        color,
        no: v.contract.contractNo,
        step: roleText(step.role),
        facts: factsOf(v.contract, v.counterparty),
        decision,
      });
    },

    /** `terminable`: the recipient may end the contract (owner, legal, manager): only their card carries 终止. */
    reminder(v: ContractView, r: Pick<DueReminder, 'kind' | 'target' | 'daysLeft'>, terminable = true): Card {
      const c = v.contract;
      const what = r.kind === 'notice' ? `续约通知截止 Notice deadline ${r.target}` : `合同到期 Ends ${r.target}`;
      const headline =
        r.daysLeft === 0
          ? `今天：${r.kind === 'notice' ? '通知截止' : '合同到期'} · Today`
          : `还有 ${r.daysLeft} 天 · ${r.daysLeft} days left`;
      const message = md`**${what}**\n${
        c.autoRenew
          ? '到期将自动续约；不续签请点「不续签」。Auto-renews unless you choose Let expire.'
          : '请决定是否续签。Decide whether to renew.'
      }`;
      return cards.render('contracts/reminder', {
        headline,
        color: r.daysLeft <= 7 ? 'red' : 'orange',
        no: c.contractNo,
        title: c.title,
        facts: factsOf(c, v.counterparty),
        message,
        contractId: c.id,
        version: c.version,
        terminate: terminable ? [cards.part('contracts/parts/column', { elements: [terminateButton(c)] })] : [],
      });
    },

    paymentApproval(v: ContractView, p: PaymentRow): Card {
      const flags = p.flags
        .map((f) => (f === 'over_budget' ? '超预算 over budget' : f === 'risk' ? '相对方风险 counterparty risk' : f))
        .join('，');
      const request = joinMarkdown([
        md`**付款 Payment** ${yuan(p.amountFen)} · **申请人 By** ${mention(p.requestedBy)}`,
        md`**需特批 Needs approval** ${flags}`,
        budgetLine(v.budget) ?? md``,
        riskOf(v.risk),
      ]);
      return cards.render('contracts/payment-approval', {
        no: v.contract.contractNo,
        title: v.contract.title,
        facts: factsOf(v.contract, v.counterparty),
        request,
        paymentId: p.id,
      });
    },

    /** The intake form, prefilled when it starts from an earlier contract. */
    createForm(prefill: { title?: string; counterparty?: string } = {}): Card {
      return cards.render('contracts/create-form', {
        subtitle: prefill.title ?? '填写后提交审批 · Fill in and submit for approval',
        title: prefill.title ?? '',
        counterparty: prefill.counterparty ?? '',
        typeOptions: CONTRACT_TYPES.map((t) => cards.part('contracts/parts/option', { id: t, label: typeText(t) })),
        currencyOptions: CURRENCIES.map((c) => cards.part('contracts/parts/option', { id: c, label: c })),
      });
    },

    /**
     * To the requester when a step of their contract is escalated: which step, who did not act since when, and who it
     * went to. The title is user text (escaped); the people are @mentions from directory ids.
     */
    escalationNotice(v: ContractView, step: StepRow, timeZone: string): Card {
      const c = v.contract;
      const since = step.pendingSince ? formatInZone(step.pendingSince, timeZone) : '-';
      const who = mention(step.approverOpenId, '未找到审批人 no approver');
      const to = mention(step.escalatedTo, '-');
      const content = joinMarkdown([
        md`**${c.contractNo}** ${c.title}`,
        md`**审批步骤 Step** ${roleText(step.role)} (${step.seq}/${v.steps.length})`,
        md`${who} 自 ${since} 起未处理，已升级给 ${to}，两人都可以审批。`,
        md`Undecided since ${since}; escalated as shown, and either of them may decide.`,
      ]);
      return cards.render('contracts/notice', {
        title: `审批已升级 · Approval escalated: ${c.contractNo}`,
        content,
        color: 'orange',
      });
    },

    /** `terminable`: the one contract found, in force, which the asker may end (its 终止 button). */
    lookup: (query: string, results: Markdown, terminable?: ContractRow): Card =>
      cards.render('contracts/lookup', { query, results, actions: terminable ? [terminateButton(terminable)] : [] }),

    /** 终止's form: the contract, what ending it does, a required reason; the button names the version. */
    terminateForm(v: ContractView): Card {
      const c = v.contract;
      return cards.render('contracts/terminate-form', {
        no: c.contractNo,
        title: c.title,
        facts: factsOf(c, v.counterparty),
        contractId: c.id,
        version: c.version,
      });
    },

    /** What the clicked card becomes once the contract is terminated: the reason as typed (escaped). */
    terminated(c: ContractRow, reason: string): Card {
      const content = joinMarkdown([
        md`**${c.contractNo}** ${c.title} · ${stateText(c.state)}`,
        md`**终止原因 Reason** ${reason}`,
        md`
预算只保留仍有效的付款，到期提醒停止。The budget keeps only the standing payments; reminders stop.
        `,
      ]);
      return cards.render('contracts/notice', { title: `已终止 · Terminated: ${c.contractNo}`, content, color: 'red' });
    },

    /** `content` as a string is shown as typed; as Markdown it keeps the bot's formatting. */
    notice: (title: string, content: Markdown | string, color = 'blue'): Card =>
      cards.render('contracts/notice', { title, content, color }),
  };
}

export type ContractCards = ReturnType<typeof contractCards>;
