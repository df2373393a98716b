import { ConflictError, ForbiddenError, ValidationError } from '../../../core/errors.js';
import { isTerminal } from '../logic/case.js';
import { dueEscalations, manualEscalation, type Escalation, type EscalationStep } from '../logic/escalation.js';
import { repo, type CaseRow } from '../repository.js';
import {
  actorFor,
  commitChange,
  isStale,
  lostRace,
  rulesOf,
  type ExceptionDeps,
  type ExpectedVersion,
} from './context.js';
import { line } from './fields.js';
import { loadCase } from './act.js';
import { clockOf } from './case-clock.js';
import { breachInstant, type CaseClock } from '../logic/clocks.js';
import { nextLadderChange } from '../logic/ladder-wake.js';
import type { Rules } from '../rules.js';
import { ladderWakesOf } from './ladder-wakes.js';
import { reportRepo } from '../report-repository.js';
import { chunks, slices } from '../../../core/slices.js';

async function recipientOf(x: ExceptionDeps, c: CaseRow, e: Escalation): Promise<string | null> {
  if (e.recipient === 'owner') return c.ownerOpenId;
  const team = await x.directory.team(c.teamKey);
  return e.recipient === 'lead' ? (team?.leadOpenId ?? null) : (team?.managerOpenId ?? team?.leadOpenId ?? null);
}

/** Records a ladder step once (unique per case and step) and queues the DM and the card update. */
async function send(
  x: ExceptionDeps,
  c: CaseRow,
  e: Escalation,
  by: string | null,
  now: Date,
  note: string | null = null,
): Promise<boolean> {
  const recipient = await recipientOf(x, c, e);
  let sent = false;
  await commitChange(x, {
    current: c,
    patch: {},
    action: e.manual ? 'escalate' : `escalation_${e.step}`,
    actor: by,
    now,
    details: { step: e.step, recipient, manual: e.manual, ...(note ? { note } : {}) },
    also: async (tx) => {
      const row = await repo.insertEscalation(tx.db, {
        caseId: c.id,
        step: e.step,
        manual: e.manual,
        recipientOpenId: recipient,
        byOpenId: by,
        sentAt: now,
      });
      if (!row) throw new ConflictError('已升级过 · Already escalated', { step: e.step });
      sent = true;
      return recipient
        ? [
            { type: 'card' },
            { type: 'escalation', step: e.step, recipientOpenId: recipient, message: line(e.message), by, note },
          ]
        : [{ type: 'card' }];
    },
  });
  return sent;
}

/** The 升级 Escalate button: the next rung above the owner (lead, then manager). */
export async function escalateByHand(
  x: ExceptionDeps,
  caseId: number,
  operator: string,
  now: Date,
  version?: ExpectedVersion,
  note: string | null = null,
): Promise<{ case: CaseRow; step: EscalationStep | null; changed: boolean }> {
  const c = await loadCase(x, caseId);
  // A repeat (double click, retry, old card) is not a request for the next rung.
  if (isStale(c, version)) return { case: c, step: null, changed: false };
  if (isTerminal(c.state)) throw new ConflictError('已结束的异常件无需升级 · The case is finished');
  const actor = await actorFor(x, operator, c);
  const allowed =
    operator === c.ownerOpenId ||
    operator === c.reporterOpenId ||
    actor.roles.some((r) => r === 'lead' || r === 'manager');
  if (!allowed)
    throw new ForbiddenError('只有负责人、提报人或组长可以升级 · Only the owner, the reporter or a lead may escalate');
  const rules = await rulesOf(x);
  const history = await repo.history(x.database.db, [c.id]);
  const steps = await repo.escalationSteps(x.database.db, c.id);
  const e = manualEscalation(clockOf(c, history, rules, now), steps, now);
  if (!e) throw new ValidationError('已升级至经理，无法再升级 · Already escalated to the manager');
  try {
    await send(x, c, e, operator, now, note);
  } catch (err) {
    if (version !== undefined && lostRace(err)) return { case: await loadCase(x, caseId), step: null, changed: false };
    throw err;
  }
  return { case: await loadCase(x, caseId), step: e.step, changed: true };
}

