import { joinMarkdown, link, md, mention, shorten, trusted, type Markdown } from '../../core/cards/markdown.js';
import { formatInZone } from '../../core/zoned-time.js';
import type { Bilingual } from '../shared/bilingual.js';
import { formatFen } from './logic/money.js';
import type { CaseView } from './service/view.js';

/** `中文 English` as one label (buttons, tags). */
export const label = (b: Bilingual): string => `${b.zh} ${b.en}`;

/** `11-26 15:30` in the business time zone. */
export function formatAt(at: Date, timeZone: string): string {
  return formatInZone(at, timeZone, 'MM-dd HH:mm');
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
export function clockLine(v: CaseView): Markdown {
  const c = v.clock;
  // Times and durations are the bot's own formatting: written as they are, not escaped.
  const which = trusted(c.which === 'platform' ? '平台时限 Platform deadline' : 'SLA');
  const due = trusted(formatAt(c.dueAt, v.timeZone));
  const left = trusted(formatMinutes(c.remainingMinutes));
  if (c.status === 'stopped')
    return md`⏱ ${which}: ${c.breached ? '已超时结束 · finished late' : '按时完成 · finished in time'}`;
  if (c.status === 'paused') return md`⏸ ${which} 已暂停 · paused（剩余 ${left} left）`;
  if (c.breached || c.remainingMinutes <= 0) return md`🔴 ${which} 截止 ${due} · **已超时 ${left} overdue**`;
  const flag = c.fractionUsed >= 0.8 ? '🟠' : '🟢';
  return md`${flag} ${which} 截止 Due ${due}（剩余 ${left} left）`;
}

const at = (openId: string | null): Markdown => mention(openId, '未分派 · unassigned');

/** A case's description in a card: long text is cut, with where to read the rest. */
export const DESCRIPTION_CHARS = 300;
export const descriptionIsCut = (text: string): boolean => shorten(text, DESCRIPTION_CHARS) !== text;
function description(v: CaseView): Markdown {
  const cut = shorten(v.description, DESCRIPTION_CHARS);
  if (cut === v.description) return md`${cut}`;
  const row = v.rowUrl ? link(`${v.no} 这一行 · row ${v.no}`, v.rowUrl) : md`${v.no} 这一行 · row ${v.no}`;
  return md`${cut}（已截断，全文见多维表格 · cut short; full text in Bitable: ${row}）`;
}

/** The facts block every case card and DM shares. Every value here is user or Bitable text. */
export function factsOf(v: CaseView): Markdown {
  const lines = [
    md`**工单 Case** ${v.no} · ${v.title}`,
    md`**类型 Kind** ${label(v.kind)} · **优先级 Priority** ${v.priority.code} ${label(v.priority)}`,
    md`**负责人 Owner** ${at(v.ownerOpenId)} · **团队 Team** ${v.teamName}`,
  ];
  if (v.orderNo) lines.push(md`**订单号 Order** ${v.orderNo}${v.channel ? md`（${v.channel}）` : null}`);
  for (const f of v.fields) lines.push(md`**${label(f.label)}** ${f.value}`);
  if (v.description) lines.push(md`**描述 Description** ${description(v)}`);
  return joinMarkdown(lines);
}

export function moneyLine(v: CaseView): Markdown {
  const m = v.money;
  const parts = [
    `涉及 At risk ${money(m.atRiskFen)}`,
    `已退 Refunded ${money(m.refundedFen)}`,
    `已追回 Recovered ${money(m.recoveredFen)}`,
    `核销 Written off ${money(m.writtenOffFen)}`,
  ];
  return md`💰 ${trusted(parts.join(' · '))}`;
}

const ESCALATION_TEXT: Record<string, string> = {
  warn_owner: '已提醒负责人 · owner warned',
  notify_lead: '已升级至组长 · escalated to the lead',
  notify_manager: '已升级至经理 · escalated to the manager',
};

export function statusLine(v: CaseView): Markdown {
  const lines = [md`**状态 State** ${label(v.stateLabel)}`];
  if (v.missing.length > 0 && v.state === 'waiting_warehouse') {
    const awaited = v.missing.map((m) => label(m.label)).join('、');
    lines.push(
      md`⏳ 待仓库回填 Waiting for: ${awaited}（仓库 Warehouse ${at(v.warehouseOpenId)}，已催办 ${v.nudgeCount} 次 · ${
        v.nudgeCount
      } reminders）`,
    );
  }
  if (v.pendingApproval) {
    const p = v.pendingApproval;
    lines.push(md`🖊 待${p.role.zh}审批 ${trusted(money(p.amountFen))} · Awaiting ${p.role.en} approval`);
  }
  if (v.escalation) lines.push(md`⚠️ ${ESCALATION_TEXT[v.escalation] ?? v.escalation}`);
  if (v.disputeOutcome) lines.push(md`⚖️ 维权结果 Dispute: ${v.disputeOutcome === 'won' ? '成功 won' : '失败 lost'}`);
  return joinMarkdown(lines);
}

export function stateColor(v: CaseView): string {
  if (v.clock.breached && v.clock.status !== 'stopped') return 'red';
  const colors: Record<string, string> = {
    new: 'blue',
    assigned: 'blue',
    in_progress: 'wathet',
    waiting_warehouse: 'orange',
    waiting_customer: 'yellow',
    waiting_platform: 'yellow',
    pending_approval: 'purple',
    resolved: 'green',
    closed: 'grey',
    cancelled: 'grey',
  };
  return colors[v.state] ?? 'blue';
}
