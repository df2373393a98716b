import { caseClock, type CaseClock } from '../logic/clocks.js';
import type { CaseRow, HistoryRow } from '../repository.js';
import type { Rules } from '../rules.js';

/** Both clocks of a stored case at `now`. */
export function clockOf(c: CaseRow, history: readonly HistoryRow[], rules: Rules, now: Date): CaseClock {
  return caseClock(
    { kind: c.kind, priority: c.priority, openedAt: c.openedAt, platformDueAt: c.platformDueAt },
    history.filter((h) => h.caseId === c.id).map((h) => ({ state: h.state, at: h.at })),
    rules.sla,
    rules.calendar,
    now,
    rules.clock,
  );
}