/**
 * Open cases loaded and read per part of a sweep. Reading every open clock (the first sweep after a start, a rule
 * change) at 200,000 cases is 6,000 cases: loading them, their histories, steps and stored clocks at once built
 * tens of thousands of row objects in one go, and the garbage they left stalled the event loop (bench/RESULTS.md).
 */
const LOAD_PART = 1_000;

/** Stored times closer than this are the same (float minutes in the business-time arithmetic). */
const SAME_MS = 1_000;
const differs = (a: Date | null, b: Date | null) =>
  a === null || b === null ? a !== b : Math.abs(a.getTime() - b.getTime()) > SAME_MS;

type Moved = { caseId: number; dueAt: Date | null; breachAt: Date | null; computedAt: Date };

/**
 * The ladder for every open case: warn the owner at 80 %, the lead at breach, the manager after.
 * Reads the clocks only of cases whose ladder can have moved since the last sweep (see
 * LadderWakes: changed, rules changed, or a rung's instant near), 1,000 at a time: their
 * histories, steps sent and stored clocks in one round of queries per part (so a steady sweep is
 * one round), the clocks in slices that give the event loop a turn every 50 cases or 10 ms. Then
 * records the steps due. Stored due and breach times that the current rules no longer give (an
 * SLA or calendar edited since the case last changed) are rewritten in one statement, so reports
 * follow a rule change within one sweep.
 */
export async function sweepEscalations(x: ExceptionDeps, now: Date): Promise<number> {
  const rules = await rulesOf(x);
  const db = x.database.db;
  const wakes = ladderWakesOf(x);
  const ids = wakes.due(rules, await repo.openCaseVersions(db), now).map((c) => c.id);
  const turn = slices();
  const due: Array<{ c: CaseRow; steps: Escalation[] }> = [];
  const moved: Moved[] = [];
  for (const part of chunks(ids, LOAD_PART)) {
    const [cases, history, sentSteps, stored] = await Promise.all([
      repo.openCasesByIds(db, part),
      repo.historyOfCases(db, part),
      repo.escalationStepsOfCases(db, part),
      reportRepo.openClocksOf(db, part),
    ]);
    await turn();
    const historyOf = groupBy(history, (h) => h.caseId);
    const stepsOf = groupBy(sentSteps, (s) => s.caseId);
    const storedOf = new Map(stored.map((s) => [s.caseId, s]));
    for (const c of cases) {
      await turn();
      const steps = (stepsOf.get(c.id) ?? []).map((s) => s.step);
      const clock = clockOf(c, historyOf.get(c.id) ?? [], rules, now);
      const e = dueEscalations({ state: c.state }, clock, steps, now, rules.escalation);
      if (e.length > 0) due.push({ c, steps: e });
      wakes.remember(c, wakeAt(clock, c, rules, now));
      const s = storedOf.get(c.id);
      if (s) {
        const breachAt = breachInstant(clock, rules.calendar, now);
        // A paused clock's due time is "if it ran again from now": it moves with every read, so only its breach time
        // is compared.
        if ((clock.status === 'running' && differs(s.dueAt, clock.dueAt)) || differs(s.breachAt, breachAt))
          moved.push({ caseId: c.id, dueAt: clock.dueAt, breachAt, computedAt: s.computedAt });
      }
    }
  }
  if (moved.length > 0)
    x.log.info(
      { cases: await reportRepo.updateOpenClocks(db, moved) },
      'stored clocks of open cases follow the current rules',
    );
  let sent = 0;
  for (const { c, steps } of due) {
    for (const e of steps) {
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

/** When the sweep must read this case's clock again; a second early, for the float arithmetic of business time. */
function wakeAt(clock: CaseClock, c: CaseRow, rules: Rules, now: Date): number {
  try {
    return nextLadderChange(clock, c.openedAt, rules.escalation, rules.calendar, now) - SAME_MS;
  } catch {
    // A calendar without working time ahead: read it every sweep, as before.
    return now.getTime();
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
