import type { z } from 'zod';
import type { CardActionContext, CardActionResult, CommandContext } from '../../core/contexts.js';
import { joinMarkdown, link, md, mention, type Markdown } from '../../core/cards/markdown.js';
import { ConflictError, ValidationError } from '../../core/errors.js';
import { formatAt } from './card-text.js';
import { exceptionCards } from './cards.js';
import { parseChatRequest, USAGE } from './chat-args.js';
import { parseAmountToFen } from './logic/money.js';
import type { CaseRow } from './repository.js';
import { rulesOf } from './service/context.js';
import { line } from './service/fields.js';
import type { ExceptionService } from './service/index.js';
import {
  parseCreateForm,
  type ActValue,
  type CreateValue,
  type DecisionValue,
  type EscalateValue,
  type FillValue,
  type NewFormValue,
  type RequestApprovalValue,
} from './values.js';
import { LIMITS, tooLongMessage, type LimitedField } from './limits.js';

type Handler<V> = (ctx: CardActionContext<V>) => Promise<CardActionResult>;

const ok = (content: string) => ({ type: 'success' as const, content });

/** `异常件` / `exception`: the form, a lookup, or a new case from the words after it. */
export function handleExceptionCommand(svc: ExceptionService) {
  const cards = exceptionCards(svc.deps.cards);
  return async (ctx: CommandContext) => {
    const rules = await rulesOf(svc.deps);
    const request = parseChatRequest(ctx.args, rules.kinds);
    if (request.type === 'form') {
      await ctx.reply({ card: cards.createForm(rules.kinds.kinds) }, 'form');
    } else if (request.type === 'lookup') {
      const found = await svc.lookup(request.needle);
      await ctx.reply({ card: cards.lookup(request.needle, await lookupLines(svc, found, ctx.now)) }, 'lookup');
    } else {
      // Keyed by the message: a redelivery, or a retry after the bot died between the case and the
      // reply, finds the case it made instead of opening a second one.
      const { case: c } = await svc.create(
        { ...request.input, source: 'chat', externalId: ctx.messageId, reporterOpenId: ctx.sender.openId },
        ctx.now,
      );
      const view = await svc.view(c.id, ctx.now);
      await ctx.reply(
        { card: cards.notice(`已创建 ${view.no} · Case created`, createdText(c, view.teamName)) },
        'created',
      );
    }
  };
}

/**
 * Where the case lives: the team's group, named and linked (Feishu's applink opens a chat the
 * reader has joined — open.feishu.cn applink-protocol "open a chat page"), or the owner's DM when
 * the team has no group bound yet.
 */
function createdText(c: CaseRow, teamName: string): Markdown {
  const owner = mention(c.ownerOpenId, '待分派 · to be assigned');
  if (!c.chatId) {
    return md`**负责人 Owner** ${owner}\n**团队 Team** ${
      teamName
    }（尚未绑定群聊，卡片已私信负责人 · no group bound yet; the card went to the owner）`;
  }
  const group = link(
    `${teamName} 群`,
    `https://applink.feishu.cn/client/chat/open?openChatId=${encodeURIComponent(c.chatId)}`,
  );
  return md`**负责人 Owner** ${owner}\n工单卡片已发到 ${group}，后续进展会在卡片上更新。The case card is in ${
    teamName
  }'s group and updates there as the case moves.`;
}

async function lookupLines(svc: ExceptionService, found: CaseRow[], now: Date): Promise<Markdown> {
  if (found.length === 0) return md`没有找到相关异常件 · No case found\n用法 Usage: ${USAGE}`;
  const tz = svc.deps.config.timeZone;
  const views = await Promise.all(found.map((c) => svc.view(c.id, now)));
  const owner = (id: string | null) => (id ? md` · ${mention(id)}` : null);
  return joinMarkdown(
    views.map(
      (v) =>
        md`**${v.no}** ${v.title}\n${v.stateLabel.zh} ${v.stateLabel.en} · ${v.kind.zh} · 截止 Due ${formatAt(
          v.clock.dueAt,
          tz,
        )}${owner(v.ownerOpenId)}`,
    ),
    '\n\n',
  );
}

