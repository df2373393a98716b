import { caseClock, type CaseClock } from '../logic/clocks.js';
import type { CaseRow, HistoryRow } from '../repository.js';
import type { Rules } from '../rules.js';

interface Reading {
  at: number;
  rules: Rules;
  entries: number;
  last: HistoryRow | undefined;
  clock: CaseClock;
}

/**
 * The last clock read per case row object: a card click reads it for the stored results (in its transaction) and
 * again for the answer's card, with the same row, history, rules and instant. Rows are not changed in place (a change
 * answers a new row object), so the same object, rules, instant and history entries give the same clock.
 */
const lastReading = new WeakMap<CaseRow, Reading>();

/** Both clocks of a stored case at `now`. */
export function clockOf(c: CaseRow, history: readonly HistoryRow[], rules: Rules, now: Date): CaseClock {
  const own = history.filter((h) => h.caseId === c.id);
  const at = now.getTime();
  const seen = lastReading.get(c);
  if (seen && seen.at === at && seen.rules === rules && seen.entries === own.length && seen.last === own.at(-1))
    return seen.clock;
  const clock = caseClock(
    { kind: c.kind, priority: c.priority, openedAt: c.openedAt, platformDueAt: c.platformDueAt },
    own.map((h) => ({ state: h.state, at: h.at })),
    rules.sla,
    rules.calendar,
    now,
    rules.clock,
  );
  lastReading.set(c, { at, rules, entries: own.length, last: own.at(-1), clock });
  return clock;
}
