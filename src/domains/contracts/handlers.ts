import type { z } from 'zod';
import { joinMarkdown, md, mention, trusted, type Markdown } from '../../core/cards/markdown.js';
import type { CardActionContext, CardActionResult, CommandContext } from '../../core/contexts.js';
import { calendarDay } from '../../core/zoned-time.js';
import { contractCards } from './cards.js';
import { parseQuestion } from './logic/questions.js';
import { answer } from './questions.js';
import { levelText, riskOf, stateText, yuan } from './card-text.js';
import type { RiskSummary } from './logic/risk.js';
import { LIVE_STATES, type ContractState } from './logic/contract.js';
import type { ContractService } from './service/index.js';
import {
  contractFromForm,
  type CreateValue,
  type DecideValue,
  type PaymentDecideValue,
  type RenewalValue,
  type ResubmitValue,
  type WithdrawValue,
} from './values.js';

type Handler<V> = (ctx: CardActionContext<V>) => Promise<CardActionResult>;
const ok = (content: string) => ({ type: 'success' as const, content });
const ALREADY = {
  type: 'info' as const,
  content: '已处理过或卡片已过期，已显示最新状态 · Already done or outdated; showing the current state',
};

export const USAGE =
  '合同 新建 · 合同 <相对方|编号> · 合同 待我审批 · 合同 付款计划 · 合同 本月付款 · 合同 下月到期 · ' +
  '合同 <部门>本季度预算还剩多少 · 合同 终止 <编号> <原因> · 合同 撤回 <编号>';

const TERMINATE = /^(?:终止|terminate)\s+(\S+)\s*([\s\S]*)$/i;
const WITHDRAW = /^(?:撤回|withdraw)\s+(\S+)$/i;

/** `合同` / `contract`: the intake form, the approver's queue, or a lookup by number or counterparty. */
export function handleContractCommand(svc: ContractService) {
  const cards = contractCards(svc.deps.cards);
  return async (ctx: CommandContext) => {
    const args = ctx.args.trim();
    if (args === '' || /^(新建|new|create)$/i.test(args)) return ctx.reply({ card: cards.createForm() }, 'form');
    const end = TERMINATE.exec(args) ?? WITHDRAW.exec(args);
    if (end) {
      const r = end[0].match(WITHDRAW)
        ? await svc.withdraw(end[1]!, null, ctx.sender.openId, ctx.now)
        : await svc.terminate(end[1]!, null, end[2] ?? '', ctx.sender.openId, ctx.now);
      return ctx.reply({ card: cards.notice(`${r.contract.contractNo} · ${r.contract.title}`, endedText(r)) }, 'end');
    }
    const question = parseQuestion(args, calendarDay(ctx.now, svc.deps.config.timeZone));
    if (question) {
      const text = await answer(svc, question, ctx.sender.openId, ctx.now);
      return ctx.reply({ card: cards.lookup(args, text) }, question.kind);
    }
    const found = await svc.search(args.slice(0, 200));
    // One contract in force found (合同 <编号>) that the asker may end: its card carries 终止.
    const only = found.length === 1 ? found[0]! : undefined;
    const terminable =
      only && LIVE_STATES.includes(only.state) && (await svc.mayTerminate(only.id, ctx.sender.openId))
        ? only
        : undefined;
    await ctx.reply({ card: cards.lookup(args, await lookupLines(svc, found, ctx.now), terminable) }, 'lookup');
  };
}

async function lookupLines(
  svc: ContractService,
  found: Awaited<ReturnType<ContractService['search']>>,
  now: Date,
): Promise<Markdown> {
  if (found.length === 0) return md`没有找到合同 · No contract found\n用法 Usage: ${USAGE}`;
  const lines: Markdown[] = [];
  const risks = new Map<number, RiskSummary | undefined>();
  for (const c of found) {
    const v = await svc.view(c.id);
    if (!risks.has(c.counterpartyId)) risks.set(c.counterpartyId, await svc.riskOf(v.counterparty, now));
    lines.push(
      md`**${c.contractNo}** ${c.title}\n${v.counterparty} · ${yuan(c.amountCnyFen)} · ${stateText(c.state)} · ${
        c.startDate
      } → ${c.endDate} · ${mention(c.ownerOpenId)}`,
    );
  }
  const first = found[0]!;
  const risk = risks.get(first.counterpartyId);
  if (risk) lines.push(md`---\n**${(await svc.view(first.id)).counterparty}** ${levelText(risk.level)}`, riskOf(risk));
  return joinMarkdown(lines, '\n\n');
}

export function handleCreateForm(svc: ContractService): Handler<z.infer<typeof CreateValue>> {
  return async (ctx) => {
    const input = contractFromForm(ctx.formValue, ctx.operator.openId);
    // One contract per form card: a double click or Feishu's retry returns the first.
    const r = await svc.create(
      { ...input, externalId: `form:${ctx.messageId ?? ctx.eventId}`, deferRisk: true },
      ctx.now,
    );
    const cards = contractCards(svc.deps.cards);
    // The risk check and the chain run from the queue (the provider may take longer than Feishu waits for this answer).
    const text = joinMarkdown([
      md`**${r.contract.contractNo}** ${r.contract.title}`,
      trusted(
        '正在检查相对方风险，随后进入审批 · Checking the counterparty, then into approval. ' +
          '进度会在单独的卡片上更新 · Progress updates on its own card.',
      ),
    ]);
    return {
      toast: r.created ? ok('已提交审批 · Submitted') : ALREADY,
      card: cards.notice(`合同已提交 · ${r.contract.contractNo}`, text, 'green'),
    };
  };
}