/** `单号 SF…` / `退货单号 …`: the reply that ends the chasing. */
export function handleTrackingReply(svc: ExceptionService) {
  const cards = exceptionCards(svc.deps.cards);
  return async (ctx: CommandContext) => {
    const filled = await svc.fillFromChat(ctx.text, ctx.sender.openId, ctx.parentMessageId, ctx.now);
    const view = await svc.view(filled.case.id, ctx.now);
    await ctx.reply(
      {
        card: cards.filled(
          view,
          filledText(filled.number, filled.missing.length, view.stateLabel.zh, view.stateLabel.en),
        ),
      },
      'filled',
    );
  };
}

const filledText = (number: string, missing: number, zh: string, en: string): Markdown =>
  md`已记录 **${number}** · Recorded.\n${
    missing === 0
      ? `催办已停止，工单状态：${zh} · Reminders stopped; the case is now ${en.toLowerCase()}.`
      : `还差 ${missing} 项 · ${missing} more to go.`
  }`;

/** A form field's text; over its limit it is refused with a toast, never cut silently (limits.ts). */
const text = (form: Record<string, unknown>, name: string, field: LimitedField = 'note'): string | undefined => {
  const v = form[name];
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const trimmed = v.trim();
  if (trimmed.length > LIMITS[field]) throw new ValidationError(tooLongMessage(field, trimmed.length), { field: name });
  return trimmed;
};

/**
 * The updated case card when the click came from the case card itself. `asIs`: `c` is the row the
 * change just wrote (or the click just read), drawn without reading the case again.
 */
async function caseCardFor(
  svc: ExceptionService,
  ctx: { messageId: string | undefined; now: Date },
  c: CaseRow,
  asIs = false,
) {
  if (!ctx.messageId || ctx.messageId !== c.cardMessageId) return {};
  const view = asIs ? await svc.viewCase(c, ctx.now) : await svc.view(c.id, ctx.now);
  return { card: exceptionCards(svc.deps.cards).caseCard(view) };
}

/** A repeat (double click, Feishu's retry, an old card): nothing changed; show the case as it is now. */
const ALREADY = {
  type: 'info' as const,
  content: '已处理过或卡片已过期，已显示最新状态 · Already done or outdated; showing the current state',
};
async function currentCase(svc: ExceptionService, ctx: { now: Date }, c: CaseRow, asIs = false) {
  const view = asIs ? await svc.viewCase(c, ctx.now) : await svc.view(c.id, ctx.now);
  return { toast: ALREADY, card: exceptionCards(svc.deps.cards).caseCard(view) };
}

export function handleAct(svc: ExceptionService): Handler<z.infer<typeof ActValue>> {
  return async (ctx) => {
    const input = {
      verb: ctx.value.verb,
      note: text(ctx.formValue, 'note'),
      outcome: ctx.value.outcome,
      version: ctx.value.version ?? null,
    };
    // act answers the row it wrote, or the current row it read (a repeat): drawn as is.
    const r = await svc.act(ctx.value.caseId, input, ctx.operator.openId, ctx.now);
    if (!r.changed) return currentCase(svc, ctx, r.case, true);
    return { toast: ok('已更新 · Updated'), ...(await caseCardFor(svc, ctx, r.case, true)) };
  };
}

export function handleFill(svc: ExceptionService): Handler<z.infer<typeof FillValue>> {
  return async (ctx) => {
    const values = Object.fromEntries(
      ['tracking_number', 'return_tracking_number'].map((f) => [f, text(ctx.formValue, f, 'trackingNumber')]),
    );
    const r = await svc.fill(ctx.value.caseId, values, ctx.operator.openId, ctx.now, ctx.value.version ?? null);
    const view = await svc.view(r.case.id, ctx.now);
    const fromCaseCard = await caseCardFor(svc, ctx, r.case);
    const entered = Object.keys(values).filter((k) => values[k] && r.case.fields[k]);
    const number = entered.map((k) => r.case.fields[k]).join(' / ');
    const content = number
      ? filledText(number, r.missing.length, view.stateLabel.zh, view.stateLabel.en)
      : md`${view.stateLabel.zh} · ${view.stateLabel.en}`;
    return {
      toast: r.changed ? ok('已回填 · Saved') : ALREADY,
      card: fromCaseCard.card ?? exceptionCards(svc.deps.cards).filled(view, content),
    };
  };
}

