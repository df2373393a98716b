import type { Bilingual } from '../shared/bilingual.js';
import { formatFen } from './logic/money.js';
import type { CaseView } from './service/view.js';

/** `中文 English` as one label (buttons, tags). */
export const label = (b: Bilingual): string => `${b.zh} ${b.en}`;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `11-26 15:30` in the business time zone. */
export function formatAt(at: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `2小时10分 · 2h 10m`. */
export function formatMinutes(minutes: number): string {
  const m = Math.max(0, Math.round(Math.abs(minutes)));
  const h = Math.floor(m / 60);
  const r = m % 60;
  return h > 0 ? `${h}小时${r}分 · ${h}h ${r}m` : `${r}分 · ${r}m`;
}

export const money = formatFen;

/** The shown clock: whichever deadline is sooner, paused or overdue said plainly. */
export function clockLine(v: CaseView): string {
  const c = v.clock;
  const which = c.which === 'platform' ? '平台时限 Platform deadline' : 'SLA';
  const due = formatAt(c.dueAt, v.timeZone);
  if (c.status === 'stopped') return `⏱ ${which}: ${c.breached ? '已超时结束 · finished late' : '按时完成 · finished in time'}`;
  if (c.status === 'paused') return `⏸ ${which} 已暂停 · paused（剩余 ${formatMinutes(c.remainingMinutes)} left）`;
  if (c.breached || c.remainingMinutes <= 0) return `🔴 ${which} 截止 ${due} · **已超时 ${formatMinutes(c.remainingMinutes)} overdue**`;
  const flag = c.fractionUsed >= 0.8 ? '🟠' : '🟢';
  return `${flag} ${which} 截止 Due ${due}（剩余 ${formatMinutes(c.remainingMinutes)} left）`;
}

const at = (openId: string | null): string => (openId ? `<at id=${openId}></at>` : '未分派 · unassigned');

/** The facts block every case card and DM shares. */
export function factsOf(v: CaseView): string {
  const lines = [
    `**工单 Case** ${v.no} · ${v.title}`,
    `**类型 Kind** ${label(v.kind)} · **优先级 Priority** ${v.priority.code} ${label(v.priority)}`,
    `**负责人 Owner** ${at(v.ownerOpenId)} · **团队 Team** ${v.teamName}`,
  ];
  if (v.orderNo) lines.push(`**订单号 Order** ${v.orderNo}${v.channel ? `（${v.channel}）` : ''}`);
  for (const f of v.fields) lines.push(`**${label(f.label)}** ${f.value}`);
  if (v.description) lines.push(`**描述 Description** ${v.description}`);
  return lines.join('\n');
}

export function moneyLine(v: CaseView): string {
  const m = v.money;
  const parts = [`涉及 At risk ${money(m.atRiskFen)}`, `已退 Refunded ${money(m.refundedFen)}`, `已追回 Recovered ${money(m.recoveredFen)}`, `核销 Written off ${money(m.writtenOffFen)}`];
  return `💰 ${parts.join(' · ')}`;
}

const ESCALATION_TEXT: Record<string, string> = {
  warn_owner: '已提醒负责人 · owner warned',
  notify_lead: '已升级至组长 · escalated to the lead',
  notify_manager: '已升级至经理 · escalated to the manager',
};

export function statusLine(v: CaseView): string {
  const lines = [`**状态 State** ${label(v.stateLabel)}`];
  if (v.missing.length > 0 && v.state === 'waiting_warehouse') {
    lines.push(`⏳ 待仓库回填 Waiting for: ${v.missing.map((m) => label(m.label)).join('、')}（仓库 Warehouse ${at(v.warehouseOpenId)}，已催办 ${v.nudgeCount} 次 · ${v.nudgeCount} reminders）`);
  }
  if (v.pendingApproval) {
    const p = v.pendingApproval;
    lines.push(`🖊 待${p.role.zh}审批 ${money(p.amountFen)} · Awaiting ${p.role.en} approval`);
  }
  if (v.escalation) lines.push(`⚠️ ${ESCALATION_TEXT[v.escalation] ?? v.escalation}`);
  if (v.disputeOutcome) lines.push(`⚖️ 维权结果 Dispute: ${v.disputeOutcome === 'won' ? '成功 won' : '失败 lost'}`);
  return lines.join('\n');
}

export function stateColor(v: CaseView): string {
  if (v.clock.breached && v.clock.status !== 'stopped') return 'red';
  const colors: Record<string, string> = {
    new: 'blue', assigned: 'blue', in_progress: 'wathet', waiting_warehouse: 'orange', waiting_customer: 'yellow',
    waiting_platform: 'yellow', pending_approval: 'purple', resolved: 'green', closed: 'grey', cancelled: 'grey',
  };
  return colors[v.state] ?? 'blue';
}
