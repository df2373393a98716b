import type { SettingsSnapshot } from '../../../core/settings.js';
import { calendarDay, instantAtLocal, localDayNumber } from '../../../core/zoned-time.js';
import type { Tx } from '../../../db/client.js';
import { buildBusinessCalendar, isWorkingTime, type BusinessCalendar } from '../../shared/business-calendar.js';
import { stepNudge } from '../logic/approval-reminders.js';
import type { ApproverRole } from '../logic/contract.js';
import { repo, type ContractRow, type StepRow } from '../repository.js';
import { approverFor } from './approvals.js';
import { EFFECTS_JOB, type ContractDeps, type Effect, type EffectsJob } from './context.js';

export interface ApprovalSweep {
  reminded: number;
  escalated: number;
}

// Compiled once per settings version: a snapshot is replaced, never changed, when a setting changes.
const calendars = new WeakMap<SettingsSnapshot, BusinessCalendar>();

/** The business calendar (工作日历) in the business time zone; a bad edit falls back to the built-in one. */
export function calendarOf(x: ContractDeps, s: SettingsSnapshot): BusinessCalendar {
  let cal = calendars.get(s);
  if (!cal) {
    try {
      cal = buildBusinessCalendar({ timeZone: x.config.timeZone, ...s.get(x.settings.calendar) });
    } catch (err) {
      x.log.warn({ err }, 'business calendar setting is invalid; using the built-in calendar');
      cal = buildBusinessCalendar({ timeZone: x.config.timeZone });
    }
    calendars.set(s, cal);
  }
  return cal;
}

/**
 * Pending approval steps nobody decides (scheduled hourly). Inside working hours only: a step that has waited the
 * reminder limit in business hours gets its approver reminded, once per business-zone day; past the escalation limit it
 * is escalated once, to the approver's team manager (else the holder of the policy's role), who may then decide it.
 * Each mark is a conditional update on the still-pending step committed with its follow-up, so two sweeps at once, a
 * retried run or a decision at the same moment never remind or escalate twice, and a decided step is left alone.
 */
export async function sweepApprovals(x: ContractDeps, now: Date): Promise<ApprovalSweep> {
  const s = await x.settings.snapshot();
  const policy = s.get(x.settings.approvalReminders);
  const cal = calendarOf(x, s);
  const result: ApprovalSweep = { reminded: 0, escalated: 0 };
  if (!isWorkingTime(cal, now)) return result;
  const today = localDayNumber(cal.timeZone, now.getTime());
  const dayStart = new Date(instantAtLocal(cal.timeZone, today, 0));
  const day = calendarDay(now, cal.timeZone);
  for (const step of await repo.pendingSteps(x.database.db)) {
    if (!step.pendingSince) continue;
    const due = stepNudge(
      { pendingSince: step.pendingSince, remindedAt: step.remindedAt, escalatedAt: step.escalatedAt },
      policy,
      cal,
      now,
    );
    if (due.escalate) {
      const to = await escalationTarget(x, step, policy.escalateTo);
      const done = await x.database.transaction(async (tx) => {
        if (!(await repo.markEscalated(tx.db, step.id, to, now))) return false;
        const c = (await repo.get(tx.db, step.contractId))!;
        await repo.addHistory(tx.db, {
          contractId: c.id,
          state: c.state,
          action: 'step_escalated',
          actorOpenId: null,
          note: `${step.role} #${step.seq} → ${to ?? '无人可升级 nobody to escalate to'}`,
          at: now,
        });
        if (to) await queue(x, tx, c, { type: 'step_escalated', stepId: step.id });
        return true;
      });
      if (done) result.escalated++;
      if (done && !to) x.log.warn({ stepId: step.id, role: step.role }, 'approval step overdue, nobody to escalate to');
    }
    if (due.remind && step.approverOpenId) {
      const done = await x.database.transaction(async (tx) => {
        if (!(await repo.markReminded(tx.db, step.id, dayStart, now))) return false;
        await queue(x, tx, (await repo.get(tx.db, step.contractId))!, { type: 'step_reminder', stepId: step.id, day });
        return true;
      });
      if (done) result.reminded++;
    }
  }
  return result;
}

/** The approver's team manager (not the approver), else the first holder of `role` (not the approver), else nobody. */
async function escalationTarget(x: ContractDeps, step: StepRow, role: ApproverRole): Promise<string | null> {
  const approver = step.approverOpenId;
  if (approver) {
    for (const key of (await x.directory.person(approver))?.teams ?? []) {
      const manager = (await x.directory.team(key))?.managerOpenId;
      if (manager && manager !== approver) return manager;
    }
  }
  const c = await repo.get(x.database.db, step.contractId);
  const other = c ? await approverFor(x, role, c) : null;
  return other && other !== approver ? other : null;
}

/** A follow-up with no contract change: no mirror write, the contract's version untouched (cards stay valid). */
async function queue(x: ContractDeps, tx: Tx, c: ContractRow, effect: Effect): Promise<void> {
  await x.jobs.send<EffectsJob>(
    EFFECTS_JOB,
    { contractId: c.id, contractNo: c.contractNo, version: c.version, effects: [effect] },
    { tx },
  );
}