export function handleEscalate(svc: ExceptionService): Handler<z.infer<typeof EscalateValue>> {
  return async (ctx) => {
    const r = await svc.escalate(
      ctx.value.caseId,
      ctx.operator.openId,
      ctx.now,
      ctx.value.version ?? null,
      text(ctx.formValue, 'note'),
    );
    if (!r.changed) return currentCase(svc, ctx, r.case);
    const to =
      r.step === 'notify_lead'
        ? '已升级至组长 · Escalated to the team lead'
        : '已升级至经理 · Escalated to the manager';
    return { toast: ok(to), ...(await caseCardFor(svc, ctx, r.case)) };
  };
}

export function handleRequestApproval(svc: ExceptionService): Handler<z.infer<typeof RequestApprovalValue>> {
  return async (ctx) => {
    const amount = parseAmountToFen(text(ctx.formValue, 'amount', 'amountText') ?? '');
    if (!amount.ok) throw new ValidationError(line(amount.error.message), { field: 'amount' });
    const req = { purpose: ctx.value.purpose, amountFen: amount.value, version: ctx.value.version ?? null };
    const r = await svc.requestApproval(ctx.value.caseId, req, ctx.operator.openId, ctx.now);
    if (!r.approval) return currentCase(svc, ctx, r.case);
    const toast =
      r.approval.decision === 'approved'
        ? ok('金额在自动通过范围内，已记录 · Within the automatic band; recorded')
        : ok('已提交审批 · Sent for approval');
    return { toast, ...(await caseCardFor(svc, ctx, r.case)) };
  };
}

export function handleDecision(svc: ExceptionService): Handler<z.infer<typeof DecisionValue>> {
  return async (ctx) => {
    const { approvalId, action } = ctx.value;
    const reason = text(ctx.formValue, 'reason');
    let r;
    try {
      r =
        action === 'exceptions.escalate-approval'
          ? await svc.escalateApproval(approvalId, ctx.operator.openId, ctx.now)
          : await svc.decide(
              approvalId,
              action === 'exceptions.approve' ? 'approve' : 'reject',
              reason,
              ctx.operator.openId,
              ctx.now,
            );
    } catch (err) {
      // Decided already (a double click, a second approver, an old card): show the decision, change nothing.
      const decided = err instanceof ConflictError ? await svc.approval(approvalId) : null;
      if (!decided || decided.decision === 'pending') throw err;
      const view = await svc.view(decided.caseId, ctx.now);
      return {
        toast: { type: 'info', content: (err as Error).message },
        card: exceptionCards(svc.deps.cards).approvalDecided(view, decided),
      };
    }
    const view = await svc.view(r.case.id, ctx.now);
    const shown =
      action === 'exceptions.escalate-approval'
        ? { ...r.approval, decision: 'escalated', decidedBy: ctx.operator.openId, reason: null }
        : r.approval;
    const toast = {
      'exceptions.approve': '已同意 · Approved',
      'exceptions.reject': '已驳回 · Rejected',
      'exceptions.escalate-approval': '已升级 · Escalated',
    }[action];
    return { toast: ok(toast), card: exceptionCards(svc.deps.cards).approvalDecided(view, shown) };
  };
}

/** 新建异常件 on the help card: the form in place of the help card. */
export function handleNewForm(svc: ExceptionService): Handler<z.infer<typeof NewFormValue>> {
  return async () => ({ card: exceptionCards(svc.deps.cards).createForm((await rulesOf(svc.deps)).kinds.kinds) });
}

export function handleCreateForm(svc: ExceptionService): Handler<z.infer<typeof CreateValue>> {
  return async (ctx) => {
    const input = parseCreateForm(ctx.formValue);
    // Keyed by the form's card and who submits it: a double click (or a second tap before the card turns into the
    // notice) finds the case it made. Two people submitting one form in a group each open their own.
    const externalId = ctx.messageId ? `${ctx.messageId}:${ctx.operator.openId}` : undefined;
    const { case: c } = await svc.create(
      { ...input, source: 'card', ...(externalId ? { externalId } : {}), reporterOpenId: ctx.operator.openId },
      ctx.now,
    );
    const view = await svc.view(c.id, ctx.now);
    return {
      toast: ok(`已创建 ${view.no} · Created`),
      card: exceptionCards(svc.deps.cards).notice(
        `已创建 ${view.no} · Case created`,
        createdText(c, view.teamName),
        'green',
      ),
    };
  };
}
