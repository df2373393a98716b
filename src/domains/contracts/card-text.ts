import { joinMarkdown, md, mention, type Markdown } from '../../core/cards/markdown.js';
import {
  ROLE_LABELS,
  STATE_LABELS,
  TYPE_LABELS,
  type ApproverRole,
  type ContractState,
  type ContractType,
} from './logic/contract.js';
import { BUDGET_CATEGORY_LABELS, BUDGET_STATE_LABELS } from './logic/budget.js';
import type { RiskLevel, RiskSummary } from './logic/risk.js';
import { noticeDeadline } from './logic/reminders.js';
import type { BudgetRow, ContractRow, StepRow } from './repository.js';

export const yuan = (fen: number, currency = 'CNY'): string => {
  const n = (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === 'CNY' ? `¥${n}` : `${currency} ${n}`;
};

export const stateText = (s: string): string => {
  const l = STATE_LABELS[s as ContractState];
  return l ? `${l.zh} ${l.en}` : s;
};
export const typeText = (t: string): string => {
  const l = TYPE_LABELS[t as ContractType];
  return l ? `${l.zh} ${l.en}` : t;
};
export const roleText = (r: string): string => {
  const l = ROLE_LABELS[r as ApproverRole];
  return l ? `${l.zh} ${l.en}` : r;
};

const LEVEL_TEXT: Record<RiskLevel, string> = {
  low: '低 Low',
  medium: '中 Medium',
  high: '高 High',
  blocked: '禁止合作 Blocked',
  unknown: '未知 Unknown',
};
export const levelText = (l: string): string => LEVEL_TEXT[l as RiskLevel] ?? l;

/** The contract's facts, as on every card. User text goes in as values (escaped). */
export function factsOf(c: ContractRow, counterparty: string): Markdown {
  const amount =
    c.currency === 'CNY' ? yuan(c.amountFen) : `${yuan(c.amountFen, c.currency)}（≈ ${yuan(c.amountCnyFen)}）`;
  const notice = noticeDeadline(c.endDate, c.noticeDays);
  return joinMarkdown([
    md`**编号 No.** ${c.contractNo} · **类型 Type** ${typeText(c.type)} · **状态 State** ${stateText(c.state)}`,
    md`**相对方 Counterparty** ${counterparty}`,
    md`**金额 Amount** ${amount}`,
    md`**期限 Term** ${c.startDate} → ${c.endDate}${notice ? ` · 通知截止 Notice by ${notice}` : ''}${
      c.autoRenew ? ' · 自动续约 Auto-renews' : ''
    }`,
    md`**经办 Owner** ${mention(c.ownerOpenId)}`,
  ]);
}

/** The risk summary on approval cards, lookups and payment cards. */
export function riskOf(r: RiskSummary | null): Markdown {
  if (!r)
    return md`
**风险 Risk** 未检查 not checked
    `;
  const reg = r.registration;
  const regLine =
    reg.status === 'unknown'
      ? md`**工商信息 Registration** 未知 unknown${reg.problem ? `（${reg.problem}）` : ''}`
      : md`**工商信息 Registration** ${reg.status}${
          reg.registeredCapitalFen !== null ? ` · 注册资本 capital ${yuan(reg.registeredCapitalFen)}` : ''
        }${reg.legalRepresentative ? ` · 法人 ${reg.legalRepresentative}` : ''}${
          reg.abnormalOperation ? ' · 经营异常 abnormal' : ''
        }${reg.judicialCases ? ` · 司法案件 ${reg.judicialCases}` : ''}`;
  const list =
    r.list === 'black'
      ? md`**名单 List** 黑名单 blacklist${r.listReason ? `：${r.listReason}` : ''}（需风控特批 override step）`
      : r.list === 'watch'
        ? md`**名单 List** 观察名单 watchlist${r.listReason ? `：${r.listReason}` : ''}`
        : null;
  const h = r.history;
  const last = h.last.map((l) => `${l.contractNo} ${yuan(l.amountFen)} ${stateText(l.state)}`).join('；');
  return joinMarkdown(
    [
      md`**风险 Risk** ${levelText(r.level)}${r.reasons.length ? ` · ${r.reasons.join('，')}` : ''}`,
      regLine,
      list,
      md`**签约历史 History** ${h.count} 份 contracts · 合计 ${yuan(h.totalFen)} · 纠纷 disputes ${h.disputes} · 逾期付款 overdue ${
        h.overduePayments
      }${last ? `\n最近 Last: ${last}` : ''}`,
    ].filter((m): m is Markdown => m !== null),
  );
}

const MARK: Record<string, string> = {
  approved: '✅',
  pending: '⏳',
  waiting: '·',
  rejected: '❌',
  returned: '↩️',
  cancelled: '–',
};
const DECISION_TEXT: Record<string, string> = {
  approved: '已同意 approved',
  pending: '待审批 pending',
  waiting: '未开始 waiting',
  rejected: '已驳回 rejected',
  returned: '已退回 returned',
  cancelled: '已取消 cancelled',
};

/** The chain's progress, step by step. */
export function progressOf(steps: StepRow[]): Markdown {
  if (steps.length === 0)
    return md`
**审批 Approval** 未提交 not submitted
    `;
  return joinMarkdown([
    md`
**审批进度 Approval**
    `,
    ...steps.map(
      (s) =>
        md`${MARK[s.decision] ?? ''} ${roleText(s.role)} · ${mention(s.approverOpenId, '未找到审批人 no approver')} · ${
          DECISION_TEXT[s.decision] ?? s.decision
        }${s.reason ? ` · ${s.reason}` : ''}${
          s.escalatedTo && s.decision === 'pending' ? md` · 已升级 escalated → ${mention(s.escalatedTo)}` : ''
        }`,
    ),
  ]);
}

export function budgetLine(b: BudgetRow | undefined): Markdown | null {
  if (!b) return null;
  const left = b.amountFen - b.reservedFen;
  return md`**预算 Budget** ${b.name}（${b.code}）剩余 left ${yuan(left)} / ${yuan(b.amountFen)} · 已占用 committed ${yuan(
    b.committedFen,
  )}${budgetTermsOf(b)}`;
}

/** A line's state when not in force, its year and category, and its owner (@mention): after the amounts. */
export function budgetTermsOf(b: BudgetRow): Markdown {
  const parts: Markdown[] = [];
  if (b.state !== 'active') {
    const l = BUDGET_STATE_LABELS[b.state];
    parts.push(md`**${l.zh} ${l.en}**`);
  }
  if (b.fiscalYear !== null) parts.push(md`${b.fiscalYear} 年度`);
  if (b.category) parts.push(md`${BUDGET_CATEGORY_LABELS[b.category].zh}`);
  if (b.ownerOpenId) parts.push(md`负责人 Owner ${mention(b.ownerOpenId)}`);
  return parts.length ? md` · ${joinMarkdown(parts, ' · ')}` : md``;
}