export function handleDecide(svc: ContractService): Handler<z.infer<typeof DecideValue>> {
  return async (ctx) => {
    const reason = typeof ctx.formValue.reason === 'string' ? ctx.formValue.reason.slice(0, 500) : undefined;
    const step = await svc.step(ctx.value.stepId);
    const current = step ? await svc.get(step.contractId) : undefined;
    // The card names the contract version it was drawn with: an older card decides nothing.
    const stale = current && ctx.value.version !== undefined && ctx.value.version !== current.version;
    const r = stale
      ? { changed: false, step: step!, contract: current! }
      : await svc.decide(ctx.value.stepId, ctx.value.decision, reason, ctx.operator.openId, ctx.now);
    const view = await svc.view(r.contract.id);
    const card = contractCards(svc.deps.cards).decided(view, r.step);
    if (!r.changed) return { toast: ALREADY, card };
    const toast = { approve: '已同意 · Approved', reject: '已驳回 · Rejected', return: '已退回修改 · Returned' }[
      ctx.value.decision
    ];
    return { toast: ok(toast), card };
  };
}

export function handleResubmit(svc: ContractService): Handler<z.infer<typeof ResubmitValue>> {
  return async (ctx) => {
    const r = await svc.resubmit(ctx.value.contractId, ctx.value.version ?? null, ctx.operator.openId, ctx.now);
    const card = contractCards(svc.deps.cards).contract(await svc.view(r.contract.id));
    return { toast: r.changed ? ok('已重新提交 · Submitted again') : ALREADY, card };
  };
}

/** What 终止 / 撤回 did, or the state that made it a no-op. */
function endedText(r: { changed: boolean; contract: { contractNo: string; state: ContractState } }): Markdown {
  const c = r.contract;
  if (!r.changed)
    return md`**${c.contractNo}** 当前为「${stateText(c.state)}」，未做更改 · Nothing changed (the contract is ${c.state})`;
  return c.state === 'terminated'
    ? md`**${c.contractNo}** 已终止 · Terminated. 预算只保留仍有效的付款，到期提醒停止 · The budget keeps only the
standing payments; reminders stop.`
    : md`**${c.contractNo}** 已撤回为草稿 · Withdrawn to a draft. 审批人的卡片已更新 · The approvers' cards are updated.`;
}

export function handleWithdraw(svc: ContractService): Handler<z.infer<typeof WithdrawValue>> {
  return async (ctx) => {
    const r = await svc.withdraw(ctx.value.contractId, ctx.value.version ?? null, ctx.operator.openId, ctx.now);
    const card = contractCards(svc.deps.cards).contract(await svc.view(r.contract.id));
    return { toast: r.changed ? ok('已撤回 · Withdrawn') : ALREADY, card };
  };
}

export function handleRenewal(svc: ContractService): Handler<z.infer<typeof RenewalValue>> {
  return async (ctx) => {
    const r = await svc.chooseRenewal(
      ctx.value.contractId,
      ctx.value.version ?? null,
      ctx.value.choice,
      ctx.operator.openId,
      ctx.now,
    );
    const cards = contractCards(svc.deps.cards);
    if (!r.changed) return { toast: ALREADY, card: cards.contract(await svc.view(r.contract.id)) };
    const content =
      ctx.value.choice === 'renew'
        ? md`已发起续签 **${r.renewal?.contractNo ?? ''}**，进入审批 · Renewal started and sent for approval.`
        : ctx.value.choice === 'let_expire'
          ? md`**${r.contract.contractNo}** 不续签，将于 ${r.contract.endDate} 到期 · Will expire on its end date.`
          : md`**${r.contract.contractNo}** 稍后提醒，至 ${r.contract.snoozedUntil ?? ''} · Reminders paused.`;
    return {
      toast: ok('已记录 · Recorded'),
      card: cards.notice(`${r.contract.contractNo} · ${r.contract.title}`, content, 'green'),
    };
  };
}

export function handlePaymentDecide(svc: ContractService): Handler<z.infer<typeof PaymentDecideValue>> {
  return async (ctx) => {
    const r = await svc.decidePayment(ctx.value.paymentId, ctx.value.decision, ctx.operator.openId, ctx.now);
    const state = r.payment.state;
    const stateText = state === 'approved' ? '已同意 approved' : state === 'rejected' ? '已驳回 rejected' : state;
    const content = md`**${r.contract.contractNo}** 付款 ${yuan(r.payment.amountFen)} · ${stateText}`;
    return {
      toast: r.changed ? ok('已处理 · Done') : ALREADY,
      card: contractCards(svc.deps.cards).notice(
        '付款审批 · Payment approval',
        content,
        r.payment.state === 'approved' ? 'green' : 'red',
      ),
    };
  };
}

/** The help card's buttons: the intake form, my approvals, next month's expiries — the card becomes the answer. */
export function handleShortcut(svc: ContractService, shortcut: 'form' | '待我审批' | '下月到期'): Handler<unknown> {
  return async (ctx) => {
    const cards = contractCards(svc.deps.cards);
    if (shortcut === 'form') return { card: cards.createForm() };
    const question = parseQuestion(shortcut, calendarDay(ctx.now, svc.deps.config.timeZone))!;
    return { card: cards.lookup(shortcut, await answer(svc, question, ctx.operator.openId, ctx.now)) };
  };
}
