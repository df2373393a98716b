import { z } from 'zod';
import type { CardActionContext, CardActionResult, CommandContext } from '../../core/contexts.js';
import { AppError, ValidationError } from '../../core/errors.js';
import { formatAt } from './card-text.js';
import { exceptionCards, type ExceptionCards } from './cards.js';
import { parseChatRequest, USAGE } from './chat-args.js';
import { parseAmountToFen } from './logic/money.js';
import type { CaseRow } from './repository.js';
import { CardVerb } from './service/act.js';
import { rulesOf } from './service/context.js';
import { line } from './service/fields.js';
import type { ExceptionService } from './service/index.js';
import { parseCreateForm } from './values.js';

type Handler<V> = (ctx: CardActionContext<V>) => Promise<CardActionResult>;

const ok = (content: string) => ({ type: 'success' as const, content });

/** A command's AppError is the user's mistake: answer it, never retry the event for it. */
async function answering(ctx: CommandContext, cards: ExceptionCards, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    ctx.log.info({ code: err.code }, 'command refused');
    await ctx.reply({ card: cards.notice('无法处理 · Could not do that', err.message, 'red') }, 'refused');
  }
}

/** `异常件` / `exception`: the form, a lookup, or a new case from the words after it. */
export function handleExceptionCommand(svc: ExceptionService) {
  const cards = exceptionCards(svc.deps.cards);
  return (ctx: CommandContext) =>
    answering(ctx, cards, async () => {
      const rules = await rulesOf(svc.deps);
      const request = parseChatRequest(ctx.args, rules.kinds);
      if (request.type === 'form') {
        await ctx.reply({ card: cards.createForm(rules.kinds.kinds) }, 'form');
      } else if (request.type === 'lookup') {
        const found = await svc.lookup(request.needle);
        await ctx.reply({ card: cards.lookup(request.needle, await lookupLines(svc, found, ctx.now)) }, 'lookup');
      } else {
        const { case: c } = await svc.create({ ...request.input, source: 'chat', reporterOpenId: ctx.sender.openId }, ctx.now);
        await ctx.reply({ card: cards.notice(`已创建 ${(await svc.view(c.id, ctx.now)).no} · Case created`, createdText(c)) }, 'created');
      }
    });
}

function createdText(c: CaseRow): string {
  const owner = c.ownerOpenId ? `<at id=${c.ownerOpenId}></at>` : '待分派 · to be assigned';
  return `**负责人 Owner** ${owner}\n工单卡片已发到处理团队群，后续进展会在卡片上更新。The case card is in the team's group and updates there as the case moves.`;
}

async function lookupLines(svc: ExceptionService, found: CaseRow[], now: Date): Promise<string> {
  if (found.length === 0) return `没有找到相关异常件 · No case found\n用法 Usage: ${USAGE}`;
  const tz = svc.deps.config.timeZone;
  const views = await Promise.all(found.map((c) => svc.view(c.id, now)));
  return views
    .map((v) => `**${v.no}** ${v.title}\n${v.stateLabel.zh} ${v.stateLabel.en} · ${v.kind.zh} · 截止 Due ${formatAt(v.clock.dueAt, tz)}${v.ownerOpenId ? ` · <at id=${v.ownerOpenId}></at>` : ''}`)
    .join('\n\n');
}

/** `单号 SF…` / `退货单号 …`: the reply that ends the chasing. */
export function handleTrackingReply(svc: ExceptionService) {
  const cards = exceptionCards(svc.deps.cards);
  return (ctx: CommandContext) =>
    answering(ctx, cards, async () => {
      const repliedTo = (ctx.event.message as { parent_id?: string } | undefined)?.parent_id;
      const filled = await svc.fillFromChat(ctx.text, ctx.sender.openId, repliedTo, ctx.now);
      const view = await svc.view(filled.case.id, ctx.now);
      await ctx.reply({ card: cards.filled(view, filledText(filled.number, filled.missing.length, view.stateLabel.zh, view.stateLabel.en)) }, 'filled');
    });
}

const filledText = (number: string, missing: number, zh: string, en: string) =>
  `已记录 **${number}** · Recorded.\n${missing === 0 ? `催办已停止，工单状态：${zh} · Reminders stopped; the case is now ${en.toLowerCase()}.` : `还差 ${missing} 项 · ${missing} more to go.`}`;

const CaseRef = { caseId: z.coerce.number().int().positive() };
export const ActValue = z.object({ action: z.literal('exceptions.act'), ...CaseRef, verb: CardVerb, outcome: z.enum(['won', 'lost']).optional() });
export const FillValue = z.object({ action: z.literal('exceptions.fill'), ...CaseRef });
export const EscalateValue = z.object({ action: z.literal('exceptions.escalate'), ...CaseRef });
export const RequestApprovalValue = z.object({ action: z.literal('exceptions.request-approval'), ...CaseRef, purpose: z.enum(['refund', 'compensation']) });
export const DecisionValue = z.object({ action: z.enum(['exceptions.approve', 'exceptions.reject', 'exceptions.escalate-approval']), approvalId: z.coerce.number().int().positive() });
export const CreateValue = z.object({ action: z.literal('exceptions.create') });

