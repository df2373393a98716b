import { ConflictError, ForbiddenError, ValidationError } from '../../../core/errors.js';
import { isTerminal, type CaseState, type Priority } from '../logic/case.js';
import { caseClock, type CaseClock } from '../logic/clocks.js';
import { dueEscalations, manualEscalation, type Escalation, type EscalationStep } from '../logic/escalation.js';
import { repo, type CaseRow, type HistoryRow } from '../repository.js';
import type { Rules } from '../rules.js';
import { actorFor, commitChange, rulesOf, type ExceptionDeps } from './context.js';
import { line } from './fields.js';
import { loadCase } from './act.js';

/** Both clocks of a stored case at `now`. */
export function clockOf(c: CaseRow, history: readonly HistoryRow[], rules: Rules, now: Date): CaseClock {
  return caseClock(
    { kind: c.kind, priority: c.priority as Priority, openedAt: c.openedAt, platformDueAt: c.platformDueAt },
    history.filter((h) => h.caseId === c.id).map((h) => ({ state: h.state as CaseState, at: h.at })),
    rules.sla,
    rules.calendar,
    now,
    rules.clock,
  );
}

async function recipientOf(x: ExceptionDeps, c: CaseRow, e: Escalation): Promise<string | null> {
  if (e.recipient === 'owner') return c.ownerOpenId;
  const team = await x.directory.team(c.teamKey);
  return e.recipient === 'lead' ? (team?.leadOpenId ?? null) : (team?.managerOpenId ?? team?.leadOpenId ?? null);
}

/** Records a ladder step once (unique per case and step) and queues the DM and the card update. */
async function send(x: ExceptionDeps, c: CaseRow, e: Escalation, by: string | null, now: Date): Promise<boolean> {
  const recipient = await recipientOf(x, c, e);
  let sent = false;
  await commitChange(x, {
    current: c,
    patch: {},
    action: e.manual ? 'escalate' : `escalation_${e.step}`,
    actor: by,
    now,
    details: { step: e.step, recipient, manual: e.manual },
    also: async (tx) => {
      const row = await repo.insertEscalation(tx.db, { caseId: c.id, step: e.step, manual: e.manual, recipientOpenId: recipient, byOpenId: by, sentAt: now });
      if (!row) throw new ConflictError('已升级过 · Already escalated', { step: e.step });
      sent = true;
      return recipient ? [{ type: 'card' }, { type: 'escalation', step: e.step, recipientOpenId: recipient, message: line(e.message) }] : [{ type: 'card' }];
    },
  });
  return sent;
}

/** The 升级 Escalate button: the next rung above the owner (lead, then manager). */
export async function escalateByHand(x: ExceptionDeps, caseId: number, operator: string, now: Date): Promise<{ case: CaseRow; step: EscalationStep }> {
  const c = await loadCase(x, caseId);
  if (isTerminal(c.state as CaseState)) throw new ConflictError('已结束的异常件无需升级 · The case is finished');
  const actor = await actorFor(x, operator, c);
  const allowed = operator === c.ownerOpenId || operator === c.reporterOpenId || actor.roles.some((r) => r === 'lead' || r === 'manager');
  if (!allowed) throw new ForbiddenError('只有负责人、提报人或组长可以升级 · Only the owner, the reporter or a lead may escalate');
  const rules = await rulesOf(x);
  const history = await repo.history(x.database.db, [c.id]);
  const steps = (await repo.escalationSteps(x.database.db, c.id)) as EscalationStep[];
  const e = manualEscalation(clockOf(c, history, rules, now), steps, now);
  if (!e) throw new ValidationError('已升级至经理，无法再升级 · Already escalated to the manager');
  await send(x, c, e, operator, now);
  return { case: await loadCase(x, caseId), step: e.step };
}

/** The ladder for every open case: warn the owner at 80 %, the lead at breach, the manager after. */
export async function sweepEscalations(x: ExceptionDeps, now: Date): Promise<number> {
  const rules = await rulesOf(x);
  const cases = await repo.openCases(x.database.db);
  const history = await repo.history(x.database.db, cases.map((c) => c.id));
  let sent = 0;
  for (const c of cases) {
    const steps = (await repo.escalationSteps(x.database.db, c.id)) as EscalationStep[];
    for (const e of dueEscalations({ state: c.state as CaseState }, clockOf(c, history, rules, now), steps, now, rules.escalation)) {
      try {
        if (await send(x, await loadCase(x, c.id), e, null, now)) sent++;
      } catch (err) {
        // Changed or escalated by someone else meanwhile: the next tick sees the new state.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
  return sent;
}
