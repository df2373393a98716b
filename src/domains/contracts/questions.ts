import { joinMarkdown, md, mention, type Markdown } from '../../core/cards/markdown.js';
import { calendarDay } from '../../core/zoned-time.js';
import { budgetTermsOf, roleText, stateText, yuan } from './card-text.js';
import type { Question } from './logic/questions.js';
import type { ContractService } from './service/index.js';
import type { PaymentPlan, PlanTotal } from './service/payment-plan.js';
import type { PaymentMonths } from './service/payment-months.js';

/** The answer to a plain-word question (待我审批, 下月到期的合同, 运营本季度预算还剩多少) as card markdown. */
export async function answer(svc: ContractService, q: Question, openId: string, now: Date): Promise<Markdown> {
  if (q.kind === 'pending') {
    const steps = await svc.pendingFor(openId);
    if (steps.length === 0)
      return md`
没有待你审批的合同 · Nothing waiting for you
      `;
    const lines = await Promise.all(
      steps.map(async (s) => {
        const c = await svc.get(s.contractId);
        return md`- **${c.contractNo}** ${c.title} · ${yuan(c.amountCnyFen)} · ${roleText(s.role)}`;
      }),
    );
    return joinMarkdown(lines);
  }
  if (q.kind === 'payments') return paymentPlanText(await svc.paymentPlanFor(openId, now));
  if (q.kind === 'payment-month') return paymentMonthText(await svc.paymentMonthFor(openId, now));
  if (q.kind === 'expiring') {
    const found = await svc.endingBetween(q.from, q.to);
    const head = md`**${q.label}** ${q.from} → ${q.to}`;
    if (found.length === 0)
      return joinMarkdown([
        head,
        md`
没有合同在此期间到期 · No contract ends then
        `,
      ]);
    return joinMarkdown([
      head,
      ...found.map(
        (c) =>
          md`- **${c.contractNo}** ${c.title} · ${c.endDate} · ${stateText(c.state)}${
            c.autoRenew ? ' · 自动续约 auto-renews' : ''
          } · ${mention(c.ownerOpenId)}`,
      ),
    ]);
  }
  const budgets = await svc.budgetsFor(q.department, q.from, q.to);
  const head = md`**预算 Budget${q.department ? ` · ${q.department}` : ''}** ${q.label}`;
  if (budgets.length === 0)
    return joinMarkdown([
      head,
      md`
没有找到该部门本季度的预算 · No budget for it this quarter
      `,
    ]);
  const today = calendarDay(now, svc.deps.config.timeZone);
  return joinMarkdown([
    head,
    ...budgets.map(
      (b) =>
        md`- **${b.name}**（${b.code}）剩余 left **${yuan(b.amountFen - b.reservedFen)}** / ${yuan(
          b.amountFen,
        )} · 已用 used ${yuan(b.reservedFen)} · 已承诺 committed ${yuan(b.committedFen)} · ${b.periodStart} → ${
          b.periodEnd
        }${b.periodEnd < today ? ' · 已结束 ended' : ''}${budgetTermsOf(b)}`,
    ),
  ]);
}

const SHOWN = 15;

/** 付款计划: overdue first, then by due date; totals by counterparty and budget line below. */
export function paymentPlanText(plan: PaymentPlan): Markdown {
  const head = md`**付款计划 Payment plan** ${plan.today} · 待付 to pay ${yuan(plan.totalFen)} · 逾期 overdue **${
    plan.overdue.payments
  }** 笔 ${yuan(plan.overdue.totalFen)}`;
  if (plan.items.length === 0)
    return joinMarkdown([
      head,
      md`
没有待付款项 · Nothing to pay
      `,
    ]);
  const lines = plan.items.slice(0, SHOWN).map((p) => {
    const parts: Markdown[] = [
      p.overdue ? md`**逾期 overdue** ${p.dueDate ?? ''}` : md`${p.dueDate ?? '未排期 unscheduled'}`,
      md`**${p.contractNo}** ${p.counterparty}`,
      md`${yuan(p.amountFen)}`,
      md`${p.state === 'approved' ? '已批准 approved' : '待审批 pending'}`,
      ...(p.budgetCode ? [md`${p.budgetCode}`] : []),
    ];
    return md`- ${joinMarkdown(parts, ' · ')}`;
  });
  const more = plan.items.length - SHOWN;
  const totals = (title: string, rows: PlanTotal[]) =>
    md`**${title}** ${rows
      .slice(0, 5)
      .map((r) => `${r.label} ${yuan(r.totalFen)}${r.overdueFen ? `（逾期 ${yuan(r.overdueFen)}）` : ''}`)
      .join('；')}`;
  return joinMarkdown([
    head,
    ...lines,
    ...(more > 0 ? [md`…另有 ${more} 笔 · ${more} more`] : []),
    totals('按相对方 By counterparty', plan.byCounterparty),
    totals('按预算 By budget', plan.byBudget),
  ]);
}

/** 本月付款: this month's planned versus paid, in total and per budget line (department for lines without one). */
export function paymentMonthText(r: PaymentMonths): Markdown {
  const month = r.months[0]!;
  const cell = (l: PaymentMonths['total']) => l.months[0]!;
  const t = cell(r.total);
  const head = md`**本月付款 Payments this month** ${month} · 计划 planned ${yuan(t.plannedFen)} · 已付 paid ${yuan(
    t.paidFen,
  )} · 逾期 overdue ${yuan(t.overdueFen)}`;
  const lines = r.byBudget.filter((l) => {
    const c = cell(l);
    return c.plannedFen > 0 || c.paidFen > 0;
  });
  if (lines.length === 0)
    return joinMarkdown([
      head,
      md`
本月没有计划或已付的款项 · Nothing planned or paid this month
      `,
    ]);
  return joinMarkdown([
    head,
    ...lines.slice(0, SHOWN).map((l) => {
      const c = cell(l);
      const code = l.key.startsWith('dept:') ? l.department : l.key;
      return md`- **${l.label}**（${code}）计划 ${yuan(c.plannedFen)} · 已付 ${yuan(c.paidFen)}${
        c.overdueFen > 0 ? md` · **逾期 overdue ${yuan(c.overdueFen)}**` : ''
      }`;
    }),
  ]);
}