const text = (form: Record<string, unknown>, name: string, max = 500): string | undefined => {
  const v = form[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined;
};

/** The updated case card when the click came from the case card itself. */
async function caseCardFor(svc: ExceptionService, ctx: { messageId: string | undefined; now: Date }, c: CaseRow) {
  if (!ctx.messageId || ctx.messageId !== c.cardMessageId) return {};
  return { card: exceptionCards(svc.deps.cards).caseCard(await svc.view(c.id, ctx.now)) };
}

export function handleAct(svc: ExceptionService): Handler<z.infer<typeof ActValue>> {
  return async (ctx) => {
    const r = await svc.act(ctx.value.caseId, { verb: ctx.value.verb, note: text(ctx.formValue, 'note'), outcome: ctx.value.outcome }, ctx.operator.openId, ctx.now);
    return { toast: r.changed ? ok('已更新 · Updated') : { type: 'info', content: '已处理过 · Already done' }, ...(await caseCardFor(svc, ctx, r.case)) };
  };
}

export function handleFill(svc: ExceptionService): Handler<z.infer<typeof FillValue>> {
  return async (ctx) => {
    const values = Object.fromEntries(['tracking_number', 'return_tracking_number'].map((f) => [f, text(ctx.formValue, f, 60)]));
    const r = await svc.fill(ctx.value.caseId, values, ctx.operator.openId, ctx.now);
    const view = await svc.view(r.case.id, ctx.now);
    const fromCaseCard = await caseCardFor(svc, ctx, r.case);
    const number = Object.keys(values).filter((k) => values[k]).map((k) => r.case.fields[k]).join(' / ');
    return { toast: ok('已回填 · Saved'), card: fromCaseCard.card ?? exceptionCards(svc.deps.cards).filled(view, filledText(number, r.missing.length, view.stateLabel.zh, view.stateLabel.en)) };
  };
}

export function handleEscalate(svc: ExceptionService): Handler<z.infer<typeof EscalateValue>> {
  return async (ctx) => {
    const r = await svc.escalate(ctx.value.caseId, ctx.operator.openId, ctx.now);
    const to = r.step === 'notify_lead' ? '组长 the lead' : '经理 the manager';
    return { toast: ok(`已升级至${to}`), ...(await caseCardFor(svc, ctx, r.case)) };
  };
}

export function handleRequestApproval(svc: ExceptionService): Handler<z.infer<typeof RequestApprovalValue>> {
  return async (ctx) => {
    const amount = parseAmountToFen(text(ctx.formValue, 'amount', 30) ?? '');
    if (!amount.ok) throw new ValidationError(line(amount.error.message), { field: 'amount' });
    const r = await svc.requestApproval(ctx.value.caseId, { purpose: ctx.value.purpose, amountFen: amount.value }, ctx.operator.openId, ctx.now);
    const toast = r.approval.decision === 'approved' ? ok('金额在自动通过范围内，已记录 · Within the automatic band; recorded') : ok('已提交审批 · Sent for approval');
    return { toast, ...(await caseCardFor(svc, ctx, r.case)) };
  };
}

export function handleDecision(svc: ExceptionService): Handler<z.infer<typeof DecisionValue>> {
  return async (ctx) => {
    const { approvalId, action } = ctx.value;
    const reason = text(ctx.formValue, 'reason');
    const r =
      action === 'exceptions.escalate-approval'
        ? await svc.escalateApproval(approvalId, ctx.operator.openId, ctx.now)
        : await svc.decide(approvalId, action === 'exceptions.approve' ? 'approve' : 'reject', reason, ctx.operator.openId, ctx.now);
    const view = await svc.view(r.case.id, ctx.now);
    const shown = action === 'exceptions.escalate-approval' ? { ...r.approval, decision: 'escalated', decidedBy: ctx.operator.openId, reason: null } : r.approval;
    const toast = { 'exceptions.approve': '已同意 · Approved', 'exceptions.reject': '已驳回 · Rejected', 'exceptions.escalate-approval': '已升级 · Escalated' }[action];
    return { toast: ok(toast), card: exceptionCards(svc.deps.cards).approvalDecided(view, shown) };
  };
}

export function handleCreateForm(svc: ExceptionService): Handler<z.infer<typeof CreateValue>> {
  return async (ctx) => {
    const input = parseCreateForm(ctx.formValue);
    const { case: c } = await svc.create({ ...input, source: 'card', reporterOpenId: ctx.operator.openId }, ctx.now);
    const no = (await svc.view(c.id, ctx.now)).no;
    return { toast: ok(`已创建 ${no} · Created`), card: exceptionCards(svc.deps.cards).notice(`已创建 ${no} · Case created`, createdText(c), 'green') };
  };
}
